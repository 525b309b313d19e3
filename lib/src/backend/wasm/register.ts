/**
 * Training kernels the wasm backend lacks (chapter 0), and fixes for some it
 * has but runs slowly or wrongly. Each kernel is written with public `tf` ops
 * that run on wasm's own fast kernels (nothing is copied to the cpu backend);
 * see this folder's README.md for how each one is built and why.
 */
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

/**
 * The kernels tfjs-backend-wasm 4.22 does not have and the book's models need
 * (chapter 0): conv filter gradients, the gradient of `gather` (embeddings),
 * depthwise-conv gradients and einsum. Registered only where wasm has none.
 */
export const WASM_MISSING_KERNELS: readonly KernelConfig[] = [
  conv2dBackpropFilterConfig,
  unsortedSegmentSumConfig,
  depthwiseConv2dBackpropFilterConfig,
  depthwiseConv2dBackpropInputConfig,
  einsumConfig,
];

/**
 * Kernels wasm has that the book replaces outright (chapter 0):
 * `Conv2DBackpropInput`, plain loops there, by one on XNNPACK's convolution;
 * `MaxPoolGrad`, wrong there for windows whose values are all negative, by a
 * correct one.
 */
export const WASM_REPLACED_KERNELS: readonly KernelConfig[] = [conv2dBackpropInputConfig, maxPoolGradConfig];

/**
 * Kernels the book wraps around wasm's own (chapter 0): each function takes
 * the original kernel and returns one that fixes its inputs or outputs and
 * calls it: `OneHot` (float32 output), `Cumsum`/`Cumprod` (negative axis),
 * `Tile` (a broadcasting add instead of an element-by-element copy), the
 * matrix products `BatchMatMul` and `_FusedMatMul` (`withExplicitTranspose`
 * in `transposed-mat-mul.ts`), `Slice` and `GatherV2` (whole contiguous runs copied
 * instead of the entire input or element by element, `copy-kernels.ts`).
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

/**
 * Registers the book's extra wasm kernels once; later calls do nothing
 * (chapter 0). `initBackend()` calls it before it switches to wasm. It loads
 * `@tensorflow/tfjs-backend-wasm` first (so that the package's own kernels
 * cannot overwrite these later) and does nothing if that package is missing.
 */
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
