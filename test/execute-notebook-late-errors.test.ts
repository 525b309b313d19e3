// scripts/execute_notebook.py fails a notebook whose timer or promise throws
// after its cell finished (tslab prints such errors on whatever cell runs
// next, so the notebook used to pass), and names the cell it was reported on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jupyterPython, repositoryRoot } from './helpers/notebooks';

function execute(name: string, sources: string[]): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dlkit-late-'));
  const notebook = {
    cells: sources.map((source, i) => ({ cell_type: 'code', id: `cell-${i}`, metadata: {}, source, outputs: [], execution_count: null })),
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  writeFileSync(join(dir, name), JSON.stringify(notebook));
  const run = spawnSync(jupyterPython(), [join(repositoryRoot, 'scripts', 'execute_notebook.py'), '--timeout', '120', join(dir, name)], {
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, JUPYTER_PATH: [join(repositoryRoot, '.jupyter', 'share', 'jupyter'), process.env['JUPYTER_PATH']].filter(Boolean).join(':') },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('a timer that throws while a later cell runs fails the notebook', () => {
  const run = execute('late-timer.ipynb', [
    "setTimeout(() => { throw new Error('late boom'); }, 300);\nconsole.log('timer set');",
    "await new Promise((resolve) => setTimeout(resolve, 1500));\nconsole.log('waited');",
    "console.log('never reached');",
  ]);
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /NOTEBOOK FAILED late-timer\.ipynb: cell 1 failed: an asynchronous error escaped while it ran .*: UncaughtException: Error: late boom/, run.stderr);
});

test('a timer that throws after the last cell fails the notebook, naming that cell', () => {
  const run = execute('late-end.ipynb', ["console.log('first');", "setTimeout(() => { throw new Error('after the end'); }, 200);\nconsole.log('timer set');"]);
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /NOTEBOOK FAILED late-end\.ipynb: cell 1 failed: an asynchronous error escaped after it finished .*: UncaughtException: Error: after the end/, run.stderr);
});

test('an unhandled promise rejection fails the notebook; ordinary stderr output does not', () => {
  const rejected = execute('late-rejection.ipynb', ["Promise.reject(new Error('nobody caught me'));\nconsole.log('started');", "await new Promise((resolve) => setTimeout(resolve, 500));"]);
  assert.equal(rejected.status, 1, rejected.stdout + rejected.stderr);
  assert.match(rejected.stdout, /NOTEBOOK FAILED late-rejection\.ipynb: cell 0 failed: an asynchronous error escaped .*UnhandledPromiseRejection: Error: nobody caught me/, rejected.stderr);
  const fine = execute('warnings.ipynb', ["console.error('just a warning on stderr');", "await new Promise((resolve) => setTimeout(resolve, 300));\nconsole.log('done');"]);
  assert.equal(fine.status, 0, fine.stdout + fine.stderr);
  assert.match(fine.stdout, /NOTEBOOK OK warnings\.ipynb/);
});
