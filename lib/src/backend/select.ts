/**
 * The backend ladder (chapter 0): pick the fastest TensorFlow.js backend this
 * machine can run, or the one `DLKIT_BACKEND` names.
 *
 * Order for training (`workload: 'throughput'`, the default): native
 * TensorFlow with CUDA (`@tensorflow/tfjs-node-gpu`, installed by hand, and
 * only where its TensorFlow really computes on a GPU: `gpu-check.ts`), native TensorFlow on
 * the CPU (`@tensorflow/tfjs-node`), WebAssembly (`@tensorflow/tfjs-backend-wasm`,
 * with the book's own training kernels added), then the pure-JavaScript `cpu`
 * backend. For work made of many tiny operations one after another
 * (`workload: 'latency'`: a DQN choosing one action per environment step),
 * WebAssembly comes first: every operation on the native rung crosses into
 * TensorFlow's runtime, which costs more than a small network's arithmetic
 * (`bench/README.md` has the measurements).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { availableParallelism } from 'node:os';
import { tf } from './tf';
import { listenForInterruptsInKernel } from '../notebook/interrupt';
import { registerWasmTrainingKernels } from './wasm/register';
import { registerNativeKernels } from './native/register';
import { applyNativeCpuSettings, type NativeCpuSettings } from './native/cpu-settings';
import { checkGpuPackage } from './gpu-check';

/** The names `DLKIT_BACKEND` and `initBackend({ backend })` accept. */
export const BACKEND_NAMES = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
/** One rung of the backend ladder (chapter 0). */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** One rung of the ladder: whether it could be used, and why not. */
export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  detail: string;
}

/** What `initBackend` chose and why. */
export interface BackendReport {
  /** The rung that is now active. */
  name: BackendName;
  /** TensorFlow.js' own name for it (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string;
  /** Why this rung: every rung tried before it and why it did not start. */
  reason: string;
  /** The reason in a few words, as `initBackend` prints it (chapter 0). */
  summary: string;
  /** Every rung that was tried, in order. */
  attempts: BackendAttempt[];
  /** On the native rungs: the oneDNN settings made before TensorFlow loaded (`native/cpu-settings.ts`). */
  nativeCpu?: NativeCpuSettings;
}

const NPM_PACKAGE: Record<BackendName, string | null> = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: null,
};

/**
 * What a chapter mostly does, which decides the order of the ladder (chapter 0):
 * 'throughput' for training on batches (the fastest arithmetic wins), 'latency'
 * for many tiny operations one after another (the lowest cost per operation wins).
 */
export type Workload = 'throughput' | 'latency';

/** The order in which `initBackend` tries the rungs, per workload (chapter 0). */
export const BACKEND_LADDERS: Record<Workload, readonly BackendName[]> = {
  throughput: BACKEND_NAMES,
  latency: ['wasm', 'node', 'node-gpu', 'cpu'],
};

let lastReport: BackendReport | null = null;
/** Made once, before the first load of TensorFlow's library in this process. */
let nativeCpu: NativeCpuSettings | null = null;

/** Throws a clear error for a backend name the ladder does not know. */
export function parseBackendName(value: string): BackendName {
  const name = value.trim().toLowerCase();
  if ((BACKEND_NAMES as readonly string[]).includes(name)) return name as BackendName;
  throw new Error(
    `Unknown backend "${value}". Use one of: ${BACKEND_NAMES.join(', ')} ` +
      `(set DLKIT_BACKEND to one of them, or unset it to let dlkit choose).`,
  );
}

/**
 * Where `npm run native` builds @tensorflow/tfjs-node (chapter 0): `.native/node_modules` of the book's clone,
 * outside node_modules so that `npm ci` keeps it (`DLKIT_NATIVE_DIR` names another folder).
 */
export function nativeModulesFolder(): string {
  return process.env['DLKIT_NATIVE_DIR'] || path.resolve(__dirname, '..', '..', '..', '.native', 'node_modules');
}

/**
 * Threads TensorFlow's native CPU rung uses inside one operation (chapter 0):
 * `TF_NUM_INTRAOP_THREADS` when it is set (TensorFlow reads it when it
 * starts), else TensorFlow's default, one per core. Which is faster depends on
 * the work: on the 2-core machine of `bench/README.md`, one thread trained the
 * MLP at 16,400-17,700 samples/s against 12,100-12,800 with two, the ResNet at
 * 1,146 against 776 and LeNet at 4,143 against 3,447 (Node's main thread,
 * which runs TensorFlow.js between operations, competes with TensorFlow's
 * pool), but mini-BERT's pre-training at 5,300-8,200 tokens/s against
 * 9,500-9,700 with two. So the default stays TensorFlow's; set the variable
 * before starting Node (or a notebook's kernel) to choose.
 */
export function nativeThreadCount(): number {
  const set = Number(process.env['TF_NUM_INTRAOP_THREADS']);
  return Number.isInteger(set) && set > 0 ? set : availableParallelism();
}

/**
 * Node 23 removed `util.isNullOrUndefined` and `util.isArray`, which tfjs-node 4.22 calls in every kernel that
 * builds a type attribute (tensorflow/tfjs#8609). `npm run native` patches them out
 * (`patches/native-tfjs-node-4.22.0.diff`); a build made before that patch would load and then fail at the first
 * operation, so on such a Node it is refused here, with the command that rebuilds it.
 */
function staleNativeBuild(packageFolder: string): string | null {
  const nodeUtil = require('node:util') as Record<string, unknown>;
  if (typeof nodeUtil['isNullOrUndefined'] === 'function') return null;
  let source: string;
  try {
    source = fs.readFileSync(path.join(packageFolder, 'dist', 'nodejs_kernel_backend.js'), 'utf8');
  } catch {
    return null;
  }
  return source.includes('util_1.isNullOrUndefined')
    ? `the native build at ${packageFolder} predates the book's Node ${process.versions.node.split('.')[0]} fix ` +
        '(it calls util.isNullOrUndefined, which Node 23 removed): run `npm run native` to rebuild it'
    : null;
}

/**
 * Loads a native tfjs-node package if it is installed (or built by `npm run native`), really is the native one
 * and passes `check` (given the package's folder, it returns why not to load it, or null).
 */
function loadNative(pkg: string, check?: (folder: string) => string | null): string | null {
  const places = [undefined, ...(pkg === NPM_PACKAGE.node ? [[nativeModulesFolder()]] : [])];
  const howTo = pkg === NPM_PACKAGE.node
    ? "npm run native builds it offline from TensorFlow's pip wheel"
    : `with an NVIDIA GPU, CUDA 11.2 and cuDNN 8.1: npm install --no-save ${pkg}@4.22.0; README, "Backends and speed"`;
  let problem = `${pkg} is not installed (${howTo})`;
  for (const paths of places) {
    let resolved: string;
    try {
      resolved = require.resolve(`${pkg}/package.json`, paths ? { paths } : undefined);
    } catch {
      continue;
    }
    const manifest = require(resolved) as { name?: string };
    if (manifest.name !== pkg) {
      problem = `${pkg} resolves to ${manifest.name ?? 'another package'}, not the native build (${howTo})`;
      continue;
    }
    const stale = staleNativeBuild(path.dirname(resolved));
    if (stale) return stale;
    try {
      nativeCpu ??= applyNativeCpuSettings();
      const refused = check?.(path.dirname(resolved));
      if (refused) return refused;
      require(path.dirname(resolved));
      return null;
    } catch (error) {
      return `${pkg} is installed but failed to load: ${(error as Error).message.split('\n')[0]}`;
    }
  }
  return problem;
}

async function tryRung(name: BackendName): Promise<string | null> {
  if (name === 'node' || name === 'node-gpu') {
    const onGpu = (folder: string) => {
      const gpu = checkGpuPackage(folder);
      return gpu.ok ? null : gpu.detail;
    };
    const problem = loadNative(NPM_PACKAGE[name] as string, name === 'node-gpu' ? onGpu : undefined);
    if (problem) return problem;
    if (name === 'node-gpu' && !tf.engine().registryFactory['tensorflow']) return 'the GPU build registered no backend';
    if (name === 'node') registerNativeKernels();
    return (await tf.setBackend('tensorflow')) ? null : 'tf.setBackend("tensorflow") failed';
  }
  if (name === 'wasm') {
    try {
      require('@tensorflow/tfjs-backend-wasm');
    } catch (error) {
      return `@tensorflow/tfjs-backend-wasm failed to load: ${(error as Error).message}`;
    }
    registerWasmTrainingKernels();
    return (await tf.setBackend('wasm')) ? null : 'tf.setBackend("wasm") failed to initialise WebAssembly';
  }
  return (await tf.setBackend('cpu')) ? null : 'tf.setBackend("cpu") failed';
}

/**
 * Chooses and activates a backend (chapter 0). With no argument it reads
 * `DLKIT_BACKEND`; when that is unset it walks the ladder of `workload`
 * (`BACKEND_LADDERS`; training order by default) from the fastest rung down.
 * A forced backend that cannot start is an error, not a silent fallback. Set
 * `quiet` to skip the one-line report. Inside a notebook kernel it also starts
 * listening for the stop button (`listenForInterruptsInKernel`).
 */
export async function initBackend(options: { backend?: string; quiet?: boolean; workload?: Workload } = {}): Promise<BackendReport> {
  listenForInterruptsInKernel();
  const workload = options.workload ?? 'throughput';
  if (!Object.prototype.hasOwnProperty.call(BACKEND_LADDERS, workload)) {
    throw new Error(`initBackend: unknown workload "${String(workload)}". Use 'throughput' (training on batches, the default) or 'latency' (many tiny operations, such as a DQN acting).`);
  }
  const requested = options.backend ?? process.env['DLKIT_BACKEND'];
  const forced = requested !== undefined && requested.trim() !== '' ? parseBackendName(requested) : null;
  const ladder: BackendName[] = forced ? [forced] : [...BACKEND_LADDERS[workload]];
  const attempts: BackendAttempt[] = [];
  for (const name of ladder) {
    const problem = await tryRung(name);
    attempts.push({ name, ok: problem === null, detail: problem ?? 'ready' });
    if (problem === null) {
      await tf.ready();
      const skipped = attempts.filter((a) => !a.ok).map((a) => `${a.name}: ${a.detail}`);
      const fastest = workload === 'latency' ? 'the fastest for many tiny operations' : 'the fastest';
      const reason = forced
        ? `DLKIT_BACKEND=${forced} asked for it`
        : skipped.length === 0
          ? `it is ${fastest} available`
          : `it is ${fastest} that works here (${skipped.join('; ')})`;
      const failed = attempts.filter((a) => !a.ok).map((a) => a.name);
      const summary = forced
        ? 'set by DLKIT_BACKEND'
        : failed.length === 0
          ? fastest
          : `${failed.join(' and ')} did not start; backendReport().reason says why`;
      const native = (name === 'node' || name === 'node-gpu') && nativeCpu ? nativeCpu : undefined;
      lastReport = { name, tfBackend: tf.getBackend(), reason, summary, attempts, ...(native ? { nativeCpu: native } : {}) };
      if (!options.quiet) console.log(`dlkit backend: ${name} (${summary})${native ? `; ${native.note}` : ''}`);
      return lastReport;
    }
  }
  const why = attempts.map((a) => `${a.name}: ${a.detail}`).join('; ');
  throw new Error(
    forced
      ? `DLKIT_BACKEND=${forced} cannot start: ${why}. Unset DLKIT_BACKEND to let dlkit choose, or install the package it needs.`
      : `No TensorFlow.js backend could start: ${why}.`,
  );
}

/** The report of the last `initBackend` call, or null before the first. */
export function backendReport(): BackendReport | null {
  return lastReport;
}
