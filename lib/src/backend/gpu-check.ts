/**
 * Whether the GPU rung really computes on a GPU (chapter 0). tfjs-node-gpu loads anywhere and falls back to
 * the CPU without a usable GPU or CUDA 11.2/cuDNN 8.1; a child process (a loaded TensorFlow library stays
 * in the process) loads it and runs a matrix product and a convolution on the GPU. The child inherits the
 * environment, so the oneDNN settings `initBackend()` made hold there too.
 */
import { spawnSync } from 'node:child_process';

/** What the check of a GPU package found. */
export interface GpuCheck {
  /** True when TensorFlow placed tensors on a GPU and computed there correctly. */
  ok: boolean;
  /** 'ready on GPU <name>' or why the rung is not used. */
  detail: string;
}

/** Seconds the check may take: the first use of a GPU can compile CUDA kernels for a while. */
export const GPU_CHECK_TIMEOUT_SECONDS = 180;

const MARK = 'DLKIT_GPU_CHECK ';

// Runs in the child: node -e PROBE <package folder> <dlkit's @tensorflow/tfjs>. Prints one line MARK + JSON.
// Every copy of TensorFlow.js shares one engine (a global), so dlkit's sees the backend the package registers.
const PROBE = `
const folder = process.argv[1];
const say = (result) => process.stdout.write('\\n${MARK}' + JSON.stringify(result) + '\\n');
(async () => {
  const tf = require(process.argv[2]);
  try {
    require(folder);
  } catch (error) {
    return say({ loadError: String((error && error.message) || error).split('\\n')[0] });
  }
  const backend = tf.findBackend('tensorflow');
  if (!backend) return say({ registered: false });
  if (backend.isUsingGpuDevice !== true) return say({ registered: true, gpu: false });
  await tf.setBackend('tensorflow');
  const product = tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])).dataSync();
  const image = tf.conv2d(tf.ones([1, 8, 8, 2]), tf.ones([3, 3, 2, 4]), 1, 'same').dataSync();
  const right = product.every((v) => v === 64) && image[9 * 4] === 18;
  say({ registered: true, gpu: true, computed: right });
})().catch((error) => say({ error: String((error && error.message) || error).split('\\n')[0] }));
`;

const checked = new Map<string, GpuCheck>();

function dynamicLibrariesMissing(log: string): string[] {
  const names = [...log.matchAll(/Could not load dynamic library '([^']+)'/g)].map((m) => m[1] as string);
  return names.filter((name, i) => names.indexOf(name) === i);
}

/** Checks, once per process and folder, that tfjs-node-gpu in `packageFolder` computes on a GPU. */
export function checkGpuPackage(packageFolder: string): GpuCheck {
  const known = checked.get(packageFolder);
  if (known) return known;
  const run = spawnSync(process.execPath, ['-e', PROBE, packageFolder, require.resolve('@tensorflow/tfjs')], {
    encoding: 'utf8',
    timeout: GPU_CHECK_TIMEOUT_SECONDS * 1000,
    maxBuffer: 64 * 2 ** 20,
  });
  const log = `${run.stderr ?? ''}`;
  const line = `${run.stdout ?? ''}`.split('\n').reverse().find((l) => l.startsWith(MARK));
  const found = line ? (JSON.parse(line.slice(MARK.length)) as { loadError?: string; registered?: boolean; gpu?: boolean; computed?: boolean; error?: string }) : null;
  const cuda = 'tfjs-node-gpu 4.22 needs an NVIDIA GPU with CUDA 11.2 and cuDNN 8.1';
  let result: GpuCheck;
  if (found?.gpu && found.computed) {
    const device = /name: ([^,]+), pci bus id/.exec(log)?.[1];
    result = { ok: true, detail: `ready on GPU ${device ?? '0'}` };
  } else if (found?.gpu) {
    result = { ok: false, detail: 'TensorFlow found a GPU, but a matrix product and a convolution on it gave wrong values' };
  } else if (found?.loadError !== undefined) {
    result = { ok: false, detail: `@tensorflow/tfjs-node-gpu is installed but failed to load: ${found.loadError}` };
  } else if (found?.registered === false) {
    result = { ok: false, detail: 'the GPU build registered no backend' };
  } else if (found?.registered) {
    const missing = dynamicLibrariesMissing(log);
    const why = missing.length > 0
      ? `it could not load ${missing.join(', ')} (${cuda})`
      : `it found no GPU device (${cuda}; \`nvidia-smi\` lists the GPUs the driver sees)`;
    result = { ok: false, detail: `TensorFlow would compute on the CPU, not a GPU: ${why}` };
  } else if (found?.error) {
    const missing = dynamicLibrariesMissing(log);
    result = { ok: false, detail: `the first operations on the GPU failed: ${found.error}${missing.length > 0 ? ` (missing ${missing.join(', ')}; ${cuda})` : ''}` };
  } else if (run.error && (run.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
    result = { ok: false, detail: `checking the GPU took longer than ${GPU_CHECK_TIMEOUT_SECONDS} s (a GPU newer than TensorFlow 2.9 makes CUDA compile its kernels first; run again once they are cached)` };
  } else {
    const how = run.signal ? `was killed by ${run.signal}` : `exited with code ${run.status}`;
    const last = log.trim().split('\n').at(-1) ?? '';
    result = { ok: false, detail: `the process checking the GPU ${how}${last ? `: ${last.slice(0, 200)}` : ''}` };
  }
  checked.set(packageFolder, result);
  return result;
}
