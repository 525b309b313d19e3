/**
 * `Conv2DBackpropFilter` for wasm (chapter 0), missing from tfjs-backend-wasm 4.22. The filter gradient
 * dW[kh, kw, ci, co] = Σ_{b, oh, ow} x[b, oh·s + kh·d − top, ow·s + kw·d − left, ci] · dy[b, oh, ow, co]
 * is one `tf.conv2d` (stride d, dilation s) with `ci` as the batch, `b` as the channels and `dy` as the filter.
 */
import { tf } from '../tf';
import type { KernelConfig, Tensor, Tensor4D } from '@tensorflow/tfjs';
import { convAttributes, kernelFromOps, padOrCrop, type ConvAttributes } from './kernel-from-ops';

/** The filter gradient (`[kh, kw, in, out]`) of a convolution of `x` with output gradient `dy`, both NHWC, on any backend. */
export function convFilterGradient(x: Tensor4D, dy: Tensor4D, filterShape: [number, number, number, number], conv: ConvAttributes): Tensor4D {
  const { strides, dilations } = conv;
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, dilations, conv.pad, conv.dimRoundingMode);
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
 * The filter gradient of a 1x1 convolution (a ResNet's projection shortcut): `xᵀ·dy` over the pixels the
 * strides visit, cut out by a strided 1x1 identity convolution (far faster on XNNPACK than a strided slice).
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

export function toChannelsLast(t: Tensor): Tensor4D {
  return tf.transpose(t, [0, 2, 3, 1]) as Tensor4D;
}

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: kernelFromOps((inputs, attrs) => {
    const conv = convAttributes(attrs);
    const x = (conv.channelsFirst ? toChannelsLast(inputs['x'] as Tensor) : inputs['x']) as Tensor4D;
    const dy = (conv.channelsFirst ? toChannelsLast(inputs['dy'] as Tensor) : inputs['dy']) as Tensor4D;
    return convFilterGradient(x, dy, attrs['filterShape'] as [number, number, number, number], { ...conv, dilations: [1, 1] });
  }),
};
