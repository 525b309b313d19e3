// @ts-check
// `npm run native`: builds the native TensorFlow rung (@tensorflow/tfjs-node)
// offline, from TensorFlow's Python wheel, into .native/ (git-ignored, outside
// node_modules, so `npm ci` never removes it). Only Node built-ins.
//
// Why not `npm install @tensorflow/tfjs-node`: its installer downloads
// TensorFlow's C library (2.9.1) from Google's storage, which fails offline,
// and danfojs-node's override maps the name @tensorflow/tfjs-node to
// @tensorflow/tfjs in the book's own tree, so it cannot be a dependency there.
// The pip wheel `tensorflow_cpu` carries the same C API (libtensorflow_cc.so.2,
// libtensorflow_framework.so.2 and the headers), so the addon is built against it.
//
// Steps: find TensorFlow (a wheel in .native/cache, an installed `tensorflow`
// Python package, or `pip download` into .native/cache); npm-install the
// package into .native/node_modules with --ignore-scripts and remove its own
// copy of TensorFlow.js, so it resolves the book's one copy; put the libraries
// (stripped) and headers into its deps/; build the addon with node-gyp; check
// that dlkit's initBackend({ backend: 'node' }) starts it.
// Then apply the book's reviewed patches to the package (NATIVE_PATCHES, in
// patches/: Node 23+ removed util functions tfjs-node 4.22 calls) and record
// their hash in .native/build.json; a build whose recorded hash differs (made
// before a patch changed) is rebuilt, and dlkit's ladder refuses it meanwhile.
// Options: --force (rebuild even when the addon loads), --wheel FILE.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkNode, ensureDependencies, buildLibrary, fail, root, say } from './setup.mjs';

const TENSORFLOW_VERSION = '2.21.0';
const TFJS_NODE_VERSION = '4.22.0';
const nativeFolder = join(root, '.native');
const cacheFolder = join(nativeFolder, 'cache');
const packageFolder = join(nativeFolder, 'node_modules', '@tensorflow', 'tfjs-node');
const stampFile = join(nativeFolder, 'build.json');
/** Reviewed patches applied to @tensorflow/tfjs-node after npm installs it (each file says why). */
const NATIVE_PATCHES = ['native-tfjs-node-4.22.0.diff'];
const started = Date.now();
const argv = process.argv.slice(2);
const option = (/** @type {string} */ name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

/** @param {string} command */
function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * @param {string} command
 * @param {string[]} args
 * @param {string} what
 * @param {import('node:child_process').SpawnSyncOptions} [options]
 */
function runOrFail(command, args, what, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.status !== 0) fail(`${what} failed (${result.error?.message ?? `exit status ${result.status}`}, see above).`);
}

/** @returns {string | null} */
function python() {
  for (const candidate of [process.env.DLKIT_PYTHON, 'python3', 'python']) if (candidate && has(candidate)) return candidate;
  return null;
}

/**
 * @param {string} path
 * @returns {number}
 */
function folderBytes(path) {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.size;
  return readdirSync(path, { withFileTypes: true }).reduce((sum, entry) => sum + (entry.isSymbolicLink() ? 0 : folderBytes(join(path, entry.name))), 0);
}

/** Loads the built addon in a fresh Node through dlkit's ladder; returns the TensorFlow version or null. */
function verify({ quiet = false } = {}) {
  const script = `
    const dlkit = require('dlkit');
    dlkit.initBackend({ backend: 'node', quiet: true }).then(() => {
      const { tf } = dlkit;
      const a = tf.tensor2d([[1, 2], [3, 4]]);
      const product = tf.matMul(a, a).arraySync();
      if (JSON.stringify(product) !== '[[7,10],[15,22]]') throw new Error('wrong matMul: ' + JSON.stringify(product));
      console.log(JSON.stringify({ backend: tf.getBackend(), tensorflow: tf.backend().binding.TF_Version }));
    }).catch((e) => { console.error(e.message); process.exit(1); });`;
  const result = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, DLKIT_BACKEND: '' } });
  if (result.status !== 0) {
    if (!quiet) console.error(result.stderr.trim());
    return null;
  }
  const line = result.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line).tensorflow;
}

/** SHA-256 of the patches, in order: lib/src/backend/select.ts compares it with build.json's `patches`. */
function patchesHash() {
  const hash = createHash('sha256');
  for (const file of NATIVE_PATCHES) hash.update(`${file}\n`).update(readFileSync(join(root, 'patches', file)));
  return hash.digest('hex');
}

/** Applies NATIVE_PATCHES to the freshly installed package with patch-package's own applier (all or nothing). */
function applyPatches() {
  const require = createRequire(import.meta.url);
  const { parsePatchFile } = require('patch-package/dist/patch/parse');
  const { executeEffects } = require('patch-package/dist/patch/apply');
  for (const file of NATIVE_PATCHES) {
    const effects = parsePatchFile(readFileSync(join(root, 'patches', file), 'utf8'));
    try {
      executeEffects(effects, { dryRun: true, cwd: packageFolder, bestEffort: false });
    } catch (error) {
      fail(`patches/${file} does not apply to @tensorflow/tfjs-node ${TFJS_NODE_VERSION} (${String(error instanceof Error ? error.message : error).split('\n')[0]}).`);
    }
    executeEffects(effects, { dryRun: false, cwd: packageFolder, bestEffort: false });
    say(`applied patches/${file}`);
  }
}

function stampPatches() {
  try {
    return JSON.parse(readFileSync(stampFile, 'utf8')).patches ?? null;
  } catch {
    return null;
  }
}

checkNode();
if (!argv.includes('--force') && existsSync(stampFile) && stampPatches() !== patchesHash()) {
  say('.native/ was built before the current patches in patches/ (Node 23+ compatibility): rebuilding');
} else if (!argv.includes('--force') && existsSync(stampFile)) {
  ensureDependencies();
  buildLibrary();
  const version = verify({ quiet: true });
  if (version) {
    say(`the native rung is already built (TensorFlow ${version} in .native/); \`npm run native -- --force\` rebuilds it`);
    process.exit(0);
  }
  say('.native/ exists but its addon does not load: rebuilding');
}

// 1. The tools the build needs.
const missing = ['g++', 'make'].filter((tool) => !has(tool));
const py = python() ?? '';
if (!py) missing.push('python3');
if (missing.length > 0) {
  fail(
    `Building the native rung needs ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not installed.\n` +
      '  Debian/Ubuntu (as root): apt-get install --no-install-recommends g++ make python3 python3-pip\n' +
      '  macOS: xcode-select --install\n' +
      'The book works without it (on the wasm backend); the native rung only makes training faster.',
  );
}
ensureDependencies();
buildLibrary();

// 2. TensorFlow's C library: a wheel we have, an installed TensorFlow, or one pip downloads.
function findWheel() {
  const given = option('--wheel') ?? process.env.DLKIT_TENSORFLOW_WHEEL;
  if (given) {
    if (!existsSync(given)) fail(`The TensorFlow wheel ${given} does not exist.`);
    return given;
  }
  if (!existsSync(cacheFolder)) return null;
  const wheel = readdirSync(cacheFolder).find((f) => f.startsWith(`tensorflow_cpu-${TENSORFLOW_VERSION}-`) && f.endsWith('.whl'));
  return wheel ? join(cacheFolder, wheel) : null;
}

function installedTensorflow() {
  // Finds the package without importing it (an import takes seconds and prints warnings).
  const code =
    'import importlib.util, importlib.metadata, os\n' +
    'spec = importlib.util.find_spec("tensorflow")\n' +
    'folder = os.path.dirname(spec.origin) if spec and spec.origin else ""\n' +
    'version = ""\n' +
    'for name in ("tensorflow", "tensorflow-cpu", "tensorflow_cpu"):\n' +
    '    try: version = importlib.metadata.version(name); break\n' +
    '    except Exception: pass\n' +
    'print(folder); print(version)';
  const result = spawnSync(py, ['-c', code], { encoding: 'utf8' });
  if (result.status !== 0) return null;
  const [folder, version] = result.stdout.trim().split('\n');
  if (!folder || !existsSync(join(folder, 'libtensorflow_cc.so.2')) || !existsSync(join(folder, 'include', 'tensorflow', 'c', 'c_api.h'))) return null;
  return { folder, version };
}

/** @type {{ wheel?: string, folder?: string, version: string, label: string } | null} */
let source = null;
const wheel = findWheel();
if (wheel) source = { wheel, version: /tensorflow_cpu-([^-]+)-/.exec(wheel)?.[1] ?? 'unknown', label: `the wheel ${wheel}` };
if (!source) {
  const installed = installedTensorflow();
  if (installed) source = { folder: installed.folder, version: installed.version, label: `the installed TensorFlow ${installed.version} (${installed.folder})` };
}
if (!source) {
  if (spawnSync(py, ['-m', 'pip', '--version'], { stdio: 'ignore' }).status !== 0) {
    fail(
      `No TensorFlow wheel in .native/cache, no installed \`tensorflow\` Python package, and ${py} has no pip to fetch one.\n` +
        '  Debian/Ubuntu: apt-get install --no-install-recommends python3-pip   (or python3 -m ensurepip)\n' +
        `  Or download tensorflow_cpu-${TENSORFLOW_VERSION}-*.whl yourself and run: npm run native -- --wheel FILE`,
    );
  }
  mkdirSync(cacheFolder, { recursive: true });
  say(`downloading the TensorFlow ${TENSORFLOW_VERSION} wheel with pip (about 270 MB, kept in .native/cache)`);
  const result = spawnSync(py, ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', `tensorflow_cpu==${TENSORFLOW_VERSION}`, '-d', cacheFolder], { stdio: 'inherit' });
  const fetched = findWheel();
  if (result.status !== 0 || !fetched) {
    fail(
      `pip could not download tensorflow_cpu==${TENSORFLOW_VERSION} (see above). It needs PyPI or a pip index with that wheel\n` +
        '(Linux x86-64, CPython 3.10-3.13). Alternatives: `pip install tensorflow` into the Python on your PATH, or\n' +
        'download the wheel elsewhere and run: npm run native -- --wheel FILE',
    );
  }
  source = { wheel: fetched, version: TENSORFLOW_VERSION, label: `the wheel ${fetched}` };
}
say(`using ${source.label}`);

// 3. The npm package, without its installer (it would download TensorFlow 2.9.1) and without its own TensorFlow.js.
mkdirSync(nativeFolder, { recursive: true });
writeFileSync(
  join(nativeFolder, 'package.json'),
  `${JSON.stringify({ name: 'dlkit-native-rung', private: true, description: 'Built by `npm run native`; see scripts/native.mjs', dependencies: { '@tensorflow/tfjs-node': TFJS_NODE_VERSION } }, null, 2)}\n`,
);
say(`npm install @tensorflow/tfjs-node@${TFJS_NODE_VERSION} into .native/ (scripts off)`);
rmSync(packageFolder, { recursive: true, force: true });
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
runOrFail(npm, ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock'], 'npm install in .native/', { cwd: nativeFolder });
// Its dependency @tensorflow/tfjs (and tfjs-core, layers, ...) would be a second TensorFlow.js with its own engine:
// remove them, so that Node resolves them from the book's node_modules, one folder up.
const scope = join(nativeFolder, 'node_modules', '@tensorflow');
for (const name of readdirSync(scope)) if (name !== 'tfjs-node') rmSync(join(scope, name), { recursive: true, force: true });
rmSync(join(packageFolder, 'node_modules', '@tensorflow'), { recursive: true, force: true });
const resolvedCore = spawnSync(process.execPath, ['-p', "require.resolve('@tensorflow/tfjs-core')"], { cwd: packageFolder, encoding: 'utf8' }).stdout.trim();
if (!resolvedCore.startsWith(join(root, 'node_modules'))) fail(`@tensorflow/tfjs-node would load ${resolvedCore}, not the book's TensorFlow.js.`);
applyPatches();

// 4. TensorFlow's libraries and C headers into the package's deps/, under the names its build expects.
const deps = join(packageFolder, 'deps');
rmSync(deps, { recursive: true, force: true });
mkdirSync(join(deps, 'lib'), { recursive: true });
say('unpacking libtensorflow_cc.so.2, libtensorflow_framework.so.2 and the C headers');
const unpack = `
import os, shutil, sys, zipfile
source, deps, kind = sys.argv[1], sys.argv[2], sys.argv[3]
headers = ("tensorflow/c/", "tensorflow/core/platform/", "tsl/", "xla/tsl/c/")
def destination(name):
    if name in ("libtensorflow_cc.so.2", "libtensorflow_framework.so.2"):
        return os.path.join(deps, "lib", name)
    if name.startswith("include/") and name[len("include/"):].startswith(headers):
        return os.path.join(deps, name)
    return None
count = 0
if kind == "wheel":
    with zipfile.ZipFile(source) as wheel:
        for info in wheel.infolist():
            if not info.filename.startswith("tensorflow/") or info.is_dir():
                continue
            target = destination(info.filename[len("tensorflow/"):])
            if target:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with wheel.open(info) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
                count += 1
else:
    for folder, _, files in os.walk(source):
        for f in files:
            relative = os.path.relpath(os.path.join(folder, f), source).replace(os.sep, "/")
            target = destination(relative)
            if target:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copyfile(os.path.join(folder, f), target)
                count += 1
print(count)
`;
runOrFail(py, ['-c', unpack, source.wheel ?? source.folder ?? '', deps, source.wheel ? 'wheel' : 'folder'], 'unpacking TensorFlow');
for (const file of ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2', join('..', 'include', 'tensorflow', 'c', 'c_api.h')]) {
  if (!existsSync(join(deps, 'lib', file))) fail(`${source.label} has no ${file.replace('../', '')}: it is not a TensorFlow 2.x build with the C API.`);
}
if (has('strip')) {
  say('strip --strip-unneeded (about 850 MB to 630 MB)');
  runOrFail('strip', ['--strip-unneeded', 'libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'], 'strip', { cwd: join(deps, 'lib') });
} else say('no `strip` on this machine: the libraries stay at their full size (about 850 MB)');
// tfjs-node 4.22 links -ltensorflow (TensorFlow 2.9.1's libtensorflow.so); 2.21's C API lives in libtensorflow_cc.
for (const [link, target] of [
  ['libtensorflow.so', 'libtensorflow_cc.so.2'],
  ['libtensorflow.so.2.9.1', 'libtensorflow_cc.so.2'],
  ['libtensorflow_framework.so', 'libtensorflow_framework.so.2'],
  ['libtensorflow_framework.so.2.9.1', 'libtensorflow_framework.so.2'],
]) symlinkSync(target, join(deps, 'lib', link));

// 5. The addon, compiled against those headers (node-gyp; the Node headers of this Node when they are installed).
say('compiling the tfjs-node addon (node-gyp, about a minute)');
rmSync(join(packageFolder, 'lib'), { recursive: true, force: true });
rmSync(join(packageFolder, 'build'), { recursive: true, force: true });
const nodeHeaders = join(dirname(dirname(process.execPath)), 'include', 'node', 'node_api.h');
const npmGyp = join(dirname(dirname(process.execPath)), 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin');
const env = {
  ...process.env,
  PATH: [join(nativeFolder, 'node_modules', '.bin'), join(root, 'node_modules', '.bin'), npmGyp, process.env.PATH].join(':'),
  ...(existsSync(nodeHeaders) ? { npm_config_nodedir: dirname(dirname(dirname(nodeHeaders))) } : {}),
  JOBS: process.env.JOBS ?? '2',
};
const preGyp = join(nativeFolder, 'node_modules', '.bin', 'node-pre-gyp');
runOrFail(preGyp, ['install', '--build-from-source'], 'building the tfjs-node addon (g++ and node-gyp)', { cwd: packageFolder, env });
rmSync(join(packageFolder, 'build'), { recursive: true, force: true }); // object files, not needed at run time
rmSync(stampFile, { force: true }); // a stamp of an older build must not vouch for this one before verify()

// 6. Does dlkit's ladder start it?
const version = verify();
if (!version) fail('The addon was built but dlkit could not start the native backend with it (see above).');
const seconds = ((Date.now() - started) / 1000).toFixed(0);
const megabytes = Math.round(folderBytes(nativeFolder) / 2 ** 20);
writeFileSync(stampFile, `${JSON.stringify({ tensorflow: version, tfjsNode: TFJS_NODE_VERSION, patches: patchesHash(), source: source.label, seconds: Number(seconds), megabytes, date: new Date().toISOString() }, null, 2)}\n`);
say(`native rung ready: @tensorflow/tfjs-node ${TFJS_NODE_VERSION} on TensorFlow ${version}, built in ${seconds} s, .native/ holds ${megabytes} MB`);
say('initBackend() now picks it first; DLKIT_BACKEND=wasm or cpu still chooses another backend');
