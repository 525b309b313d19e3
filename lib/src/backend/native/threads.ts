/**
 * TensorFlow's threads inside one operation on the native rung (chapter 0), set before it starts: one for
 * 'throughput' and 'latency' (Node's main thread competes with TensorFlow's pool), its default of one per
 * core for 'large-products' (bench/README.md). A value in the reader's environment wins.
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
 * The intra-op thread count for `workload`: a positive `TF_NUM_INTRAOP_THREADS` from `env`; otherwise 1
 * for 'throughput' and 'latency' on more than one core, TensorFlow's default for 'large-products'.
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

/** Applies `chooseIntraOpThreads` to `env` and returns it; must run before the first `require` of tfjs-node. */
export function applyNativeThreadSettings(workload: ThreadWorkload, env: NodeJS.ProcessEnv, cores: number): NativeThreadSettings {
  const settings = chooseIntraOpThreads(workload, env, cores);
  if (settings.source === 'dlkit' && settings.intraOpThreads !== null) env['TF_NUM_INTRAOP_THREADS'] = String(settings.intraOpThreads);
  return settings;
}
