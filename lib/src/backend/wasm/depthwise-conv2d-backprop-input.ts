/**
 * `DepthwiseConv2dNativeBackpropInput` for wasm (chapter 0), missing from tfjs-backend-wasm 4.22: `dy` spread
 * with `stride − 1` zeros, convolved with its own flipped tap per output channel (`tf.depthwiseConv2d`,
 * multiplier 1), then the `M` results of each input channel added.
 */
import { tf } from '../tf';
import type { KernelConfig, Tensor4D } from '@tensorflow/tfjs';
import { convAttributes, kernelFromOps, padOrCrop, type ConvAttributes } from './kernel-from-ops';
import { spreadWithZeros } from './conv2d-backprop-input';

/** The input gradient (NHWC, of shape `inputShape`) of a depthwise convolution with filter `[kh, kw, channels, multiplier]`. */
export function depthwiseInputGradient(dy: Tensor4D, filter: Tensor4D, inputShape: [number, number, number, number], conv: ConvAttributes): Tensor4D {
  const { strides, dilations } = conv;
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape, strides, dilations, conv.pad, conv.dimRoundingMode, true);
  const [filterHeight, filterWidth, channels, multiplier] = filter.shape;
  const [dilationHeight, dilationWidth] = dilations;
  const { inHeight, inWidth, padInfo, batchSize } = info;
  const spread = spreadWithZeros(dy, strides);
  const reachHeight = (filterHeight - 1) * dilationHeight;
  const reachWidth = (filterWidth - 1) * dilationWidth;
  const before: [number, number] = [reachHeight - padInfo.top, reachWidth - padInfo.left];
  const padded = padOrCrop(
    spread,
    [before[0], inHeight + reachHeight - before[0] - (spread.shape[1] as number)],
    [before[1], inWidth + reachWidth - before[1] - (spread.shape[2] as number)],
  );
  // One flipped tap per output channel c*M + q: [kh, kw, channels*M, 1].
  const flipped = tf.reshape(tf.reverse(filter, [0, 1]), [filterHeight, filterWidth, channels * multiplier, 1]) as Tensor4D;
  const perOutputChannel = tf.depthwiseConv2d(padded, flipped, 1, 'valid', 'NHWC', dilations);
  if (multiplier === 1) return perOutputChannel;
  return tf.sum(tf.reshape(perOutputChannel, [batchSize, inHeight, inWidth, channels, multiplier]), 4);
}

export const depthwiseConv2dBackpropInputConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: kernelFromOps((inputs, attrs) =>
    depthwiseInputGradient(inputs['dy'] as Tensor4D, inputs['filter'] as Tensor4D, attrs['inputShape'] as [number, number, number, number], convAttributes(attrs)),
  ),
};
