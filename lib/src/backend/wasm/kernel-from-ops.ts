/**
 * The one trick behind every extra wasm kernel (chapter 0): write the kernel
 * as ordinary TensorFlow.js ops. Those ops run on the wasm backend's own
 * kernels (XNNPACK convolutions, transposes, scatters), so nothing is copied
 * to the pure-JavaScript cpu backend.
 */
import { tf } from '../tf';
import type { KernelFunc, NamedAttrMap, Tensor, Tensor4D, TensorInfo } from '@tensorflow/tfjs';

/** The inputs of a kernel as tensors, by the names TensorFlow.js gives them (chapter 0). */
export type KernelInputs = Record<string, Tensor>;

/** A convolution's padding as TensorFlow.js' kernels receive it. */
export type Padding = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

/**
 * Turns `body(inputs, attrs)`, written with public `tf` ops, into a
 * `KernelFunc` for `tf.registerKernel` (chapter 0). The body runs inside
 * `tf.tidy`, so every intermediate tensor is freed and only the result
 * survives; inputs that arrive as bare `TensorInfo`s (when a backend calls a
 * kernel directly) are wrapped in tensors that the tidy frees again.
 * While a kernel runs, the engine does not record ops on the gradient tape, so
 * the ops of the body never show up in anyone's gradients.
 */
export function kernelFromOps(body: (inputs: KernelInputs, attrs: NamedAttrMap) => Tensor): KernelFunc {
  return ({ inputs, attrs }) =>
    tf.tidy(() => {
      const tensors: KernelInputs = {};
      for (const [name, info] of Object.entries(inputs)) {
        if (info == null) continue;
        tensors[name] = asTensor(info);
      }
      const result = body(tensors, attrs ?? {});
      // A kernel must hand back a tensor of its own, never one of its inputs.
      return Object.values(tensors).includes(result) ? result.clone() : result;
    });
}

/** A `TensorInfo` as a `Tensor` (the same object when it already is one) (chapter 0). */
export function asTensor(info: TensorInfo): Tensor {
  return info instanceof tf.Tensor ? info : tf.engine().makeTensorFromTensorInfo(info);
}

/**
 * Pads (positive amounts) or crops (negative amounts) the two spatial axes of
 * an NHWC batch: `[top, bottom]` rows and `[left, right]` columns (chapter 0).
 */
export function padOrCrop(x: Tensor4D, rows: [number, number], columns: [number, number]): Tensor4D {
  const [, height, width] = x.shape as number[];
  const [top, bottom] = rows;
  const [left, right] = columns;
  let out = x;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const cropTop = Math.max(0, -top);
    const cropLeft = Math.max(0, -left);
    out = tf.slice(out, [0, cropTop, cropLeft, 0], [
      -1,
      (height as number) - cropTop - Math.max(0, -bottom),
      (width as number) - cropLeft - Math.max(0, -right),
      -1,
    ]);
  }
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    out = tf.pad(out, [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ]);
  }
  return out;
}

/** `[a, a]` for a number, the pair itself otherwise: strides, dilations (chapter 0). */
export function pair(value: number | number[] | undefined, fallback = 1): [number, number] {
  if (value == null) return [fallback, fallback];
  if (typeof value === 'number') return [value, value];
  return [value[0] ?? fallback, value[1] ?? value[0] ?? fallback];
}

/** The attributes every convolution-gradient kernel receives, unpacked (chapter 0). */
export interface ConvAttributes {
  strides: [number, number];
  /** `[1, 1]` for the kernels that have no dilations. */
  dilations: [number, number];
  /** Padding with explicit amounts in NHWC order, even when the data is NCHW. */
  pad: Padding;
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined;
  /** The data arrives as NCHW (`dataFormat: 'NCHW'`) and must be turned into NHWC. */
  channelsFirst: boolean;
}

/**
 * Reads strides, dilations, padding, rounding mode and data format from a
 * convolution-gradient kernel's attributes (chapter 0); explicit NCHW padding
 * is reordered to NHWC, the layout the gradients are computed in.
 */
export function convAttributes(attrs: NamedAttrMap): ConvAttributes {
  const channelsFirst = attrs['dataFormat'] === 'NCHW';
  let pad = attrs['pad'] as Padding;
  if (channelsFirst && Array.isArray(pad)) pad = [pad[0], pad[2], pad[3], pad[1]];
  return {
    strides: pair(attrs['strides'] as number | number[]),
    dilations: pair(attrs['dilations'] as number | number[] | undefined),
    pad,
    dimRoundingMode: attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
    channelsFirst,
  };
}
