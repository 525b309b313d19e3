/**
 * `DepthwiseConv2dNativeBackpropFilter` for the wasm backend (chapter 0): the
 * filter gradient of a depthwise convolution (`tf.layers.depthwiseConv2d`,
 * `separableConv2d`), which tfjs-backend-wasm 4.22 does not ship.
 *
 * A depthwise filter `W[kh, kw, c, q]` only ever meets input channel `c`, so its
 * gradient is, tap by tap,
 *
 *     dW[kh, kw, c, q] = sum over b, oh, ow of
 *         x[b, oh*s + kh*d - top, ow*s + kw*d - left, c] * dy[b, oh, ow, c*M + q]
 *
 * For each of the `kh*kw` taps, one strided slice of the padded input lines up
 * with `dy`; a multiply and a sum over batch and space give that tap's row of
 * `dW`. Exactly the arithmetic of the gradient, on wasm's slice, multiply and
 * sum kernels.
 */
import { tf } from '../tf';
import type { KernelConfig, Tensor, Tensor4D } from '@tensorflow/tfjs';
import { convAttributes, kernelFromOps, padOrCrop } from './kernel-from-ops';
import type { Padding } from './kernel-from-ops';

/**
 * The filter gradient of a depthwise convolution of `x` (NHWC) whose output
 * gradient is `dy`, for a filter of shape `[kh, kw, channels, multiplier]`
 * (chapter 0).
 */
export function depthwiseFilterGradient(
  x: Tensor4D,
  dy: Tensor4D,
  filterShape: [number, number, number, number],
  strides: [number, number],
  dilations: [number, number],
  pad: Padding,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): Tensor4D {
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, dilations, pad, dimRoundingMode, true);
  const [filterHeight, filterWidth, channels, multiplier] = filterShape;
  const [strideHeight, strideWidth] = strides;
  const [dilationHeight, dilationWidth] = dilations;
  const { outHeight, outWidth, inHeight, inWidth, batchSize } = info;
  const rowsRead = (filterHeight - 1) * dilationHeight + (outHeight - 1) * strideHeight + 1;
  const columnsRead = (filterWidth - 1) * dilationWidth + (outWidth - 1) * strideWidth + 1;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const padded = padOrCrop(x, [top, rowsRead - top - inHeight], [left, columnsRead - left - inWidth]);
  const dyByChannel = tf.reshape(dy, [batchSize, outHeight, outWidth, channels, multiplier]);
  const taps: Tensor[] = [];
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      const start = [0, kh * dilationHeight, kw * dilationWidth, 0];
      const end = [batchSize, start[1] + (outHeight - 1) * strideHeight + 1, start[2] + (outWidth - 1) * strideWidth + 1, channels];
      const window = tf.stridedSlice(padded, start, end, [1, strideHeight, strideWidth, 1]);
      const product = tf.mul(tf.reshape(window, [batchSize, outHeight, outWidth, channels, 1]), dyByChannel);
      taps.push(tf.sum(product, [0, 1, 2]));
    }
  }
  return tf.reshape(tf.stack(taps), [filterHeight, filterWidth, channels, multiplier]);
}

/** Registration record of the wasm `DepthwiseConv2dNativeBackpropFilter` kernel (chapter 0). */
export const depthwiseConv2dBackpropFilterConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: kernelFromOps((inputs, attrs) => {
    const { strides, dilations, pad, dimRoundingMode } = convAttributes(attrs);
    return depthwiseFilterGradient(inputs['x'] as Tensor4D, inputs['dy'] as Tensor4D, attrs['filterShape'] as [number, number, number, number], strides, dilations, pad, dimRoundingMode);
  }),
};
