/**
 * `Cumsum` and `Cumprod` for the wasm backend that accept a negative axis
 * (chapter 0). wasm's own kernels crash with "memory access out of bounds" on
 * `tf.cumsum(x, -1)`, which the cpu backend (and NumPy) read as the last axis.
 * These wrappers turn a negative axis into the positive one and call the
 * original kernel.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

/** Wraps wasm's original `Cumsum` or `Cumprod` kernel so that `axis = -1` means the last axis (chapter 0). */
export function positiveAxisConfig(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const x = args.inputs['x'] as TensorInfo;
    const axis = Number(args.attrs?.['axis'] ?? 0);
    if (axis >= 0) return original.kernelFunc(args);
    return original.kernelFunc({ ...args, attrs: { ...args.attrs, axis: axis + x.shape.length } });
  };
  return { ...original, kernelFunc };
}
