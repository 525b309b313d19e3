import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { crashReportEnvironment, crashReports } from './native-crash-report';

/** The repository root (test/dist/helpers -> ../../..). */
export const repositoryRoot = resolve(__dirname, '..', '..', '..');

/**
 * The Python that runs Jupyter and nbclient: DLKIT_JUPYTER_PYTHON (set by
 * scripts/test.mjs), else the project's .venv/ that `npm start` makes (its
 * kernel spec is inside it), else /usr/bin/python3.
 */
export function jupyterPython(): string {
  const venv = join(repositoryRoot, '.venv', 'bin', 'python');
  return process.env['DLKIT_JUPYTER_PYTHON'] || (existsSync(venv) ? venv : '/usr/bin/python3');
}

/** Notebooks in reading order. */
export function listNotebooks(): string[] {
  return readdirSync(join(repositoryRoot, 'notebooks'))
    .filter((name) => /^\d\d_.+\.ipynb$/.test(name))
    .sort();
}

/** The outcome of executing one notebook through nbclient. */
export interface NotebookRun {
  ok: boolean;
  seconds: number;
  /** The executor's one-line failure: notebook, cell index, error. */
  failure: string | null;
  output: string;
}

/** Executes a notebook with the tslab kernel; `outDir` keeps the executed copy. */
export function executeNotebook(name: string, options: { outDir?: string; env?: Record<string, string>; timeoutSeconds?: number } = {}): Promise<NotebookRun> {
  const args = [join(repositoryRoot, 'scripts', 'execute_notebook.py'), '--timeout', String(options.timeoutSeconds ?? 900)];
  if (options.outDir) args.push('--out', options.outDir);
  args.push(join(repositoryRoot, 'notebooks', name));
  return new Promise((resolvePromise) => {
    const child = spawn(jupyterPython(), args, {
      cwd: repositoryRoot,
      env: { ...process.env, ...crashReportEnvironment(), PATH: `${join(repositoryRoot, 'node_modules', '.bin')}:${process.env['PATH'] ?? ''}`, ...(options.env ?? {}) },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    child.on('error', (error) => resolvePromise({ ok: false, seconds: 0, failure: `${name}: could not start ${jupyterPython()}: ${error.message}`, output }));
    child.on('close', (code) => {
      const timing = /TIMING \S+ ([\d.]+)/.exec(output);
      const failure = /NOTEBOOK FAILED (.*)/.exec(output);
      resolvePromise({
        ok: code === 0,
        seconds: timing ? Number(timing[1]) : 0,
        failure: code === 0 ? null : (failure ? (failure[1] as string) : `${name}: executor exited with ${code}: ${output.trim().split('\n').slice(-5).join(' / ')}`) + crashReports(output),
        output,
      });
    });
  });
}
