/** Registers the training kernels wasm lacks and the fixes of some it has (chapter 0); README.md says how each is built. */
import { tf } from '../tf';
import type { KernelConfig } from '@tensorflow/tfjs';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input';
import { positiveAxisConfig } from './cumulative-axis';
import { depthwiseConv2dBackpropFilterConfig } from './depthwise-conv2d-backprop-filter';
import { depthwiseConv2dBackpropInputConfig } from './depthwise-conv2d-backprop-input';
import { einsumConfig } from './einsum';
import { maxPoolGradConfig } from './max-pool-grad';
import { correctOneHotConfig } from './one-hot';
import { fasterTileConfig } from './tile';
import { withExplicitTranspose } from './transposed-mat-mul';
import { gatherBySlices, sliceWithoutCopy } from './copy-kernels';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum';

/** Kernels wasm 4.22 lacks: conv and depthwise-conv gradients, `gather`'s gradient, einsum. Registered only where missing. */
export const WASM_MISSING_KERNELS: readonly KernelConfig[] = [
  conv2dBackpropFilterConfig,
  unsortedSegmentSumConfig,
  depthwiseConv2dBackpropFilterConfig,
  depthwiseConv2dBackpropInputConfig,
  einsumConfig,
];

/** Kernels replaced outright: `Conv2DBackpropInput` (slow loops in wasm), `MaxPoolGrad` (wrong for negative windows). */
export const WASM_REPLACED_KERNELS: readonly KernelConfig[] = [conv2dBackpropInputConfig, maxPoolGradConfig];

/**
 * Wrappers around wasm's own kernels: `OneHot` (float32), `Cumsum`/`Cumprod` (negative axis), `Tile`
 * (broadcasting add), `BatchMatMul`/`_FusedMatMul` (`transposed-mat-mul.ts`), `Slice`/`GatherV2` (`copy-kernels.ts`).
 */
export const WASM_WRAPPED_KERNELS: Readonly<Record<string, (original: KernelConfig) => KernelConfig>> = {
  OneHot: correctOneHotConfig,
  Cumsum: positiveAxisConfig,
  Cumprod: positiveAxisConfig,
  Tile: fasterTileConfig,
  BatchMatMul: withExplicitTranspose,
  _FusedMatMul: withExplicitTranspose,
  Slice: sliceWithoutCopy,
  GatherV2: gatherBySlices,
};

let registered = false;

/** Registers the extra wasm kernels once, after tfjs-backend-wasm loads (its own would overwrite them), if present. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  try {
    require('@tensorflow/tfjs-backend-wasm');
  } catch {
    return;
  }
  registered = true;
  const replace = (config: KernelConfig): void => {
    if (tf.getKernel(config.kernelName, config.backendName) != null) {
      tf.unregisterKernel(config.kernelName, config.backendName);
    }
    tf.registerKernel(config);
  };
  for (const config of WASM_MISSING_KERNELS) {
    if (tf.getKernel(config.kernelName, config.backendName) == null) tf.registerKernel(config);
  }
  for (const config of WASM_REPLACED_KERNELS) replace(config);
  for (const [kernelName, wrap] of Object.entries(WASM_WRAPPED_KERNELS)) {
    const original = tf.getKernel(kernelName, 'wasm');
    if (original != null) replace(wrap(original));
  }
}
