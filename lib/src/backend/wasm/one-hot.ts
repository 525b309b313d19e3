/** A correct `OneHot` for wasm (chapter 0): wasm always writes int32 (float32 gets denormals); int32 0/1, then cast. */
import { tf } from '../tf';
import type { DataType, KernelConfig, KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs';

/** Wraps wasm's original `OneHot` kernel so that non-int32 dtypes come out right. */
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
