/** Where the time goes (chapter 0): wall time per kernel, each wrapped in a timer (`tf.profile` syncs after every kernel on wasm). */
import { tf } from '../backend/tf';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';

/** Time spent in one kernel, for one input-shape signature. */
export interface KernelTime {
  kernel: string;
  /** Input shapes, e.g. `128x784, 784x256`. */
  shapes: string;
  calls: number;
  milliseconds: number;
}

export interface KernelProfile {
  backend: string;
  /** Wall time of the whole run. */
  totalMilliseconds: number;
  /** Time inside kernels; the rest is JavaScript around them (layers, tape, optimiser bookkeeping). */
  kernelMilliseconds: number;
  /** Kernels by decreasing time. */
  kernels: KernelTime[];
}

function describeShapes(inputs: Record<string, TensorInfo | undefined>): string {
  return Object.values(inputs)
    .map((info) => (info?.shape ? (info.shape.length ? info.shape.join('x') : 'scalar') : '-'))
    .join(', ');
}

/** Runs `run` with every kernel of the current backend timed; a kernel built from other kernels counts in both. */
export async function profileKernels(run: () => unknown | Promise<unknown>): Promise<KernelProfile> {
  const backend = tf.getBackend();
  const originals = tf.getKernelsForBackend(backend);
  const times = new Map<string, KernelTime>();
  let depth = 0;
  let kernelMilliseconds = 0;
  const wrap = (config: KernelConfig): KernelConfig => ({
    ...config,
    kernelFunc: (args) => {
      const start = performance.now();
      depth += 1;
      try {
        return config.kernelFunc(args);
      } finally {
        depth -= 1;
        const elapsed = performance.now() - start;
        if (depth === 0) kernelMilliseconds += elapsed;
        const shapes = describeShapes(args.inputs as Record<string, TensorInfo | undefined>);
        const key = `${config.kernelName}|${shapes}`;
        const entry = times.get(key) ?? { kernel: config.kernelName, shapes, calls: 0, milliseconds: 0 };
        entry.calls += 1;
        entry.milliseconds += elapsed;
        times.set(key, entry);
      }
    },
  });
  const swap = (configs: KernelConfig[]) => {
    for (const config of configs) {
      tf.unregisterKernel(config.kernelName, backend);
      tf.registerKernel(config);
    }
  };
  swap(originals.map(wrap));
  const start = performance.now();
  try {
    await run();
  } finally {
    swap(originals);
  }
  return {
    backend,
    totalMilliseconds: performance.now() - start,
    kernelMilliseconds,
    kernels: [...times.values()].sort((a, b) => b.milliseconds - a.milliseconds),
  };
}
