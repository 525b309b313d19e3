// The GPU rung tells the truth: `initBackend()` chooses @tensorflow/tfjs-node-gpu
// only where its TensorFlow computes on a GPU. A stand-in package (found through
// NODE_PATH, as Node finds any package) plays tfjs-node-gpu with and without a GPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, nativeModulesFolder } from 'dlkit';
import { repositoryRoot } from './helpers/notebooks';

function realGpuPackageInstalled(): boolean {
  try {
    return (require('@tensorflow/tfjs-node-gpu/package.json') as { name: string }).name === '@tensorflow/tfjs-node-gpu';
  } catch {
    return false;
  }
}
const skip = realGpuPackageInstalled() ? 'the real @tensorflow/tfjs-node-gpu is installed; the stand-in would not be found' : false;

// What TensorFlow 2.9 prints where CUDA 11.2 is missing, and where it found a GPU.
const STAND_IN = `
const tf = require('@tensorflow/tfjs');
const { MathBackendCPU } = require('@tensorflow/tfjs-backend-cpu');
const gpu = process.env.STAND_IN_HAS_GPU === '1';
process.stderr.write(gpu
  ? "I gpu_device.cc:1532] Created device /job:localhost/replica:0/task:0/device:GPU:0 with 14000 MB memory:  -> device: 0, name: Stand-in T4, pci bus id: 0000:00:04.0, compute capability: 7.5\\n"
  : "W dso_loader.cc:64] Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared object file: No such file or directory\\n");
globalThis.standInLoads = (globalThis.standInLoads || 0) + 1;
for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: 'tensorflow' });
tf.registerBackend('tensorflow', () => Object.assign(new MathBackendCPU(), { isUsingGpuDevice: gpu, isGPUPackage: true }), 3);
`;

const REPORT = `
const { initBackend, tf } = require('dlkit');
initBackend({ quiet: true }).then((report) => {
  const product = tf.matMul(tf.ones([2, 2]), tf.ones([2, 2])).dataSync()[0];
  console.log('REPORT ' + JSON.stringify({ ...report, product, standInLoads: globalThis.standInLoads || 0 }));
}, (error) => console.log('REPORT ' + JSON.stringify({ error: error.message })));
`;

interface ChildReport {
  name?: string;
  tfBackend?: string;
  attempts?: { name: string; ok: boolean; detail: string }[];
  product?: number;
  standInLoads?: number;
  error?: string;
}

/** The stand-in package, written into `packageFolder`. */
function writeStandIn(packageFolder: string): void {
  writeFileSync(join(packageFolder, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node-gpu', version: '4.22.0', main: 'index.js' }));
  writeFileSync(join(packageFolder, 'index.js'), STAND_IN);
}

/** initBackend() in a fresh Node process that finds a tfjs-node-gpu made by `make` (the stand-in by default). */
function backendWithStandIn(hasGpu: boolean, forced = '', make: (packageFolder: string) => void = writeStandIn): ChildReport {
  const folder = mkdtempSync(join(tmpdir(), 'dlkit-gpu-'));
  try {
    const packageFolder = join(folder, 'node_modules', '@tensorflow', 'tfjs-node-gpu');
    mkdirSync(packageFolder, { recursive: true });
    make(packageFolder);
    const run = spawnSync(process.execPath, ['-e', REPORT], {
      cwd: repositoryRoot,
      encoding: 'utf8',
      timeout: 240_000,
      env: {
        ...process.env,
        NODE_PATH: [join(folder, 'node_modules'), join(repositoryRoot, 'node_modules')].join(':'),
        STAND_IN_HAS_GPU: hasGpu ? '1' : '0',
        DLKIT_BACKEND: forced,
      },
    });
    const line = run.stdout.split('\n').find((l) => l.startsWith('REPORT '));
    assert.ok(line, `the child printed no report (status ${run.status}):\n${run.stdout}\n${run.stderr.slice(-3000)}`);
    return JSON.parse(line.slice('REPORT '.length)) as ChildReport;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

test('without @tensorflow/tfjs-node-gpu the ladder says how to install it and goes on', { skip }, async () => {
  const report = await initBackend({ backend: '', quiet: true });
  const gpu = report.attempts[0];
  assert.equal(gpu?.name, 'node-gpu');
  assert.equal(gpu?.ok, false);
  assert.match(gpu?.detail ?? '', /@tensorflow\/tfjs-node-gpu is not installed \(with an NVIDIA GPU, CUDA 11\.2 and cuDNN 8\.1: npm install --no-save @tensorflow\/tfjs-node-gpu@4\.22\.0/);
  assert.notEqual(report.name, 'node-gpu');
});

test('a tfjs-node-gpu that loads but finds no GPU is not chosen: the ladder says why and goes on to the next rung', { skip, timeout: 300_000 }, () => {
  const report = backendWithStandIn(false);
  assert.equal(report.error, undefined);
  assert.notEqual(report.name, 'node-gpu', `the stand-in without a GPU was chosen: ${JSON.stringify(report.attempts)}`);
  assert.deepEqual(report.attempts?.[0], {
    name: 'node-gpu',
    ok: false,
    detail: 'TensorFlow would compute on the CPU, not a GPU: it could not load libcudart.so.11.0 (tfjs-node-gpu 4.22 needs an NVIDIA GPU with CUDA 11.2 and cuDNN 8.1)',
  });
  assert.equal(report.attempts?.[1]?.name, 'node', 'the native CPU rung is tried next');
  assert.equal(report.standInLoads, 0, 'the GPU package was only loaded by the check, in its own process');
  assert.equal(report.product, 2, 'the rung chosen instead computes');
  const forced = backendWithStandIn(false, 'node-gpu');
  assert.match(forced.error ?? '', /^DLKIT_BACKEND=node-gpu cannot start: node-gpu: TensorFlow would compute on the CPU, not a GPU: it could not load libcudart\.so\.11\.0/);
});

test('a tfjs-node-gpu whose TensorFlow computes on a GPU is chosen first', { skip, timeout: 300_000 }, () => {
  const report = backendWithStandIn(true);
  assert.equal(report.error, undefined);
  assert.equal(report.name, 'node-gpu', JSON.stringify(report.attempts));
  assert.equal(report.tfBackend, 'tensorflow');
  assert.deepEqual(report.attempts?.map((a) => a.name), ['node-gpu']);
  assert.equal(report.standInLoads, 1);
  assert.equal(report.product, 2);
});

const nativeRung = join(nativeModulesFolder(), '@tensorflow', 'tfjs-node');
const noNative = existsSync(join(nativeRung, 'package.json')) ? false : 'the native rung is not built (npm run native)';

test('a real TensorFlow binding under the GPU package\'s name, with no GPU device, is refused', { skip: skip || noNative, timeout: 300_000 }, () => {
  // The native CPU rung's tfjs-node, renamed: the same binding code as tfjs-node-gpu's, and a TensorFlow
  // that finds no GPU, as tfjs-node-gpu's does without CUDA 11.2.
  const renamed = (packageFolder: string) => {
    const source = realpathSync(nativeRung);
    for (const entry of readdirSync(source)) {
      if (entry !== 'package.json') symlinkSync(join(source, entry), join(packageFolder, entry));
    }
    const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(packageFolder, 'package.json'), JSON.stringify({ ...manifest, name: '@tensorflow/tfjs-node-gpu' }));
  };
  const report = backendWithStandIn(false, '', renamed);
  assert.equal(report.error, undefined);
  assert.match(report.attempts?.[0]?.detail ?? '', /^TensorFlow would compute on the CPU, not a GPU: it found no GPU device/);
  assert.equal(report.name, 'node', JSON.stringify(report.attempts));
  assert.equal(report.product, 2);
});
