/**
 * A faster `Tile` for wasm (chapter 0): wasm's copies element by element, about 30× slower than a broadcasting
 * add (batch norm's gradient tiles its statistics). A new axis of size `reps[i]` before each repeated axis, plus
 * zeros, then the pairs merged; over six axes (XNNPACK's limit) or not float32, the original kernel.
 */
import { tf } from '../tf';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { asTensor } from './kernel-from-ops';

/** The most axes XNNPACK's broadcasting binary operators accept. */
const MAX_BROADCAST_RANK = 6;

/** Wraps wasm's original `Tile` kernel with a broadcasting add. */
export function fasterTileConfig(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const x = args.inputs['x'] as TensorInfo;
    const reps = (args.attrs?.['reps'] ?? []) as number[];
    if (x.dtype !== 'float32' || reps.length !== x.shape.length) return original.kernelFunc(args);
    const inputShape: number[] = [];
    const zerosShape: number[] = [];
    const outShape: number[] = [];
    x.shape.forEach((size, axis) => {
      const times = reps[axis] as number;
      outShape.push(size * times);
      if (times === 1) {
        inputShape.push(size);
        zerosShape.push(1);
      } else if (size === 1) {
        inputShape.push(1);
        zerosShape.push(times);
      } else {
        inputShape.push(1, size);
        zerosShape.push(times, 1);
      }
    });
    if (inputShape.length > MAX_BROADCAST_RANK || outShape.some((size) => size === 0)) {
      return original.kernelFunc(args);
    }
    return tf.tidy(() =>
      tf.reshape(tf.add(tf.reshape(asTensor(x), inputShape), tf.zeros(zerosShape)), outShape),
    );
  };
  return { ...original, kernelFunc };
}
