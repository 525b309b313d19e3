/** `Cumsum` and `Cumprod` for wasm with a negative axis (chapter 0): wasm's own crash on `tf.cumsum(x, -1)`. */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

/** Wraps wasm's original `Cumsum` or `Cumprod` kernel so that `axis = -1` means the last axis. */
export function positiveAxisConfig(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const x = args.inputs['x'] as TensorInfo;
    const axis = Number(args.attrs?.['axis'] ?? 0);
    if (axis >= 0) return original.kernelFunc(args);
    return original.kernelFunc({ ...args, attrs: { ...args.attrs, axis: axis + x.shape.length } });
  };
  return { ...original, kernelFunc };
}
