// Shared by `npm start`, `npm test` and `npm run book`: everything a fresh
// clone needs before the book runs. Only Node built-ins: this file runs before
// node_modules exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const binDir = join(root, 'node_modules', '.bin');
const APT_PACKAGES = ['jupyter-notebook', 'python3-nbconvert', 'python3-nbclient'];

/** Prints a step of the setup. */
export function say(message) {
  console.log(`[book] ${message}`);
}

/** Stops with a message that says what to do. */
export function fail(message) {
  console.error(`\n[book] ${message}\n`);
  process.exit(1);
}

/** Runs a command, inheriting stdio; returns the exit status. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) return { status: 127, error: result.error };
  return { status: result.status ?? 1 };
}

function capture(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: root });
  return result.status === 0 ? result.stdout.trim() : null;
}

export function checkNode() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) fail(`Node ${process.versions.node} is too old: the book needs Node 20 or newer (https://nodejs.org, or your package manager).`);
}

/** `npm ci` when node_modules is missing or older than package-lock.json. */
export function ensureDependencies() {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.book-lock-hash');
  const hash = createHash('sha256').update(readFileSync(lock)).digest('hex');
  const current = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
  if (current === hash && existsSync(join(binDir, 'tslab'))) return;
  say(existsSync(join(root, 'node_modules')) ? 'package-lock.json changed: reinstalling (npm ci)' : 'installing npm dependencies (npm ci)');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const { status } = run(npm, ['ci', '--no-audit', '--no-fund']);
  if (status !== 0) fail('npm ci failed (see above). The book needs the npm registry at install time; behind a proxy set `npm config set proxy ...`.');
  writeFileSync(stamp, `${hash}\n`);
}

/**
 * Stops with dlkit's own message, and no stack trace, when DLKIT_BACKEND names
 * a backend that does not exist; otherwise every notebook or test would fail
 * on it, one stack trace each. Call it after dlkit is built.
 */
export function checkBackendVariable() {
  const value = process.env.DLKIT_BACKEND;
  if (value === undefined || value.trim() === '') return;
  const { parseBackendName } = createRequire(join(root, 'package.json'))('dlkit');
  try {
    parseBackendName(value);
  } catch (error) {
    fail(error.message);
  }
}

/** Compiles dlkit (and, with `tests`, the test files) with TypeScript project references. */
export function buildLibrary({ tests = false } = {}) {
  say(tests ? 'type-checking and building dlkit and the tests' : 'building dlkit');
  const { status } = run(join(binDir, 'tsc'), ['-b', tests ? '.' : 'lib']);
  if (status !== 0) fail('TypeScript reported errors (above); fix them and run the command again.');
}

function isDebianRoot() {
  return existsSync('/etc/debian_version') && typeof process.getuid === 'function' && process.getuid() === 0 && existsSync('/usr/bin/apt-get');
}

let aptUpdated = false;
/** Installs Debian packages when running as root on Debian/Ubuntu; returns false when it cannot. */
export function aptInstall(packages) {
  if (!isDebianRoot()) return false;
  if (!aptUpdated) {
    say('apt-get update');
    run('apt-get', ['update', '-qq']);
    aptUpdated = true;
  }
  say(`apt-get install ${packages.join(' ')}`);
  const { status } = run('apt-get', ['install', '-y', '-qq', ...packages], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return status === 0;
}

// Debian packages of the datasets the chapters read, each with one file it installs (chapter 7: Fashion-MNIST).
const DATASET_PACKAGES = [['dataset-fashion-mnist', '/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz']];

/** Installs the missing dataset packages when running as root on Debian/Ubuntu; otherwise says which are missing. */
export function ensureDatasets() {
  if (process.env.DLKIT_FASHION_MNIST) return;
  const missing = DATASET_PACKAGES.filter(([, file]) => !existsSync(file)).map(([name]) => name);
  if (missing.length === 0 || aptInstall(['--no-install-recommends', ...missing])) return;
  say(`datasets missing: chapter 7 needs Fashion-MNIST (Debian: apt-get install --no-install-recommends ${missing.join(' ')}; elsewhere see datasets/fashion-mnist/README.md)`);
}

function pythonHas(python, modules) {
  const script = modules.map((m) => `import ${m}`).join('; ');
  return spawnSync(python, ['-c', script], { stdio: 'ignore' }).status === 0;
}

function pythonCandidates() {
  const list = [];
  if (process.env.DLKIT_JUPYTER_PYTHON) list.push(process.env.DLKIT_JUPYTER_PYTHON);
  list.push('/usr/bin/python3');
  const onPath = capture('sh', ['-c', 'command -v python3']);
  if (onPath) list.push(onPath);
  return [...new Set(list)].filter((p) => existsSync(p));
}

/**
 * Finds a Python that runs Jupyter: JupyterLab when the user has it, else the
 * classic Notebook. `need` lists extra modules (nbclient for the tests).
 * Installs Debian's packages when it can; otherwise stops with the command.
 */
export function ensureJupyter({ need = [] } = {}) {
  const find = () => {
    for (const python of pythonCandidates()) {
      if (!pythonHas(python, need)) continue;
      if (pythonHas(python, ['jupyterlab'])) return { python, app: 'lab' };
      if (pythonHas(python, ['notebook'])) return { python, app: 'notebook' };
    }
    return null;
  };
  let found = find();
  if (!found) {
    say('Jupyter (with nbclient) was not found; installing it from Debian');
    if (aptInstall(APT_PACKAGES)) found = find();
  }
  if (!found) {
    fail(
      'Jupyter is not installed and could not be installed automatically.\n' +
        `  On Debian/Ubuntu, as root:  apt-get install ${APT_PACKAGES.join(' ')}\n` +
        '  Elsewhere:                  python3 -m pip install notebook nbclient nbconvert   (or jupyterlab)\n' +
        'Then run the command again. If Jupyter lives in another Python, set DLKIT_JUPYTER_PYTHON=/path/to/python.',
    );
  }
  return found;
}

/** Where this clone keeps its own kernel spec; the scripts put it first on JUPYTER_PATH. */
export const localJupyterData = join(root, '.jupyter', 'share', 'jupyter');

/**
 * Registers the tslab kernel for the Python that runs Jupyter, pointing at this
 * clone's tslab: once in this clone's own folder (which the book's scripts put
 * first on JUPYTER_PATH, so another clone's registration never interferes) and
 * once where Jupyter looks by default, so a Jupyter started by hand finds it too.
 */
export function registerKernel(python) {
  const tslab = join(binDir, 'tslab');
  for (const where of [[`--prefix=${join(root, '.jupyter')}`], []]) {
    const { status } = run(tslab, ['install', `--python=${python}`, `--binary=${tslab}`, ...where], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (status !== 0) fail(`Registering the tslab kernel with ${python} failed. Try: ${tslab} install --python=${python}`);
  }
  process.env.JUPYTER_PATH = [localJupyterData, process.env.JUPYTER_PATH].filter(Boolean).join(':');
}

/** True when `path` exists and is newer than every file in `sources`. */
export function newerThan(path, sources) {
  if (!existsSync(path)) return false;
  const time = statSync(path).mtimeMs;
  return sources.every((s) => !existsSync(s) || statSync(s).mtimeMs <= time);
}
