/**
 * `UnsortedSegmentSum` for wasm (chapter 0), the gradient of `tf.gather` (every embedding):
 * out[s, ...] = Σ_{i: segmentIds[i] = s} x[i, ...], on wasm's `ScatterNd`. Ids outside `[0, numSegments)`
 * go to an extra row that is sliced off, as the cpu backend drops them.
 */
import { tf } from '../tf';
import type { KernelConfig, Tensor } from '@tensorflow/tfjs';
import { kernelFromOps } from './kernel-from-ops';

/** Sums the slices of `x` by segment; `segmentIds` has the shape of `x`'s leading axes; result `[numSegments, ...rest]`. */
export function segmentSum(x: Tensor, segmentIds: Tensor, numSegments: number): Tensor {
  const idRank = segmentIds.rank;
  if (segmentIds.shape.some((size, axis) => size !== x.shape[axis])) {
    throw new Error(
      `UnsortedSegmentSum: segmentIds of shape [${segmentIds.shape}] must match the leading axes of x ` +
        `of shape [${x.shape}].`,
    );
  }
  const rowShape = x.shape.slice(idRank);
  const count = segmentIds.size;
  const ids = tf.reshape(segmentIds.dtype === 'int32' ? segmentIds : tf.cast(segmentIds, 'int32'), [count]);
  const valid = tf.logicalAnd(tf.greaterEqual(ids, 0), tf.less(ids, numSegments));
  const safeIds = tf.where(valid, ids, tf.fill([count], numSegments, 'int32'));
  const updates = tf.reshape(x, [count, ...rowShape]);
  return tf.slice(tf.scatterND(tf.reshape(safeIds, [count, 1]), updates, [numSegments + 1, ...rowShape]), 0, numSegments);
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: kernelFromOps((inputs, attrs) =>
    segmentSum(inputs['x'] as Tensor, inputs['segmentIds'] as Tensor, attrs['numSegments'] as number),
  ),
};
