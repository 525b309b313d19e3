/** Kernels written as ordinary `tf` ops (chapter 0), which run on wasm's own kernels, and the attributes they share. */
import { tf } from '../tf';
import type { KernelFunc, NamedAttrMap, Tensor, Tensor4D, TensorInfo } from '@tensorflow/tfjs';

/** The inputs of a kernel as tensors, by the names TensorFlow.js gives them. */
export type KernelInputs = Record<string, Tensor>;

/** A convolution's padding as TensorFlow.js' kernels receive it. */
export type Padding = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

/** Turns `body(inputs, attrs)` of public `tf` ops into a `KernelFunc`; its ops are not on the gradient tape. */
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

/** A `TensorInfo` as a `Tensor` (the same object when it already is one). */
export function asTensor(info: TensorInfo): Tensor {
  return info instanceof tf.Tensor ? info : tf.engine().makeTensorFromTensorInfo(info);
}

/** Pads (positive amounts) or crops (negative) the rows `[top, bottom]` and columns `[left, right]` of an NHWC batch. */
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

/** `[a, a]` for a number, the pair itself otherwise: strides, dilations. */
export function pair(value: number | number[] | undefined, fallback = 1): [number, number] {
  if (value == null) return [fallback, fallback];
  if (typeof value === 'number') return [value, value];
  return [value[0] ?? fallback, value[1] ?? value[0] ?? fallback];
}

/** The attributes every convolution-gradient kernel receives, unpacked. */
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

/** The attributes of a convolution-gradient kernel; explicit NCHW padding reordered to NHWC. */
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
