/**
 * A correct `MaxPoolGrad` for wasm (chapter 0): wasm 4.22 starts its search for the maximum at 0, so windows of
 * negative values get no gradient. Each output gradient goes to its window's first maximum (as on the cpu backend):
 * windows reshaped along the last axis (padding is −∞), `argMax`, `oneHot` · `dy`, reshaped back with overlaps added.
 */
import { tf } from '../tf';
import type { KernelConfig, Tensor, Tensor4D } from '@tensorflow/tfjs';
import { kernelFromOps, padOrCrop, type Padding } from './kernel-from-ops';

/** The input gradient of `tf.maxPool(x, filterSize, strides, pad)` with output gradient `dy` (both NHWC). */
export function maxPoolInputGradient(
  dy: Tensor4D,
  x: Tensor4D,
  filterSize: number | [number, number],
  strides: number | [number, number],
  pad: Padding,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): Tensor4D {
  const info = tf.backend_util.computePool2DInfo(x.shape, filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inChannels, filterHeight, filterWidth, strideHeight, strideWidth, outHeight, outWidth } = info;
  const { inHeight, inWidth, padInfo } = info;
  // Window offset kh = blockRow*strideHeight + phaseRow, with blockRow < blocksHigh (1 unless windows overlap).
  const blocksHigh = Math.ceil(filterHeight / strideHeight);
  const blocksWide = Math.ceil(filterWidth / strideWidth);
  const gridHeight = (outHeight + blocksHigh - 1) * strideHeight;
  const gridWidth = (outWidth + blocksWide - 1) * strideWidth;
  // Padding never wins the max: pad with minus infinity.
  const grid = padOrCropWith(
    x,
    [padInfo.top, gridHeight - padInfo.top - inHeight],
    [padInfo.left, gridWidth - padInfo.left - inWidth],
    -Infinity,
  );
  const blockShape = [batchSize, outHeight, strideHeight, outWidth, strideWidth, inChannels];
  // Every window's candidates along the last two axes: [b, oh, ow, c, blocksHigh*sh, blocksWide*sw].
  const rowsOfBlocks: Tensor[] = [];
  for (let blockRow = 0; blockRow < blocksHigh; blockRow++) {
    const row: Tensor[] = [];
    for (let blockColumn = 0; blockColumn < blocksWide; blockColumn++) {
      const block = tf.slice(
        grid,
        [0, blockRow * strideHeight, blockColumn * strideWidth, 0],
        [-1, outHeight * strideHeight, outWidth * strideWidth, -1],
      );
      row.push(tf.transpose(tf.reshape(block, blockShape), [0, 1, 3, 5, 2, 4]));
    }
    rowsOfBlocks.push(row.length === 1 ? (row[0] as Tensor) : tf.concat(row, 5));
  }
  let candidates = rowsOfBlocks.length === 1 ? (rowsOfBlocks[0] as Tensor) : tf.concat(rowsOfBlocks, 4);
  const spanHigh = blocksHigh * strideHeight;
  const spanWide = blocksWide * strideWidth;
  if (spanHigh > filterHeight || spanWide > filterWidth) {
    // Offsets past the window (strides larger than the window, or a partial last block) never win.
    const outside = tf.buffer([spanHigh, spanWide], 'float32');
    for (let r = 0; r < spanHigh; r++) {
      for (let c = 0; c < spanWide; c++) if (r >= filterHeight || c >= filterWidth) outside.set(-Infinity, r, c);
    }
    candidates = tf.add(candidates, outside.toTensor());
  }
  const candidateCount = spanHigh * spanWide;
  const winner = tf.argMax(tf.reshape(candidates, [batchSize, outHeight, outWidth, inChannels, candidateCount]), 4);
  // (wasm's OneHot ignores a float32 dtype and writes integers, so cast instead.)
  const routed = tf.mul(tf.cast(tf.oneHot(winner, candidateCount), 'float32'), tf.expandDims(dy, 4));
  const routedBlocks = tf.reshape(routed, [batchSize, outHeight, outWidth, inChannels, spanHigh, spanWide]);
  // Back onto the grid: the inverse reshapes, each block shifted by its offset, overlaps added.
  let gradient: Tensor4D | null = null;
  for (let blockRow = 0; blockRow < blocksHigh; blockRow++) {
    for (let blockColumn = 0; blockColumn < blocksWide; blockColumn++) {
      const part =
        blocksHigh === 1 && blocksWide === 1
          ? routedBlocks
          : tf.slice(
              routedBlocks,
              [0, 0, 0, 0, blockRow * strideHeight, blockColumn * strideWidth],
              [-1, -1, -1, -1, strideHeight, strideWidth],
            );
      const onGrid = tf.reshape(tf.transpose(part, [0, 1, 4, 2, 5, 3]), [
        batchSize,
        outHeight * strideHeight,
        outWidth * strideWidth,
        inChannels,
      ]) as Tensor4D;
      const placed =
        blocksHigh === 1 && blocksWide === 1
          ? onGrid
          : tf.pad(onGrid, [
              [0, 0],
              [blockRow * strideHeight, (blocksHigh - 1 - blockRow) * strideHeight],
              [blockColumn * strideWidth, (blocksWide - 1 - blockColumn) * strideWidth],
              [0, 0],
            ]);
      gradient = gradient === null ? placed : (tf.add(gradient, placed) as Tensor4D);
    }
  }
  if (gradient === null) throw new Error('MaxPoolGrad: the pooling window is empty.');
  // Back from the grid to the input's rows and columns (rows the pool never read get zero).
  return padOrCrop(
    gradient,
    [-padInfo.top, inHeight + padInfo.top - gridHeight],
    [-padInfo.left, inWidth + padInfo.left - gridWidth],
  );
}

/** Like `padOrCrop`, but pads with `value`. */
function padOrCropWith(x: Tensor4D, rows: [number, number], columns: [number, number], value: number): Tensor4D {
  const cropped = padOrCrop(x, [Math.min(0, rows[0]), Math.min(0, rows[1])], [Math.min(0, columns[0]), Math.min(0, columns[1])]);
  if (Math.max(rows[0], rows[1], columns[0], columns[1]) <= 0) return cropped;
  return tf.pad(
    cropped,
    [
      [0, 0],
      [Math.max(0, rows[0]), Math.max(0, rows[1])],
      [Math.max(0, columns[0]), Math.max(0, columns[1])],
      [0, 0],
    ],
    value,
  );
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: kernelFromOps((inputs, attrs) =>
    maxPoolInputGradient(
      inputs['dy'] as Tensor4D,
      inputs['input'] as Tensor4D,
      attrs['filterSize'] as number | [number, number],
      attrs['strides'] as number | [number, number],
      attrs['pad'] as Padding,
      attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
    ),
  ),
};
