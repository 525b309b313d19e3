/**
 * `Conv2DBackpropFilter` for the wasm backend (chapter 0): the gradient of a
 * convolution with respect to its filter, which every trainable conv layer
 * needs and which tfjs-backend-wasm 4.22 does not ship.
 *
 * The filter gradient is itself a convolution. With stride `s`, dilation `d`
 * and padding `top`/`left`,
 *
 *     dW[kh, kw, ci, co] = sum over b, oh, ow of
 *         x[b, oh*s + kh*d - top, ow*s + kw*d - left, ci] * dy[b, oh, ow, co]
 *
 * Swap the roles of the axes: the input channels `ci` become the batch, the
 * batch `b` becomes the channels to sum over, and the output gradient `dy`
 * becomes the filter. Then one `tf.conv2d` with stride `d` and dilation `s`
 * computes all of `dW` on XNNPACK.
 */
import { tf } from '../tf';
import type { KernelConfig, Tensor, Tensor4D } from '@tensorflow/tfjs';
import { convAttributes, kernelFromOps, padOrCrop } from './kernel-from-ops';
import type { Padding } from './kernel-from-ops';

/**
 * The filter gradient of a 2-D convolution of `x` (NHWC) whose output gradient
 * is `dy` (NHWC), for a filter of shape `[kh, kw, inChannels, outChannels]`
 * (chapter 0). Built from `transpose`, `pad`/`slice` and one `conv2d`, so it
 * runs on whichever backend is active; the wasm kernels below use it.
 */
export function convFilterGradient(
  x: Tensor4D,
  dy: Tensor4D,
  filterShape: [number, number, number, number],
  strides: [number, number],
  dilations: [number, number],
  pad: Padding,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): Tensor4D {
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, dilations, pad, dimRoundingMode);
  const [filterHeight, filterWidth] = filterShape;
  const [strideHeight, strideWidth] = strides;
  const [dilationHeight, dilationWidth] = dilations;
  const { outHeight, outWidth, inHeight, inWidth } = info;
  if (dy.shape[1] !== outHeight || dy.shape[2] !== outWidth) {
    throw new Error(
      `Conv2DBackpropFilter: dy has spatial shape ${dy.shape[1]}x${dy.shape[2]} but the convolution ` +
        `of an input ${inHeight}x${inWidth} gives ${outHeight}x${outWidth}; check strides and padding.`,
    );
  }
  // Rows (columns) of the padded input that the convolution actually reads.
  const rowsRead = (filterHeight - 1) * dilationHeight + (outHeight - 1) * strideHeight + 1;
  const columnsRead = (filterWidth - 1) * dilationWidth + (outWidth - 1) * strideWidth + 1;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const visitsOnlyInput =
    top === 0 &&
    left === 0 &&
    Math.floor((inHeight - 1) / strideHeight) + 1 === outHeight &&
    Math.floor((inWidth - 1) / strideWidth) + 1 === outWidth;
  if (filterHeight === 1 && filterWidth === 1 && visitsOnlyInput) {
    // A strided 1x1 convolution without padding visits rows 0, s, 2s, ... and ignores the rest.
    return pointwiseFilterGradient(x, dy, strides);
  }
  const padded = padOrCrop(x, [top, rowsRead - top - inHeight], [left, columnsRead - left - inWidth]);
  // [b, h, w, ci] -> [ci, h, w, b]: channels become the batch, the batch is summed over.
  const input = tf.transpose(padded, [3, 1, 2, 0]) as Tensor4D;
  // [b, oh, ow, co] -> [oh, ow, b, co]: the output gradient is the filter.
  const kernel = tf.transpose(dy, [1, 2, 0, 3]) as Tensor4D;
  let gradient: Tensor4D;
  const bothAboveOne = (strideHeight > 1 || strideWidth > 1) && (dilationHeight > 1 || dilationWidth > 1);
  if (!bothAboveOne) {
    gradient = tf.conv2d(input, kernel, [dilationHeight, dilationWidth], 'valid', 'NHWC', [strideHeight, strideWidth]);
  } else {
    // tf.conv2d refuses a stride and a dilation both above 1: convolve densely, keep every d-th tap.
    const dense = tf.conv2d(input, kernel, 1, 'valid', 'NHWC', [strideHeight, strideWidth]);
    gradient = tf.stridedSlice(dense, [0, 0, 0, 0], dense.shape, [1, dilationHeight, dilationWidth, 1]) as Tensor4D;
  }
  // [ci, kh, kw, co] -> [kh, kw, ci, co]
  return tf.transpose(gradient, [1, 2, 0, 3]);
}

/**
 * The filter gradient of a 1x1 convolution (a ResNet's projection shortcut):
 * a matrix product `x^T @ dy` over all pixels, once `x` is cut down to the
 * pixels the strides visit. The cut is itself a strided 1x1 convolution with
 * an identity filter, which XNNPACK does far faster than a strided slice.
 */
function pointwiseFilterGradient(x: Tensor4D, dy: Tensor4D, strides: [number, number]): Tensor4D {
  const channels = x.shape[3];
  const visited =
    strides[0] === 1 && strides[1] === 1
      ? x
      : tf.conv2d(x, tf.reshape(tf.eye(channels), [1, 1, channels, channels]) as Tensor4D, strides, 'valid');
  const pixels = dy.shape[0] * dy.shape[1] * dy.shape[2];
  const gradient = tf.matMul(tf.reshape(visited, [pixels, channels]), tf.reshape(dy, [pixels, dy.shape[3]]), true, false);
  return tf.reshape(gradient, [1, 1, channels, dy.shape[3]]);
}

/** Moves an NCHW tensor to NHWC (chapter 0). */
export function toChannelsLast(t: Tensor): Tensor4D {
  return tf.transpose(t, [0, 2, 3, 1]) as Tensor4D;
}

/** Registration record of the wasm `Conv2DBackpropFilter` kernel (chapter 0). */
export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: kernelFromOps((inputs, attrs) => {
    const { strides, pad, dimRoundingMode, channelsFirst } = convAttributes(attrs);
    const x = (channelsFirst ? toChannelsLast(inputs['x'] as Tensor) : inputs['x']) as Tensor4D;
    const dy = (channelsFirst ? toChannelsLast(inputs['dy'] as Tensor) : inputs['dy']) as Tensor4D;
    return convFilterGradient(x, dy, attrs['filterShape'] as [number, number, number, number], strides, [1, 1], pad, dimRoundingMode);
  }),
};
