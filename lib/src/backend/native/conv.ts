/**
 * The filter gradient of strided 1x1 convolutions on the native rung (chapter 7's projection shortcuts).
 * TensorFlow 2.21's oneDNN kernel for it, at the AVX2 cap dlkit sets (`cpu-settings.ts`), writes out of
 * bounds when the input has few channels (1-6 of them, height or width a multiple of the stride): with one
 * intra-op thread glibc aborts (`corrupted size vs. prev_size`, `malloc_consolidate(): invalid chunk size`),
 * with two the gradient is wrong (bench/README.md). A 1x1 filter's gradient is a matrix product of the input
 * sampled at the stride and the output's gradient, so a strided 1x1 filter gradient with fewer than 8 input
 * channels (one AVX2 vector; 1-6 fail, 7-20 and 32 were measured right) runs as `StridedSlice` + `MatMul` on
 * raw handles. The rest keeps tfjs-node's kernel, which is 2-4x faster there (chapter 7's projections).
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { HandleMetadata, NativeBackend } from './mat-mul';

/** From this many input channels on, oneDNN's strided 1x1 filter gradient is right (measured at the AVX2 cap). */
const SAFE_CHANNELS = 8;

interface FilterGradientAttributes {
  strides: number | [number, number];
  pad: unknown;
  dataFormat?: string;
  filterShape: [number, number, number, number];
}

/** `dw` ([1, 1, C, F]) of a 1x1 convolution with stride > 1 from x ([N, H, W, C]) and dy ([N, Ho, Wo, F]), or null. */
function oneByOneFilterGradient(backend: NativeBackend, x: TensorInfo, dy: TensorInfo, attrs: FilterGradientAttributes): TensorInfo | null {
  const [kh, kw, channels, filters] = attrs.filterShape;
  const [sh, sw] = typeof attrs.strides === 'number' ? [attrs.strides, attrs.strides] : attrs.strides;
  if (kh !== 1 || kw !== 1 || (sh === 1 && sw === 1)) return null;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || x.shape.length !== 4 || dy.shape.length !== 4) return null;
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC' || (attrs.pad !== 'same' && attrs.pad !== 'valid')) return null;
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [, ho, wo, f] = dy.shape as [number, number, number, number];
  // A 1x1 filter needs no padding: 'same' and 'valid' both sample rows 0, s, 2s, ...
  if (c !== channels || f !== filters || ho !== Math.ceil(h / sh) || wo !== Math.ceil(w / sw)) return null;
  if (c >= SAFE_CHANNELS) return null;
  const { binding } = backend;
  const float = { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT };
  const [xId, dyId] = backend.getInputTensorIds([x, dy]) as [number, number];
  const temporary: number[] = [];
  const int32 = (values: number[]): number => {
    const id = binding.createTensor([values.length], binding.TF_INT32, new Int32Array(values));
    temporary.push(id);
    return id;
  };
  const run = (name: string, attributes: object[], inputs: number[]): number => {
    const [output] = binding.executeOp(name, attributes as never, inputs, 1) as [HandleMetadata];
    temporary.push(output.id);
    return output.id;
  };
  const reshape = (id: number, shape: number[]): number =>
    run('Reshape', [float, { name: 'Tshape', type: binding.TF_ATTR_TYPE, value: binding.TF_INT32 }], [id, int32(shape)]);
  try {
    const mask = (name: string, value: number) => ({ name, type: binding.TF_ATTR_INT, value });
    const sliceAttributes = [
      float,
      { name: 'Index', type: binding.TF_ATTR_TYPE, value: binding.TF_INT32 },
      mask('begin_mask', 15), mask('end_mask', 15), mask('ellipsis_mask', 0), mask('new_axis_mask', 0), mask('shrink_axis_mask', 0),
    ];
    const sampled = run('StridedSlice', sliceAttributes, [xId, int32([0, 0, 0, 0]), int32([n, h, w, c]), int32([1, sh, sw, 1])]);
    const rows = n * ho * wo;
    const product = run(
      'MatMul',
      [float, { name: 'transpose_a', type: binding.TF_ATTR_BOOL, value: true }, { name: 'transpose_b', type: binding.TF_ATTR_BOOL, value: false }],
      [reshape(sampled, [rows, c]), reshape(dyId, [rows, f])],
    );
    const [gradient] = binding.executeOp(
      'Reshape',
      [float, { name: 'Tshape', type: binding.TF_ATTR_TYPE, value: binding.TF_INT32 }],
      [product, int32([1, 1, c, f])],
      1,
    ) as [HandleMetadata];
    return backend.createOutputTensor(gradient);
  } finally {
    for (const id of temporary) binding.deleteTensor(id);
  }
}

/** Wraps tfjs-node's `Conv2DBackpropFilter`: strided 1x1 filters on few channels as a sampled matrix product. */
export function withOneByOneFilterGradient(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs as unknown as FilterGradientAttributes;
    return oneByOneFilterGradient(args.backend as unknown as NativeBackend, x, dy, attrs) ?? original.kernelFunc(args);
  };
  return { ...original, kernelFunc };
}
