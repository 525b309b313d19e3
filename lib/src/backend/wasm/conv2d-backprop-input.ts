/**
 * `Conv2DBackpropInput` for wasm on XNNPACK's convolution (chapter 0), replacing wasm's plain loops:
 * dx[b, h, w, ci] = Σ_{kh, kw, co} dyDilated[b, h − top + kh, w − left + kw, co] · W[KH−1−kh, KW−1−kw, ci, co],
 * where `dyDilated` has `stride − 1` zeros between neighbouring values of `dy`.
 */
import { tf } from '../tf';
import type { KernelConfig, Tensor, Tensor4D } from '@tensorflow/tfjs';
import { convAttributes, kernelFromOps, padOrCrop, type ConvAttributes } from './kernel-from-ops';
import { toChannelsLast } from './conv2d-backprop-filter';

/** `strides − 1` zeros after each row and column of an NHWC tensor: `[b, h, w, c]` becomes `[b, h·sh, w·sw, c]`. */
export function spreadWithZeros(t: Tensor4D, strides: [number, number]): Tensor4D {
  const [strideHeight, strideWidth] = strides;
  if (strideHeight === 1 && strideWidth === 1) return t;
  const [batch, height, width, channels] = t.shape;
  const spaced = tf.pad(tf.reshape(t, [batch, height, 1, width, 1, channels]), [
    [0, 0],
    [0, 0],
    [0, strideHeight - 1],
    [0, 0],
    [0, strideWidth - 1],
    [0, 0],
  ]);
  return tf.reshape(spaced, [batch, height * strideHeight, width * strideWidth, channels]);
}

/** The input gradient (of shape `inputShape`) of a convolution with `filter` `[kh, kw, in, out]` and output gradient `dy`. */
export function convInputGradient(dy: Tensor4D, filter: Tensor4D, inputShape: [number, number, number, number], conv: ConvAttributes): Tensor4D {
  const { strides } = conv;
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape, strides, 1, conv.pad, conv.dimRoundingMode);
  const [filterHeight, filterWidth] = filter.shape;
  const { inHeight, inWidth, padInfo } = info;
  const spread = spreadWithZeros(dy, strides);
  // Rows before: filterHeight - 1 - top. Rows after: whatever makes the output inHeight tall.
  const before: [number, number] = [filterHeight - 1 - padInfo.top, filterWidth - 1 - padInfo.left];
  const padded = padOrCrop(
    spread,
    [before[0], inHeight + filterHeight - 1 - before[0] - (spread.shape[1] as number)],
    [before[1], inWidth + filterWidth - 1 - before[1] - (spread.shape[2] as number)],
  );
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as Tensor4D;
  return tf.conv2d(padded, flipped, 1, 'valid');
}

export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: kernelFromOps((inputs, attrs) => {
    const conv = convAttributes(attrs);
    const dy = (conv.channelsFirst ? toChannelsLast(inputs['dy'] as Tensor) : inputs['dy']) as Tensor4D;
    let inputShape = attrs['inputShape'] as [number, number, number, number];
    if (conv.channelsFirst) inputShape = [inputShape[0], inputShape[2], inputShape[3], inputShape[1]];
    const dx = convInputGradient(dy, inputs['filter'] as Tensor4D, inputShape, conv);
    return conv.channelsFirst ? tf.transpose(dx, [0, 3, 1, 2]) : dx;
  }),
};
