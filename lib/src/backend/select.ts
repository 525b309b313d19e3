/**
 * The backend ladder (chapter 0): the fastest TensorFlow.js backend this machine runs, or the one
 * `DLKIT_BACKEND` names: native GPU (only where it really computes on a GPU), native CPU, wasm with the
 * book's training kernels, cpu. For many tiny operations ('latency') wasm comes first (bench/README.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { availableParallelism } from 'node:os';
import { tf } from './tf';
import { listenForInterruptsInKernel } from '../notebook/interrupt';
import { registerWasmTrainingKernels } from './wasm/register';
import { registerNativeKernels } from './native/register';
import { applyNativeCpuSettings, type NativeCpuSettings } from './native/cpu-settings';
import { applyNativeThreadSettings, type NativeThreadSettings } from './native/threads';
import { checkGpuPackage } from './gpu-check';

/** The names `DLKIT_BACKEND` and `initBackend({ backend })` accept. */
export const BACKEND_NAMES = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
/** One rung of the backend ladder. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** One rung of the ladder: whether it could be used, and why not. */
export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  detail: string;
}

/** What `initBackend` chose and why. */
export interface BackendReport {
  name: BackendName;
  /** TensorFlow.js' own name for it (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string;
  /** Why this rung: every rung tried before it and why it did not start. */
  reason: string;
  /** The reason in a few words, as `initBackend` prints it. */
  summary: string;
  attempts: BackendAttempt[];
  /** On the native rungs: the oneDNN settings made before TensorFlow loaded (`native/cpu-settings.ts`). */
  nativeCpu?: NativeCpuSettings;
  /** On the native rungs: TensorFlow's threads per operation, chosen for the workload before it started (`native/threads.ts`). */
  nativeThreads?: NativeThreadSettings;
}

const NPM_PACKAGE: Record<BackendName, string | null> = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: null,
};

/**
 * What a chapter mostly does; it orders the ladder and sets the native threads per operation: 'throughput' (training on
 * batches), 'latency' (many tiny operations), 'large-products' (chapter 6's Transformer: every core per operation).
 */
export type Workload = 'throughput' | 'latency' | 'large-products';

/** The order in which `initBackend` tries the rungs, per workload. */
export const BACKEND_LADDERS: Record<Workload, readonly BackendName[]> = {
  throughput: BACKEND_NAMES,
  latency: ['wasm', 'node', 'node-gpu', 'cpu'],
  'large-products': BACKEND_NAMES,
};

let lastReport: BackendReport | null = null;
/** Made once, before TensorFlow's library first loads in this process. */
let nativeCpu: NativeCpuSettings | null = null;
/** Chosen once, for the workload of the first `initBackend` that loads TensorFlow in this process. */
let nativeThreads: NativeThreadSettings | null = null;

/** Throws a clear error for a backend name the ladder does not know. */
export function parseBackendName(value: string): BackendName {
  const name = value.trim().toLowerCase();
  if ((BACKEND_NAMES as readonly string[]).includes(name)) return name as BackendName;
  throw new Error(
    `Unknown backend "${value}". Use one of: ${BACKEND_NAMES.join(', ')} ` +
      `(set DLKIT_BACKEND to one of them, or unset it to let dlkit choose).`,
  );
}

/** Where `npm run native` builds tfjs-node: `.native/node_modules` (which `npm ci` keeps), or `DLKIT_NATIVE_DIR`. */
export function nativeModulesFolder(): string {
  return process.env['DLKIT_NATIVE_DIR'] || path.resolve(__dirname, '..', '..', '..', '.native', 'node_modules');
}

/** Threads per operation on the native CPU rung: `TF_NUM_INTRAOP_THREADS` (`initBackend` sets it), else one a core. */
export function nativeThreadCount(): number {
  const set = Number(process.env['TF_NUM_INTRAOP_THREADS']);
  return Number.isInteger(set) && set > 0 ? set : availableParallelism();
}

/** tfjs-node 4.22 calls `util.isNullOrUndefined`, gone in Node 23 (tfjs#8609); `npm run native` patches it out. */
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

/** Loads a native tfjs-node package if installed, really native and passing `check` (which returns why not, or null). */
function loadNative(pkg: string, workload: Workload, check?: (folder: string) => string | null): string | null {
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
      nativeThreads ??= applyNativeThreadSettings(workload, process.env, availableParallelism());
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

async function tryRung(name: BackendName, workload: Workload): Promise<string | null> {
  if (name === 'node' || name === 'node-gpu') {
    const onGpu = (folder: string) => {
      const gpu = checkGpuPackage(folder);
      return gpu.ok ? null : gpu.detail;
    };
    const problem = loadNative(NPM_PACKAGE[name] as string, workload, name === 'node-gpu' ? onGpu : undefined);
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
 * Chooses and activates a backend: `backend`, else `DLKIT_BACKEND`, else the first rung of `workload`'s ladder that
 * starts (a forced backend that cannot start is an error). In a notebook kernel it also listens for the stop button.
 */
export async function initBackend(options: { backend?: string; quiet?: boolean; workload?: Workload } = {}): Promise<BackendReport> {
  listenForInterruptsInKernel();
  const workload = options.workload ?? 'throughput';
  if (!Object.prototype.hasOwnProperty.call(BACKEND_LADDERS, workload)) {
    throw new Error(
      `initBackend: unknown workload "${String(workload)}". Use 'throughput' (training on batches, the default), 'latency' (many tiny operations, ` +
        "such as a DQN acting) or 'large-products' (training made of large matrix products, such as a Transformer).",
    );
  }
  const requested = options.backend ?? process.env['DLKIT_BACKEND'];
  const forced = requested !== undefined && requested.trim() !== '' ? parseBackendName(requested) : null;
  const ladder: BackendName[] = forced ? [forced] : [...BACKEND_LADDERS[workload]];
  const attempts: BackendAttempt[] = [];
  for (const name of ladder) {
    const problem = await tryRung(name, workload);
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
      const onNative = name === 'node' || name === 'node-gpu';
      const native = onNative && nativeCpu ? nativeCpu : undefined;
      const threads = onNative && nativeThreads ? nativeThreads : undefined;
      lastReport = { name, tfBackend: tf.getBackend(), reason, summary, attempts, ...(native ? { nativeCpu: native } : {}), ...(threads ? { nativeThreads: threads } : {}) };
      if (!options.quiet) console.log(`dlkit backend: ${name} (${summary})${native ? `; ${native.note}` : ''}${threads ? `; ${threads.note}` : ''}`);
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
