/**
 * A correct `OneHot` for the wasm backend (chapter 0). wasm's own kernel
 * always writes 32-bit integers, even when asked for a `float32` result, so
 * `tf.oneHot(labels, n, 1, 0, 'float32')` comes out as tiny denormal floats
 * (1.4e-45 instead of 1) and on/off values like 0.5 become garbage. The
 * default `int32` one-hot is right.
 *
 * This kernel asks the original for an `int32` 0/1 one-hot and, when another
 * dtype is wanted, casts it and maps 0/1 to `offValue`/`onValue`.
 */
import { tf } from '../tf';
import type { DataType, KernelConfig, KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs';

/** Wraps wasm's original `OneHot` kernel so that non-int32 dtypes come out right (chapter 0). */
export function correctOneHotConfig(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const dtype = (args.attrs?.['dtype'] ?? 'int32') as DataType;
    if (dtype === 'int32') return original.kernelFunc(args);
    const onValue = Number(args.attrs?.['onValue'] ?? 1);
    const offValue = Number(args.attrs?.['offValue'] ?? 0);
    const info = original.kernelFunc({
      ...args,
      attrs: { ...args.attrs, dtype: 'int32', onValue: 1, offValue: 0 },
    }) as TensorInfo;
    return tf.tidy(() => {
      const bits = tf.engine().makeTensorFromTensorInfo(info);
      let out: Tensor = tf.cast(bits, dtype);
      if (onValue !== 1 || offValue !== 0) out = tf.add(tf.mul(out, onValue - offValue), offValue);
      return out.dtype === dtype ? out : tf.cast(out, dtype);
    });
  };
  return { ...original, kernelFunc };
}
