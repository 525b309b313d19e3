// The book's commands fail clearly: a port in use, an unknown option, and a
// notebook cell that throws (named by notebook, cell index and error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jupyterPython, repositoryRoot } from './helpers/notebooks';

test('npm start on a port already in use says so and names what to do', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    const run = spawnSync(process.execPath, [join(repositoryRoot, 'scripts', 'start.mjs'), '--no-browser', '--port', String(port)], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 1);
    assert.match(run.stderr, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
    assert.match(run.stderr, new RegExp(`npm start -- --port ${port + 1}`));
  } finally {
    server.close();
  }
});

test('npm start rejects an unknown option and a bad port', () => {
  const unknown = spawnSync(process.execPath, [join(repositoryRoot, 'scripts', 'start.mjs'), '--headless'], { encoding: 'utf8' });
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /Unknown option "--headless". Use --no-browser/);
  const badPort = spawnSync(process.execPath, [join(repositoryRoot, 'scripts', 'start.mjs'), '--port', 'eighty'], { encoding: 'utf8' });
  assert.match(badPort.stderr, /--port needs a number from 1 to 65535, got "eighty"/);
});

test('a cell that throws is reported with the notebook, the cell index and the error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlkit-notebook-'));
  const cell = (source: string, type = 'code') => ({ cell_type: type, id: `c${Math.random().toString(36).slice(2, 8)}`, metadata: {}, source, ...(type === 'code' ? { outputs: [], execution_count: null } : {}) });
  const notebook = {
    cells: [cell('# title', 'markdown'), cell('const x: number = 1;'), cell('if (x === 1) { throw new RangeError("the model diverged"); }')],
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  writeFileSync(join(dir, 'broken.ipynb'), JSON.stringify(notebook));
  const run = spawnSync(jupyterPython(), [join(repositoryRoot, 'scripts', 'execute_notebook.py'), '--timeout', '120', join(dir, 'broken.ipynb')], { encoding: 'utf8', timeout: 180_000 });
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /NOTEBOOK FAILED broken\.ipynb: cell 2 failed: RangeError: the model diverged/);
});
