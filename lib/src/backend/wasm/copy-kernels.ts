/**
 * `Slice` and `GatherV2` for wasm without needless copies (chapter 0): wasm 4.22's `Slice` reads the whole
 * input out of wasm memory, its `GatherV2` goes element by element. These copy whole contiguous runs between
 * views of wasm memory, taken after the output is allocated (allocating may move that memory).
 */
import { tf } from '../tf';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo, DataType } from '@tensorflow/tfjs';

type HeapArray = Float32Array | Int32Array | Uint8Array;

/** The parts of tfjs-backend-wasm's backend these kernels use. */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): HeapArray;
  readSync(dataId: object): ArrayLike<number>;
}

const product = (values: readonly number[]) => values.reduce((a, b) => a * b, 1);

/** Copies `length` values, as one block when long, one by one when short. */
function copyRun(from: HeapArray, fromOffset: number, to: HeapArray, toOffset: number, length: number): void {
  if (length >= 16) {
    to.set(from.subarray(fromOffset, fromOffset + length), toOffset);
  } else {
    for (let i = 0; i < length; i++) to[toOffset + i] = from[fromOffset + i] as number;
  }
}

/** `Slice` reading a view of its input instead of a copy of all of it. */
export function sliceWithoutCopy(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const x = args.inputs['x'] as TensorInfo;
    if (x.dtype === 'string' || x.dtype === 'complex64' || x.shape.length === 0) return original.kernelFunc(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const attrs = args.attrs as NamedAttrMap & { begin: number | number[]; size?: number | number[] };
    const [begin, size] = tf.slice_util.parseSliceParams(x as never, attrs.begin, attrs.size);
    const out = backend.makeOutput(size, x.dtype);
    if (product(size) === 0) return out;
    const from = backend.typedArrayFromHeap(x);
    const to = backend.typedArrayFromHeap(out);
    const rank = x.shape.length;
    const strides = tf.util.computeStrides(x.shape);
    // Merge trailing dimensions that are taken whole into one contiguous run.
    let runDims = 1;
    while (runDims < rank && size[rank - runDims] === x.shape[rank - runDims]) runDims++;
    const runLength = product(size.slice(rank - runDims));
    const outer = size.slice(0, rank - runDims);
    const outerCount = product(outer);
    const index = new Array<number>(outer.length).fill(0);
    for (let run = 0; run < outerCount; run++) {
      let offset = 0;
      for (let d = 0; d < outer.length; d++) offset += ((begin[d] as number) + (index[d] as number)) * (strides[d] as number);
      for (let d = outer.length; d < rank; d++) offset += (begin[d] as number) * (d < rank - 1 ? (strides[d] as number) : 1);
      copyRun(from, offset, to, run * runLength, runLength);
      for (let d = outer.length - 1; d >= 0; d--) {
        index[d] = (index[d] as number) + 1;
        if ((index[d] as number) < (outer[d] as number)) break;
        index[d] = 0;
      }
    }
    return out;
  };
  return { ...original, kernelFunc };
}

/** `GatherV2` copying whole slices (rows, for axis 0) between views. */
export function gatherBySlices(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const x = args.inputs['x'] as TensorInfo;
    const indices = args.inputs['indices'] as TensorInfo;
    const attrs = args.attrs as NamedAttrMap & { axis: number; batchDims?: number };
    if ((attrs.batchDims ?? 0) !== 0 || x.dtype === 'string' || x.dtype === 'complex64') return original.kernelFunc(args);
    const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0] as number;
    const sliceSize = product(x.shape.slice(axis + 1));
    // Short slices: wasm's own element loop is as good, and it validates the same way.
    if (sliceSize < 16) return original.kernelFunc(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const indexValues = Array.from(backend.readSync(indices.dataId as object));
    const dimSize = x.shape[axis] as number;
    for (const index of indexValues) {
      if (!(index >= 0 && index <= dimSize - 1)) throw new Error(`GatherV2: the index value ${index} is not in [0, ${dimSize - 1}]`);
    }
    const outerSize = product(x.shape.slice(0, axis));
    const out = backend.makeOutput([...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)], x.dtype);
    if (product(out.shape) === 0) return out;
    const from = backend.typedArrayFromHeap(x);
    const to = backend.typedArrayFromHeap(out);
    const count = indexValues.length;
    for (let o = 0; o < outerSize; o++) {
      for (let i = 0; i < count; i++) {
        copyRun(from, (o * dimSize + (indexValues[i] as number)) * sliceSize, to, (o * count + i) * sliceSize, sliceSize);
      }
    }
    return out;
  };
  return { ...original, kernelFunc };
}
