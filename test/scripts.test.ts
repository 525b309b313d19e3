// The book's commands fail clearly: a port in use, an unknown option, and a
// notebook cell that throws (named by notebook, cell index and error). And
// `npm start` keeps its token out of `ps` and leaves nothing running when it
// is signalled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jupyterPython, repositoryRoot } from './helpers/notebooks';
import { freePort } from './helpers/free-port';

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


function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolveAnswer) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolveAnswer(true);
    });
    socket.once('error', () => resolveAnswer(false));
  });
}

/** Every process below `pid`, with its command line, from `ps`. */
function processesBelow(pid: number): { pid: number; command: string }[] {
  const listing = spawnSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' }).stdout;
  const rows = listing.split('\n').map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line)).filter((m): m is RegExpExecArray => m !== null);
  const found: { pid: number; command: string }[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const row of rows) {
      if (Number(row[2]) === parent) {
        found.push({ pid: Number(row[1]), command: row[3] as string });
        queue.push(Number(row[1]));
      }
    }
  }
  return found;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs: number, log: () => string): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000} s. npm start's output:\n${log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// How a reader stops it: npm signalled by a process manager (SIGTERM), the
// terminal closed under npm (SIGHUP to npm alone: npm does not pass it on),
// Ctrl+C (SIGINT to the whole foreground process group), a SIGINT to npm alone
// (`kill -INT`, a supervisor: npm passes it to the script's shell, which kept it
// while the script ran on). Every time npm itself ends too.
const stopSignals = [['SIGTERM', 'npm'], ['SIGHUP', 'npm'], ['SIGINT', 'process group'], ['SIGINT', 'npm']] as const;
for (const [signal, target] of stopSignals) {
  test(`npm start stopped by ${signal} to ${target}: npm, Jupyter and its kernel end, the port is freed, the token was never in ps`, { timeout: 300_000 }, async () => {
    const port = await freePort();
    const npm = spawn('npm', ['start', '--', '--no-browser', '--port', String(port)], { cwd: repositoryRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    npm.stdout?.on('data', (chunk) => (output += String(chunk)));
    npm.stderr?.on('data', (chunk) => (output += String(chunk)));
    const log = () => output;
    let below: { pid: number; command: string }[] = [];
    try {
      const token = await waitFor('npm start did not print the URL of the book', () => new RegExp(`http://127\\.0\\.0\\.1:${port}/\\w+\\?token=([0-9a-f]+)`).exec(output)?.[1], 240_000, log);
      const status = await fetch(`http://127.0.0.1:${port}/api/status`, { headers: { Authorization: `token ${token}` } });
      assert.equal(status.status, 200, 'the printed token opens the server');
      const refused = await fetch(`http://127.0.0.1:${port}/api/kernels`);
      assert.equal(refused.ok, false, 'without the token the server refuses');
      const started = await fetch(`http://127.0.0.1:${port}/api/kernels`, { method: 'POST', headers: { Authorization: `token ${token}` }, body: JSON.stringify({ name: 'tslab' }) });
      assert.ok(started.ok, `a tslab kernel starts: ${started.status} ${await started.text()}`);
      below = await waitFor('the tslab kernel did not appear below npm start', () => {
        const all = processesBelow(npm.pid as number);
        return all.some((p) => /tslab kernel/.test(p.command)) ? all : null;
      }, 60_000, log);
      const everyCommandLine = spawnSync('ps', ['-A', '-o', 'args='], { encoding: 'utf8' }).stdout;
      assert.equal(everyCommandLine.includes(token), false, 'no command line (visible to every local user in ps) holds the token');
      process.kill(target === 'npm' ? (npm.pid as number) : -(npm.pid as number), signal);
      const all = [{ pid: npm.pid as number, command: 'npm start' }, ...below];
      await waitFor('npm or processes started by npm start are still running', () => all.every((p) => !isAlive(p.pid)), 40_000, () => `${log()}\nstill running:\n${all.filter((p) => isAlive(p.pid)).map((p) => `${p.pid} ${p.command}`).join('\n')}`);
      assert.equal(await portAnswers(port), false, `port ${port} is free again`);
    } finally {
      for (const p of [...below, { pid: npm.pid as number, command: 'npm' }]) {
        if (isAlive(p.pid)) process.kill(p.pid, 'SIGKILL');
      }
    }
  });
}

test('when pip cannot install JupyterLab, the setup says why, names the pip command to run by hand and falls back to the classic Notebook', { timeout: 300_000 }, () => {
  const venv = join(mkdtempSync(join(tmpdir(), 'dlkit-venv-')), 'venv');
  // pip with no configuration and an index nobody serves: what a machine without PyPI or a mirror sees.
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('PIP_') && value !== undefined) env[key] = value;
  Object.assign(env, { DLKIT_VENV: venv, PIP_CONFIG_FILE: '/dev/null', PIP_INDEX_URL: 'http://127.0.0.1:9/simple', PIP_RETRIES: '0', PIP_TIMEOUT: '5', DLKIT_JUPYTER_PYTHON: '' });
  env['PATH'] = (env['PATH'] ?? '').split(':').filter((dir) => !existsSync(join(dir, 'jupyter-lab'))).join(':');
  const setup = pathToFileURL(join(repositoryRoot, 'scripts', 'setup.mjs')).href;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(setup)}); console.log('RESULT ' + JSON.stringify(m.ensureJupyter()));`], { encoding: 'utf8', env, timeout: 240_000 });
  const output = run.stdout + run.stderr;
  rmSync(dirname(venv), { recursive: true, force: true });
  assert.match(output, /JupyterLab could not be installed: pip could not install JupyterLab/);
  assert.match(output, new RegExp(`To install it by hand, then run the command again: +${venv.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/bin/python -m pip install -r scripts/jupyter-requirements\\.txt`));
  assert.match(output, /Falling back to the classic Jupyter Notebook/);
  const classic = spawnSync('/usr/bin/python3', ['-c', 'import notebook, nbclient'], { stdio: 'ignore' }).status === 0;
  if (classic) assert.match(output, /RESULT \{"python":"[^"]+","app":"notebook","source":"classic"\}/);
  else assert.match(output, /Neither JupyterLab nor the classic Notebook could be installed/);
});

test('a build first deletes compiled files whose source is gone (a file that became a folder after a git pull)', () => {
  const top = mkdtempSync(join(tmpdir(), 'dlkit-stale-'));
  const write = (path: string): void => {
    mkdirSync(dirname(join(top, path)), { recursive: true });
    writeFileSync(join(top, path), '');
  };
  // models/transformer.ts became models/transformer/index.ts; dist still holds the old transformer.js.
  for (const path of ['src/a.ts', 'src/models/transformer/index.ts', 'dist/a.js', 'dist/a.d.ts', 'dist/a.js.map', 'dist/models/transformer/index.js', 'dist/models/transformer.js', 'dist/models/transformer.d.ts', 'dist/models/transformer.js.map', 'dist/models/transformer.d.ts.map', 'dist/notes.txt']) write(path);
  const setup = pathToFileURL(join(repositoryRoot, 'scripts', 'setup.mjs')).href;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(setup)}); console.log('REMOVED ' + m.removeStaleOutputs(${JSON.stringify(join(top, 'src'))}, ${JSON.stringify(join(top, 'dist'))}));`], { encoding: 'utf8' });
  const kept = ['dist/a.js', 'dist/a.d.ts', 'dist/a.js.map', 'dist/models/transformer/index.js', 'dist/notes.txt'].filter((path) => existsSync(join(top, path)));
  const stale = ['dist/models/transformer.js', 'dist/models/transformer.d.ts', 'dist/models/transformer.js.map', 'dist/models/transformer.d.ts.map'].filter((path) => existsSync(join(top, path)));
  rmSync(top, { recursive: true, force: true });
  assert.match(run.stdout, /REMOVED 4/, run.stderr);
  assert.equal(kept.length, 5, 'outputs with a source, and files tsc did not make, stay');
  assert.deepEqual(stale, [], 'outputs without a source are deleted');
});
