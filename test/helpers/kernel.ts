import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crashReportEnvironment } from './native-crash-report';
import { jupyterPython, repositoryRoot } from './notebooks';

/** One step of a kernel session (see test/helpers/kernel_driver.py). */
export type KernelStep =
  | { run: string; timeout?: number }
  | { start: string }
  | { interrupt_after: number; timeout?: number }
  | { interrupt_idle: true }
  | { interrupt_when: string; after?: number; wait?: number; timeout?: number }
  | { sleep: number };

/** What one cell did. */
export interface CellRun {
  code: string;
  /** The execute_reply status: ok, error, abort (or timeout). */
  status: string | null;
  stdout: string;
  stderr: string;
  error: string | null;
  /** Seconds from the request to the reply. */
  seconds: number | null;
  /** Seconds from the request to the interrupt, for an interrupted cell. */
  interrupted_at: number | null;
}

/** Output that arrived after its cell had finished. */
export interface LateOutput {
  cell: number;
  name: string;
  text: string;
}

/**
 * Runs cells in a fresh tslab kernel (working directory `notebooks/`) through
 * jupyter_client, and returns what every cell printed.
 */
export function runKernelSession(steps: KernelStep[]): Promise<{ cells: CellRun[]; late: LateOutput[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'dlkit-kernel-'));
  const script = join(dir, 'session.json');
  writeFileSync(script, JSON.stringify({ cwd: join(repositoryRoot, 'notebooks'), steps }));
  return new Promise((resolve, reject) => {
    const child = spawn(jupyterPython(), [join(repositoryRoot, 'test', 'helpers', 'kernel_driver.py'), script], {
      cwd: repositoryRoot,
      env: {
        ...process.env,
        ...crashReportEnvironment(),
        JUPYTER_PATH: [join(repositoryRoot, '.jupyter', 'share', 'jupyter'), process.env['JUPYTER_PATH']].filter(Boolean).join(':'),
        PATH: `${join(repositoryRoot, 'node_modules', '.bin')}:${process.env['PATH'] ?? ''}`,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.on('error', reject);
    child.on('close', (code) => {
      // The driver prints what it has even when it fails (a kernel that never became ready, a cell that
      // timed out): report its error then, rather than letting a test assert on missing output.
      if (code !== 0) {
        reject(new Error(`the kernel driver exited with ${code}:\n${stdout.slice(-2000)}\n${stderr.slice(-3000)}`));
        return;
      }
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as { cells: CellRun[]; late: LateOutput[] });
      } catch {
        reject(new Error(`the kernel driver exited with ${code} and printed no result:\n${stdout}\n${stderr}`));
      }
    });
  });
}

/** The number after `label` in a cell's stdout (e.g. `STEP 120`). */
export function printed(cell: CellRun | undefined, label: string): number {
  const match = new RegExp(`${label} (-?[\\d.]+)`).exec(cell?.stdout ?? '');
  if (!match) throw new Error(`no "${label} <number>" in the cell's output:\n${cell?.stdout}\n${cell?.stderr}`);
  return Number(match[1]);
}
