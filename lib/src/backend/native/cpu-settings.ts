/**
 * oneDNN's instruction-set cap, set before TensorFlow loads (chapter 0). TensorFlow 2.21's oneDNN corrupts the
 * heap on AVX-512 CPUs under tfjs-node (tensorflow/tensorflow#117700), so on x86-64 dlkit sets
 * `ONEDNN_MAX_CPU_ISA=AVX2` (a no-op without AVX-512). The reader's `ONEDNN_MAX_CPU_ISA` or `DNNL_MAX_CPU_ISA`
 * wins; `DLKIT_ONEDNN_ISA=default` leaves oneDNN alone.
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

/** Makes the oneDNN settings in `env` and says what it did; must run before the first `require` of tfjs-node. */
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
