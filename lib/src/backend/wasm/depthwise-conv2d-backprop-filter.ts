/**
 * `DepthwiseConv2dNativeBackpropFilter` for wasm (chapter 0), missing from tfjs-backend-wasm 4.22:
 * dW[kh, kw, c, q] = Σ_{b, oh, ow} x[b, oh·s + kh·d − top, ow·s + kw·d − left, c] · dy[b, oh, ow, c·M + q],
 * tap by tap: a strided slice of the padded input times `dy`, summed over batch and space.
 */
import { tf } from '../tf';
import type { KernelConfig, Tensor, Tensor4D } from '@tensorflow/tfjs';
import { convAttributes, kernelFromOps, padOrCrop, type ConvAttributes } from './kernel-from-ops';

/** The filter gradient (`[kh, kw, channels, multiplier]`) of a depthwise convolution of `x` (NHWC) with output gradient `dy`. */
export function depthwiseFilterGradient(x: Tensor4D, dy: Tensor4D, filterShape: [number, number, number, number], conv: ConvAttributes): Tensor4D {
  const { strides, dilations } = conv;
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, dilations, conv.pad, conv.dimRoundingMode, true);
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

export const depthwiseConv2dBackpropFilterConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: kernelFromOps((inputs, attrs) =>
    depthwiseFilterGradient(inputs['x'] as Tensor4D, inputs['dy'] as Tensor4D, attrs['filterShape'] as [number, number, number, number], convAttributes(attrs)),
  ),
};
