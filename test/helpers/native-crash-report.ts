// The crash reporter the tests preload into every kernel they start (see
// native-crash-report.c): a kernel that dies of a native fault or a heap
// corruption writes its native stack to stderr, so a rare crash in CI says
// where it happened. Built once per test process with the C compiler the
// native rung's build already needs; without one (or off Linux) the tests run
// without it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

let built: string | null | undefined;

/** The path of the built reporter, or null when it cannot be built here. */
function reporterLibrary(): string | null {
  if (built !== undefined) return built;
  built = null;
  if (process.platform !== 'linux') return built;
  const source = resolve(__dirname, '..', '..', 'helpers', 'native-crash-report.c');
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12);
  const directory = join(tmpdir(), 'dlkit-native-crash-report');
  const library = join(directory, `report-${hash}.so`);
  if (!existsSync(library)) {
    mkdirSync(directory, { recursive: true });
    // Built under a name of its own, then renamed: test files running at once never load half a file.
    const partial = `${library}.${process.pid}`;
    const compile = spawnSync('cc', ['-shared', '-fPIC', '-O1', '-o', partial, source], { encoding: 'utf8' });
    if (compile.status !== 0) return built;
    renameSync(partial, library);
  }
  built = library;
  return built;
}

/** Environment variables that preload the crash reporter into the processes (kernels) started with them. */
export function crashReportEnvironment(): Record<string, string> {
  const library = reporterLibrary();
  if (library === null) return {};
  const preload = process.env['LD_PRELOAD'];
  return { LD_PRELOAD: preload ? `${preload}:${library}` : library };
}

/** The crash reports (native stacks) in a process's output, for a failure message; '' when none. */
export function crashReports(output: string): string {
  const reports = output.match(/\[native crash report\][\s\S]*?\[native crash report\] end/g);
  return reports ? `\n${reports.join('\n')}` : '';
}
