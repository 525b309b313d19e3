/**
 * A faster `Tile` for the wasm backend (chapter 0). wasm's own kernel copies
 * element by element and is about 30 times slower than a broadcasting add of
 * the same size; the gradient of batch normalization tiles its per-channel
 * statistics over the whole batch, so in a ResNet it became the slowest kernel
 * of a training step.
 *
 * Tiling is a broadcast: give every axis that is repeated a new axis of size
 * `reps[i]` in front of it, add zeros of that shape (wasm's `Add` broadcasts
 * on XNNPACK), then merge each pair of axes back. XNNPACK broadcasts at most
 * six axes, so larger cases, and dtypes other than float32, go to the
 * original kernel.
 */
import { tf } from '../tf';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { asTensor } from './kernel-from-ops';

/** The most axes XNNPACK's broadcasting binary operators accept. */
const MAX_BROADCAST_RANK = 6;

/** Wraps wasm's original `Tile` kernel with a broadcasting add (chapter 0). */
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
