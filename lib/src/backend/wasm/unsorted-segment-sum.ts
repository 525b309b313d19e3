/**
 * `UnsortedSegmentSum` for the wasm backend (chapter 0): adds the rows of `x`
 * that share a segment id. It is the gradient of `tf.gather`, so every
 * embedding layer (and every lookup table trained by gradient descent) needs it.
 *
 *     out[s, ...] = sum over i with segmentIds[i] == s of x[i, ...]
 *
 * Built on wasm's `ScatterNd`, which adds the updates that land on the same
 * index. Ids outside `[0, numSegments)` are dropped, as on the cpu backend: they
 * are sent to one extra row that is sliced off at the end.
 */
import { tf } from '../tf';
import type { KernelConfig, Tensor } from '@tensorflow/tfjs';
import { kernelFromOps } from './kernel-from-ops';

/**
 * Sums the slices of `x` by segment (chapter 0): `segmentIds` has the shape of
 * the leading axes of `x`; the result has shape
 * `[numSegments, ...x.shape.slice(segmentIds.rank)]`. Uses `scatterND`.
 */
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
  const summed = tf.scatterND(tf.reshape(safeIds, [count, 1]), updates, [numSegments + 1, ...rowShape]);
  return tf.slice(summed, 0, numSegments);
}

/** Registration record of the wasm `UnsortedSegmentSum` kernel (chapter 0). */
export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: kernelFromOps((inputs, attrs) =>
    segmentSum(inputs['x'] as Tensor, inputs['segmentIds'] as Tensor, attrs['numSegments'] as number),
  ),
};
