// @ts-check
// Shared by `npm start`, `npm test` and `npm run book`: everything a fresh
// clone needs before the book runs. Only Node built-ins: this file runs before
// node_modules exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const binDir = join(root, 'node_modules', '.bin');

/**
 * Prints a step of the setup.
 * @param {string} message
 */
export function say(message) {
  console.log(`[book] ${message}`);
}

/**
 * Stops with a message that says what to do.
 * @param {string} message
 * @returns {never}
 */
export function fail(message) {
  console.error(`\n[book] ${message}\n`);
  process.exit(1);
}

/**
 * Runs a command, inheriting stdio; returns the exit status.
 * @param {string} command
 * @param {string[]} args
 * @param {import('node:child_process').SpawnSyncOptions} [options]
 * @returns {{ status: number, error?: Error }}
 */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) return { status: 127, error: result.error };
  return { status: result.status ?? 1 };
}

/**
 * @param {string} command
 * @param {string[]} args
 * @returns {string | null}
 */
function capture(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: root });
  return result.status === 0 ? result.stdout.trim() : null;
}

/** The Node.js majors CI tests: 20 in the main pass (npm test), the ones scripts/node-matrix.json pins in the compatibility pass. */
export function testedNodeMajors() {
  /** @type {{ versions: string[] }} */
  const manifest = JSON.parse(readFileSync(join(root, 'scripts', 'node-matrix.json'), 'utf8'));
  return [20, ...manifest.versions.map((version) => Number(version.split('.')[0]))];
}

export function checkNode() {
  const major = Number(process.versions.node.split('.')[0]);
  const tested = testedNodeMajors();
  if (major < tested[0]) fail(`Node ${process.versions.node} is too old: the book needs Node ${tested[0]} or newer, and is tested on Node ${tested.join(', ')} (https://nodejs.org, or your package manager).`);
  if (!tested.includes(major)) say(`Node ${process.versions.node}: the book is tested on Node ${tested.join(', ')}; this major is not among them (it will probably work; if not, use one of those).`);
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
    fail(error instanceof Error ? error.message : String(error));
  }
}

/**
 * Deletes compiled files whose source is gone from `dist` folders (tsc never does). After a `git pull` that
 * turned `models/transformer.ts` into a folder, Node would otherwise keep loading the old
 * `dist/models/transformer.js` instead of `dist/models/transformer/index.js`.
 * @param {string} sourceDir
 * @param {string} outDir
 * @returns {number} the number of files deleted
 */
export function removeStaleOutputs(sourceDir, outDir) {
  if (!existsSync(outDir)) return 0;
  let removed = 0;
  for (const entry of readdirSync(outDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const output = join(entry.parentPath ?? entry.path, entry.name);
    const match = /^(.*?)(\.d\.ts\.map|\.d\.ts|\.js\.map|\.js)$/.exec(relative(outDir, output));
    if (!match) continue;
    const stem = join(sourceDir, match[1] ?? '');
    if (existsSync(`${stem}.ts`) || existsSync(`${stem}.mts`) || existsSync(`${stem}.js`)) continue;
    rmSync(output);
    removed += 1;
  }
  return removed;
}

/** Compiles dlkit (and, with `tests`, the test files) with TypeScript project references. */
export function buildLibrary({ tests = false } = {}) {
  say(tests ? 'type-checking and building dlkit and the tests' : 'building dlkit');
  for (const [source, out] of [['lib/src', 'lib/dist'], ['gym/src', 'gym/dist'], ['test', 'test/dist'], ['gym/test', 'gym/test/dist']]) {
    removeStaleOutputs(join(root, source), join(root, out));
  }
  const { status } = run(join(binDir, 'tsc'), ['-b', tests ? '.' : 'lib']);
  if (status !== 0) fail('TypeScript reported errors (above); fix them and run the command again.');
}

/**
 * The start of a command-line script that runs dlkit (`npm run bench`, `npm run pretrain`): refuses an
 * option it does not know, checks Node, installs and builds dlkit unless `--prepared`, checks
 * DLKIT_BACKEND, and loads dlkit. `flags` take no value, `valued` take the next argument.
 * @param {string} script
 * @param {{ flags: string[], valued: string[] }} options
 * @returns {{ flag: (name: string) => boolean, option: (name: string) => string | undefined, dlkit: typeof import('dlkit') }}
 */
export function startCommandLine(script, { flags, valued }) {
  const argv = process.argv.slice(2);
  const known = [...flags, '--prepared', ...valued];
  for (let i = 0; i < argv.length; i++) {
    const argument = /** @type {string} */ (argv[i]);
    if (valued.includes(argument)) {
      if (argv[i + 1] === undefined || argv[i + 1]?.startsWith('--')) fail(`${script}: ${argument} needs a value.`);
      i++;
    } else if (!known.includes(argument)) fail(`${script}: unknown option ${argument}; the options are ${known.join(', ')}.`);
  }
  const flag = (/** @type {string} */ name) => argv.includes(name);
  const option = (/** @type {string} */ name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  checkNode();
  if (!flag('--prepared')) {
    ensureDependencies();
    buildLibrary();
  }
  checkBackendVariable();
  return { flag, option, dlkit: createRequire(join(root, 'package.json'))('dlkit') };
}

function isDebianRoot() {
  return existsSync('/etc/debian_version') && typeof process.getuid === 'function' && process.getuid() === 0 && existsSync('/usr/bin/apt-get');
}

let aptUpdated = false;
/**
 * Installs Debian packages when running as root on Debian/Ubuntu; returns false when it cannot.
 * @param {string[]} packages
 */
export function aptInstall(packages) {
  if (!isDebianRoot()) return false;
  if (!aptUpdated) {
    say('apt-get update');
    run('apt-get', ['update', '-qq']);
    aptUpdated = true;
  }
  say(`apt-get install --no-install-recommends ${packages.join(' ')}`);
  const { status } = run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
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

/**
 * @param {string} python
 * @param {string[]} modules
 */
function pythonHas(python, modules) {
  const script = modules.map((m) => `import ${m}`).join('; ') || 'pass';
  return spawnSync(python, ['-c', script], { stdio: 'ignore' }).status === 0;
}

/** The project's own Python environment, made by `npm start` for JupyterLab (git-ignored; DLKIT_VENV moves it). */
export const venvDir = process.env.DLKIT_VENV ? resolve(process.env.DLKIT_VENV) : join(root, '.venv');
export const venvPython = process.platform === 'win32' ? join(venvDir, 'Scripts', 'python.exe') : join(venvDir, 'bin', 'python');
/** The pinned Python packages of the book (JupyterLab, nbclient, nbconvert, plotly's renderer). */
export const requirementsFile = join(root, 'scripts', 'jupyter-requirements.txt');
const venvStamp = join(venvDir, '.book-requirements-hash');
const CLASSIC_APT_PACKAGES = ['jupyter-notebook', 'python3-nbconvert', 'python3-nbclient'];

function requirementsHash() {
  return createHash('sha256').update(readFileSync(requirementsFile)).digest('hex');
}

/** True when .venv/ holds everything scripts/jupyter-requirements.txt asks for. */
function venvReady() {
  return existsSync(venvPython) && existsSync(venvStamp) && readFileSync(venvStamp, 'utf8').trim() === requirementsHash();
}

/** A system Python to make the venv with. */
function basePython() {
  const candidates = ['/usr/bin/python3', capture('sh', ['-c', 'command -v python3']), capture('sh', ['-c', 'command -v python'])];
  return candidates.find((p) => p && existsSync(p)) ?? null;
}

/**
 * Creates .venv/ (once) and installs the pinned packages with its pip, through
 * the user's own pip configuration. Returns null when it worked, else why not.
 */
function makeVenv() {
  if (venvReady()) return null;
  const venvShown = relative(root, venvDir).startsWith('..') ? venvDir : relative(root, venvDir);
  const pipCommand = `${join(venvShown, 'bin', 'python')} -m pip install -r scripts/jupyter-requirements.txt`;
  const handCommand = `${basePython() ?? 'python3'} -m venv ${venvShown} && ${pipCommand}`;
  if (!existsSync(venvPython)) {
    const python = basePython();
    if (!python) return { reason: 'no python3 was found on this machine', handCommand };
    say(`creating the book's Python environment .venv/ with ${python} (once)`);
    let made = run(python, ['-m', 'venv', venvDir]).status === 0;
    if (!made && aptInstall(['python3-venv'])) made = run(python, ['-m', 'venv', '--clear', venvDir]).status === 0;
    if (!made || !existsSync(venvPython)) {
      return { reason: `\`${python} -m venv ${venvShown}\` failed (Debian/Ubuntu: apt-get install python3-venv)`, handCommand };
    }
  }
  const wanted = readFileSync(requirementsFile, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  say(`installing ${wanted.join(', ')} into .venv/ with pip (once: about a minute from a nearby index, longer from PyPI)`);
  say('pip uses your pip configuration (`pip config list` shows the index or mirror)');
  const started = Date.now();
  // One retry, not pip's five with back-off: with an unreachable index among
  // several (PyPI offline, a mirror configured), five cost minutes. PIP_RETRIES wins.
  const retries = process.env.PIP_RETRIES ? [] : ['--retries', '1'];
  const { status } = run(venvPython, ['-m', 'pip', 'install', '--disable-pip-version-check', ...retries, '-r', requirementsFile]);
  if (status !== 0) {
    return { reason: `pip could not install JupyterLab (exit ${status}; its messages are above)`, handCommand: pipCommand };
  }
  writeFileSync(venvStamp, `${requirementsHash()}\n`);
  say(`JupyterLab installed in .venv/ (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  return null;
}

/** The Python behind a `jupyter-lab` on PATH (read from the script's first line), or null. */
function jupyterLabOnPath() {
  const script = capture('sh', ['-c', 'command -v jupyter-lab']);
  if (!script || script.startsWith(venvDir)) return null;
  let python = null;
  try {
    const first = readFileSync(script, 'utf8').split('\n', 1)[0];
    const match = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(first);
    if (match) python = match[1].endsWith('/env') ? capture('sh', ['-c', `command -v ${match[2]}`]) : match[1];
  } catch {
    return null;
  }
  return python && existsSync(python) && pythonHas(python, ['jupyterlab']) ? python : null;
}

/**
 * A system Python with the classic Notebook (and the modules in `need`), or null.
 * @param {string[]} [need]
 */
export function findClassic(need = []) {
  const candidates = ['/usr/bin/python3', capture('sh', ['-c', 'command -v python3'])].filter(/** @returns {p is string} */ (p) => p !== null && existsSync(p));
  return [...new Set(candidates)].find((python) => pythonHas(python, ['notebook', ...need])) ?? null;
}

/**
 * Finds the Python that runs Jupyter (chapter 0's setup), in this order:
 * DLKIT_JUPYTER_PYTHON; the project's .venv/ once made; a JupyterLab already on
 * PATH (used as is); a new .venv/ with the pinned JupyterLab; and only when pip
 * cannot install it, the classic Notebook (Debian's packages), saying why.
 * `need` lists modules the caller needs besides Jupyter (nbclient for the tests).
 * Returns `{ python, app: 'lab' | 'notebook', source }`.
 * @param {{ need?: string[] }} [options]
 */
export function ensureJupyter({ need = [] } = {}) {
  const chosen = process.env.DLKIT_JUPYTER_PYTHON;
  if (chosen) {
    if (!existsSync(chosen)) fail(`DLKIT_JUPYTER_PYTHON=${chosen} does not exist. Unset it to let the book make its own .venv/, or point it at a Python with JupyterLab.`);
    const app = pythonHas(chosen, ['jupyterlab']) ? 'lab' : pythonHas(chosen, ['notebook']) ? 'notebook' : null;
    if (!app) fail(`DLKIT_JUPYTER_PYTHON=${chosen} has neither JupyterLab nor Notebook: ${chosen} -m pip install -r scripts/jupyter-requirements.txt`);
    if (!pythonHas(chosen, need)) fail(`DLKIT_JUPYTER_PYTHON=${chosen} lacks ${need.join(', ')}: ${chosen} -m pip install -r scripts/jupyter-requirements.txt`);
    return { python: chosen, app, source: 'DLKIT_JUPYTER_PYTHON' };
  }
  if (venvReady()) return { python: venvPython, app: 'lab', source: 'venv' };
  const yours = jupyterLabOnPath();
  if (yours && pythonHas(yours, need)) {
    say(`using the JupyterLab already on PATH (${yours})`);
    return { python: yours, app: 'lab', source: 'path' };
  }
  const problem = makeVenv();
  if (!problem) return { python: venvPython, app: 'lab', source: 'venv' };
  say(`JupyterLab could not be installed: ${problem.reason}.`);
  say(`To install it by hand, then run the command again:  ${problem.handCommand}`);
  say('Falling back to the classic Jupyter Notebook for now.');
  let classic = findClassic(need);
  if (!classic && aptInstall(CLASSIC_APT_PACKAGES)) classic = findClassic(need);
  if (!classic) {
    fail(
      'Neither JupyterLab nor the classic Notebook could be installed.\n' +
        `  JupyterLab (recommended):   ${problem.handCommand}\n` +
        '                              (a pip mirror: pip config set global.index-url https://your.mirror/simple)\n' +
        `  Classic Notebook (Debian):  apt-get install --no-install-recommends ${CLASSIC_APT_PACKAGES.join(' ')}\n` +
        'Then run the command again. If Jupyter lives in another Python, set DLKIT_JUPYTER_PYTHON=/path/to/python.',
    );
  }
  return { python: classic, app: 'notebook', source: 'classic' };
}

/** Where this clone keeps its own kernel spec; the scripts put it first on JUPYTER_PATH. */
export const localJupyterData = join(root, '.jupyter', 'share', 'jupyter');

/**
 * Registers the tslab kernel for the Python that runs Jupyter, pointing at this
 * clone's tslab, inside this clone only: in `.jupyter/` (which the book's
 * scripts put first on JUPYTER_PATH, so another clone never interferes) and,
 * for the project's .venv/, in the venv itself (so `.venv/bin/jupyter lab`
 * started by hand finds it too). Nothing is written to the user's global
 * Jupyter folders: deleting this clone leaves every other clone working.
 * @param {string} python
 */
export function registerKernel(python) {
  const tslab = join(binDir, 'tslab');
  const places = [[`--prefix=${join(root, '.jupyter')}`]];
  if (python === venvPython) places.push(['--sys-prefix']);
  for (const where of places) {
    const { status } = run(tslab, ['install', `--python=${python}`, `--binary=${tslab}`, ...where], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (status !== 0) fail(`Registering the tslab kernel with ${python} failed. Try: ${tslab} install --python=${python} --binary=${tslab} --prefix=${join(root, '.jupyter')}`);
  }
  const path = (process.env.JUPYTER_PATH ?? '').split(':').filter((p) => p && p !== localJupyterData);
  process.env.JUPYTER_PATH = [localJupyterData, ...path].join(':');
}

/**
 * True when `path` exists and is newer than every file in `sources`.
 * @param {string} path
 * @param {string[]} sources
 */
export function newerThan(path, sources) {
  if (!existsSync(path)) return false;
  const time = statSync(path).mtimeMs;
  return sources.every((s) => !existsSync(s) || statSync(s).mtimeMs <= time);
}
