/**
 * Settings the native rung must make before TensorFlow's library loads (chapter 0): the
 * instruction-set cap of oneDNN, TensorFlow's CPU kernel library.
 *
 * TensorFlow 2.21's oneDNN corrupts the heap on CPUs with AVX-512 when tfjs-node drives it:
 * chapter 7's 20-layer networks died with glibc's "corrupted size vs. prev_size" and friends
 * or a segmentation fault, and they trained with oneDNN limited to AVX2 (compare the oneDNN
 * heap corruption fixed after 2.21, tensorflow/tensorflow#117700). So on x86-64 dlkit sets
 * `ONEDNN_MAX_CPU_ISA=AVX2` before the library loads; on a CPU without AVX-512 that changes
 * nothing, so the cap is safe on any CPU. A value the reader set (`ONEDNN_MAX_CPU_ISA`, or
 * the older `DNNL_MAX_CPU_ISA`) wins, and `DLKIT_ONEDNN_ISA=default` leaves oneDNN alone.
 */
import * as fs from 'node:fs';

/** What was decided about oneDNN before TensorFlow loaded, and why (`initBackend` prints it). */
export interface NativeCpuSettings {
  /** Whether this CPU reports AVX-512 (`avx512f` in /proc/cpuinfo); null where that cannot be read. */
  avx512: boolean | null;
  /** The ISA cap in force for oneDNN, or null for oneDNN's own choice. */
  oneDnnMaxIsa: string | null;
  /** Who chose it: dlkit, the reader's environment, or nobody. */
  source: 'dlkit' | 'environment' | 'none';
  /** One sentence for the backend report. */
  note: string;
}

/** Whether the CPU has AVX-512 (Linux: the `avx512f` flag in /proc/cpuinfo); null elsewhere. */
export function cpuHasAvx512(cpuinfo?: string): boolean | null {
  let text = cpuinfo;
  if (text === undefined) {
    try {
      text = fs.readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return null;
    }
  }
  return /^flags\s*:.*\bavx512f\b/m.test(text);
}

/**
 * Makes the oneDNN settings in `env` (process.env by default) before TensorFlow loads and says
 * what it did. It must run before the first `require` of tfjs-node: oneDNN reads the variable
 * once, when its first kernel runs.
 */
export function applyNativeCpuSettings(
  env: NodeJS.ProcessEnv = process.env,
  arch: string = process.arch,
  avx512: boolean | null = cpuHasAvx512(),
): NativeCpuSettings {
  const given = env['ONEDNN_MAX_CPU_ISA'] ?? env['DNNL_MAX_CPU_ISA'];
  if (given !== undefined && given.trim() !== '') {
    return { avx512, oneDnnMaxIsa: given, source: 'environment', note: `oneDNN ISA ${given} (set in the environment)` };
  }
  const wish = (env['DLKIT_ONEDNN_ISA'] ?? '').trim();
  if (wish.toLowerCase() === 'default') {
    const risk = avx512 ? ': this CPU has AVX-512, where TensorFlow 2.21 can corrupt the heap' : '';
    return { avx512, oneDnnMaxIsa: null, source: 'none', note: `oneDNN at its own ISA (DLKIT_ONEDNN_ISA=default)${risk}` };
  }
  if (wish !== '') {
    throw new Error(
      `DLKIT_ONEDNN_ISA="${wish}" is not understood. Unset it (dlkit caps oneDNN at AVX2), set it to "default" ` +
        '(oneDNN chooses), or set ONEDNN_MAX_CPU_ISA to a oneDNN ISA name such as AVX2 or AVX512_CORE.',
    );
  }
  if (arch !== 'x64') return { avx512, oneDnnMaxIsa: null, source: 'none', note: 'oneDNN at its own ISA (not x86-64)' };
  env['ONEDNN_MAX_CPU_ISA'] = 'AVX2';
  const why = avx512
    ? "this CPU has AVX-512, whose oneDNN kernels corrupt TensorFlow 2.21's heap"
    : avx512 === false
      ? 'no AVX-512 here, so nothing changes'
      : 'safe on any CPU';
  return { avx512, oneDnnMaxIsa: 'AVX2', source: 'dlkit', note: `oneDNN capped at AVX2 (${why})` };
}
