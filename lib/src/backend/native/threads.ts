/**
 * Threads inside one TensorFlow operation on the native rung, chosen per kind
 * of work before TensorFlow starts (chapter 0).
 *
 * TensorFlow reads `TF_NUM_INTRAOP_THREADS` once, when its library starts;
 * its default is one thread per core. On 2 cores its pool competes with
 * Node's main thread, which runs TensorFlow.js between operations: training
 * made of many middle-sized operations (an MLP, LeNet, the ResNet) ran
 * 20-50% faster on one thread, while mini-BERT's large matrix products ran
 * 15-45% slower (bench/README.md). So dlkit asks for one thread for
 * 'throughput' and 'latency' work and leaves TensorFlow's default for
 * 'large-products' (chapter 6). A value in the reader's environment wins.
 */

/** Kinds of work that decide the thread count (the same names as `initBackend`'s `workload`). */
export type ThreadWorkload = 'throughput' | 'latency' | 'large-products';

/** What was decided about TensorFlow's intra-op threads before it started, and why (`initBackend` prints it). */
export interface NativeThreadSettings {
  /** The thread count in force, or null for TensorFlow's default (one per core). */
  intraOpThreads: number | null;
  /** Who chose it: dlkit for this workload, the reader's environment, or TensorFlow's default. */
  source: 'dlkit' | 'environment' | 'tensorflow';
  /** One sentence for the backend report. */
  note: string;
}

/**
 * The intra-op thread count for `workload` (chapter 0), as a plain decision:
 * the environment's `TF_NUM_INTRAOP_THREADS` when it holds a positive
 * integer; otherwise 1 for 'throughput' and 'latency' on a machine with more
 * than one core, TensorFlow's default for 'large-products' (and on one core,
 * where both are the same).
 */
export function chooseIntraOpThreads(workload: ThreadWorkload, env: NodeJS.ProcessEnv, cores: number): NativeThreadSettings {
  const given = (env['TF_NUM_INTRAOP_THREADS'] ?? '').trim();
  if (given !== '') {
    const value = Number(given);
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(
        `TF_NUM_INTRAOP_THREADS="${given}" is not a thread count. Unset it (dlkit chooses per workload) or set a whole number such as 1 or ${cores}.`,
      );
    }
    if (value > 0) return { intraOpThreads: value, source: 'environment', note: `${value} TensorFlow thread${value === 1 ? '' : 's'} per operation (set in the environment)` };
    return { intraOpThreads: null, source: 'environment', note: "TensorFlow's default threads per operation (TF_NUM_INTRAOP_THREADS=0)" };
  }
  if (workload === 'large-products' || cores <= 1) {
    const why = cores <= 1 ? 'one core' : 'large matrix products use every core';
    return { intraOpThreads: null, source: 'tensorflow', note: `TensorFlow's default of one thread per core per operation (${why})` };
  }
  return {
    intraOpThreads: 1,
    source: 'dlkit',
    note: `1 TensorFlow thread per operation for ${workload} work (faster here than one per core; set TF_NUM_INTRAOP_THREADS to choose)`,
  };
}

/**
 * Makes the choice of `chooseIntraOpThreads` in `env` (process.env by
 * default) before TensorFlow loads; returns it. Must run before the first
 * `require` of tfjs-node.
 */
export function applyNativeThreadSettings(workload: ThreadWorkload, env: NodeJS.ProcessEnv, cores: number): NativeThreadSettings {
  const settings = chooseIntraOpThreads(workload, env, cores);
  if (settings.source === 'dlkit' && settings.intraOpThreads !== null) env['TF_NUM_INTRAOP_THREADS'] = String(settings.intraOpThreads);
  return settings;
}
