// @ts-check
// `npm start`: install what is missing (the npm packages, and once the
// project's own .venv/ with JupyterLab), build dlkit, register the tslab
// kernel inside this clone and open the book in JupyterLab (the classic
// Notebook only when JupyterLab cannot be installed), bound to 127.0.0.1 with a
// token. The token reaches Jupyter through its environment (JUPYTER_TOKEN),
// never its command line, which every local user can read in `ps`.
// On SIGINT, SIGTERM or SIGHUP, and when the process that started it (npm)
// goes away, it stops Jupyter and the kernels Jupyter started, then exits.
// package.json runs it as `exec node scripts/start.mjs`: npm passes SIGINT and
// SIGTERM on to the shell that runs a script, and a shell waiting for a command
// keeps a SIGINT to itself, so without `exec` a SIGINT to npm alone stopped nothing.
// Options: --no-browser, --port N.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { binDir, buildLibrary, checkBackendVariable, checkNode, ensureDatasets, ensureDependencies, ensureJupyter, fail, registerKernel, root, say } from './setup.mjs';

/** @param {string[]} argv */
function parseArguments(argv) {
  const options = { browser: true, port: 8888, portGiven: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-browser') options.browser = false;
    else if (arg === '--port' || arg.startsWith('--port=')) {
      const value = arg.includes('=') ? arg.split('=')[1] : argv[++i];
      const port = Number(value);
      if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`--port needs a number from 1 to 65535, got "${value}".`);
      options.port = port;
      options.portGiven = true;
    } else if (arg === '--help' || arg === '-h') {
      console.log('usage: npm start [-- --no-browser] [-- --port 8888]');
      process.exit(0);
    } else fail(`Unknown option "${arg}". Use --no-browser and/or --port N (after "--": npm start -- --no-browser).`);
  }
  return options;
}

/**
 * @param {number} port
 * @returns {Promise<boolean>}
 */
function portIsFree(port) {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once('error', () => resolvePort(false));
    server.once('listening', () => server.close(() => resolvePort(true)));
    server.listen(port, '127.0.0.1');
  });
}

/**
 * True when this Python's JupyterLab has plotly's renderer (the `plotly` package installs it).
 * @param {string} python
 */
function hasPlotlyRenderer(python) {
  const probe = spawnSync(python, ['-c', 'import sys, os, plotly; print(sys.prefix)'], { encoding: 'utf8' });
  if (probe.status !== 0) return false;
  return existsSync(join(probe.stdout.trim(), 'share', 'jupyter', 'labextensions', 'jupyterlab-plotly', 'package.json'));
}

/**
 * Every process below `pid` (children, their children, ...), from `ps`.
 * @param {number} pid
 * @returns {number[]}
 */
function descendants(pid) {
  const listing = spawnSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  if (listing.status !== 0) return [];
  const children = new Map();
  for (const line of listing.stdout.split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (!child) continue;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(child);
  }
  const found = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** @param {number} pid */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const options = parseArguments(process.argv.slice(2));
checkNode();
ensureDependencies();
buildLibrary();
checkBackendVariable();
if (!existsSync(join(root, '.native', 'build.json'))) say('tip: `npm run native` builds the native TensorFlow backend from its pip wheel (faster training; README, "Backends and speed")');
const { python, app } = ensureJupyter();
registerKernel(python);
ensureDatasets();
if (!(await portIsFree(options.port))) {
  fail(
    `Port ${options.port} on 127.0.0.1 is already in use (another Jupyter, perhaps: \`jupyter server list\`).\n` +
      `Stop it, or pick another port: npm start -- --port ${options.port + 1}`,
  );
}
const token = randomBytes(24).toString('hex');
const server = app === 'lab' ? 'ServerApp' : 'NotebookApp';
const args = [
  '-m', app === 'lab' ? 'jupyterlab' : 'notebook',
  `--notebook-dir=${join(root, 'notebooks')}`,
  `--${server}.ip=127.0.0.1`,
  `--${server}.port=${options.port}`,
  '--port-retries=0',
];
if (!options.browser) args.push('--no-browser');
if (process.getuid?.() === 0) args.push('--allow-root');
/** @type {NodeJS.ProcessEnv} */
const env = { ...process.env, JUPYTER_TOKEN: token, PATH: `${binDir}:${process.env.PATH ?? ''}` };
// Figures go to JupyterLab as plotly data (drawn by its plotly renderer), so a
// saved notebook does not carry plotly.js; elsewhere dlkit sends plotly.js once.
if (app === 'lab' && hasPlotlyRenderer(python)) env.DLKIT_PLOTLY = 'mime';
else delete env.DLKIT_PLOTLY;
const url = `http://127.0.0.1:${options.port}/${app === 'lab' ? 'lab' : 'tree'}?token=${token}`;
say(`starting ${app === 'lab' ? 'JupyterLab' : 'the classic Jupyter Notebook'} with ${python}`);
// Its own process group: Ctrl+C reaches this script only, which then stops
// Jupyter without its interactive "Shut down this server?" question.
const child = spawn(python, args, { cwd: join(root, 'notebooks'), stdio: ['ignore', 'inherit', 'pipe'], env, detached: true });
let announced = false;
child.stderr.on('data', (chunk) => {
  process.stderr.write(chunk);
  if (!announced && /is running at|Serving notebooks|Jupyter Server .* is running|http:\/\/127\.0\.0\.1/.test(String(chunk))) {
    announced = true;
    console.log(`\n[book] The book is open at:\n\n    ${url}\n\n[book] Start with 00_setup.ipynb. Stop with Ctrl+C.\n`);
  }
});
child.on('error', (error) => fail(`Could not start Jupyter with ${python}: ${error.message}`));

let stopping = false;
/**
 * Stops Jupyter (SIGTERM: it shuts its kernels down), waits up to 15 s, then
 * ends whatever it started that is still running, and exits.
 * @param {string} reason
 * @param {number} exitCode
 */
async function stop(reason, exitCode) {
  if (stopping) return;
  stopping = true;
  const pid = child.pid;
  if (pid === undefined) process.exit(exitCode); // Jupyter never started
  say(`${reason}: stopping Jupyter and its kernels`);
  const started = descendants(pid);
  if (child.exitCode === null) {
    try {
      child.kill('SIGTERM');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && (child.exitCode === null && child.signalCode === null)) await new Promise((r) => setTimeout(r, 100));
  const left = [pid, ...started, ...descendants(pid)].filter((each, i, all) => all.indexOf(each) === i && alive(each));
  for (const signal of ['SIGTERM', 'SIGKILL']) {
    // Jupyter's process group (it was started detached) catches what it started and
    // that left it (reparented, so no longer below it); then each process found below it.
    for (const target of [-pid, ...left]) {
      try {
        process.kill(target, signal);
      } catch {
        // already gone
      }
    }
    const until = Date.now() + 3000;
    while (Date.now() < until && left.some(alive)) await new Promise((r) => setTimeout(r, 100));
    if (!left.some(alive)) break;
  }
  process.exit(exitCode);
}
const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
for (const [signal, code] of Object.entries(codes)) process.on(signal, () => void stop(`received ${signal}`, code));
// When npm (or whatever started this script) dies without passing a signal on
// (SIGHUP, SIGKILL), stop too instead of leaving Jupyter holding the port.
// When a shell stands between npm and this script (`npm start` run without the
// `exec` of package.json), npm's death leaves that shell alive: then watch the
// grandparent too.
/**
 * @param {string} field
 * @param {number} pid
 */
function ps(field, pid) {
  const result = spawnSync('ps', ['-o', `${field}=`, '-p', String(pid)], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : '';
}
const parent = process.ppid;
const parentIsShell = parent > 1 && /^(\S*\/)?(sh|dash|bash|zsh|ksh)\s+-c\s/.test(ps('args', parent));
const grandparent = parentIsShell ? Number(ps('ppid', parent)) || 0 : 0;
setInterval(() => {
  if (process.ppid !== parent) void stop(`the process that started this script (pid ${parent}) is gone`, 129);
  else if (grandparent > 1 && !alive(grandparent)) void stop(`the process that started npm start (pid ${grandparent}) is gone`, 129);
}, 500).unref();
child.on('exit', (code, signal) => {
  if (!stopping) {
    // Jupyter ended by itself (File > Shut Down, say): clean up after it too.
    void stop(`Jupyter exited (${signal ?? `code ${code}`})`, code ?? 1);
  }
});
