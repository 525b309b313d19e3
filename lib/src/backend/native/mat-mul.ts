/**
 * Matrix products on the native rung through TensorFlow's 2-D `MatMul` (chapter 0): tfjs-node runs every product as
 * `BatchMatMulV2`, which oneDNN starts with a large fixed cost (4-8× slower on small products). Two matrices, or a
 * batch of one squeezed to matrices, go to `MatMul` on raw handles; the rest keeps tfjs-node's kernel.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';

/** What this file uses of tfjs-node's backend (`NodeJSKernelBackend`) and its binding to TensorFlow's C API. */
export interface NativeBackend {
  binding: {
    TF_ATTR_BOOL: number;
    TF_ATTR_TYPE: number;
    TF_ATTR_INT: number;
    TF_FLOAT: number;
    TF_INT32: number;
    TF_BOOL: number;
    executeOp(name: string, attrs: OpAttribute[], inputs: number[], outputs: number): HandleMetadata[];
    createTensor(shape: number[], dtype: number, values: Int32Array | Float32Array): number;
    deleteTensor(id: number): void;
  };
  getInputTensorIds(tensors: TensorInfo[]): number[];
  createOutputTensor(metadata: HandleMetadata): TensorInfo;
}

export interface OpAttribute {
  name: string;
  type: number;
  value: unknown;
}

export interface HandleMetadata {
  id: number;
  shape: number[];
  dtype: number;
}

/** A scalar int32 0 as a raw TensorFlow handle (ExpandDims' axis), made once per binding and kept. */
const zeroHandles = new WeakMap<object, number>();

function matMulAttributes(binding: NativeBackend['binding'], transposeA: boolean, transposeB: boolean): OpAttribute[] {
  return [
    { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
    { name: 'transpose_a', type: binding.TF_ATTR_BOOL, value: transposeA },
    { name: 'transpose_b', type: binding.TF_ATTR_BOOL, value: transposeB },
  ];
}

/** `a·b` of two 2-D float32 tensors, or of two 3-D ones with a batch of one, by TensorFlow's `MatMul`. */
function plainMatMul(backend: NativeBackend, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const { binding } = backend;
  const attributes = matMulAttributes(binding, transposeA, transposeB);
  if (a.shape.length === 2 && b.shape.length === 2) {
    const [product] = binding.executeOp('MatMul', attributes, backend.getInputTensorIds([a, b]), 1);
    return backend.createOutputTensor(product as HandleMetadata);
  }
  if (a.shape.length !== 3 || b.shape.length !== 3 || a.shape[0] !== 1 || b.shape[0] !== 1) return null;
  const [aId, bId] = backend.getInputTensorIds([a, b]) as [number, number];
  const squeeze = [
    { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
    { name: 'squeeze_dims', type: binding.TF_ATTR_INT, value: [0] },
  ];
  const temporary: number[] = [];
  try {
    const [aMatrix] = binding.executeOp('Squeeze', squeeze, [aId], 1) as [HandleMetadata];
    temporary.push(aMatrix.id);
    const [bMatrix] = binding.executeOp('Squeeze', squeeze, [bId], 1) as [HandleMetadata];
    temporary.push(bMatrix.id);
    const [product] = binding.executeOp('MatMul', attributes, [aMatrix.id, bMatrix.id], 1) as [HandleMetadata];
    temporary.push(product.id);
    let zero = zeroHandles.get(binding);
    if (zero === undefined) {
      zero = binding.createTensor([], binding.TF_INT32, new Int32Array([0]));
      zeroHandles.set(binding, zero);
    }
    const expand = [
      { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
      { name: 'Tdim', type: binding.TF_ATTR_TYPE, value: binding.TF_INT32 },
    ];
    const [batched] = binding.executeOp('ExpandDims', expand, [product.id, zero], 1) as [HandleMetadata];
    return backend.createOutputTensor(batched);
  } finally {
    for (const id of temporary) binding.deleteTensor(id);
  }
}

/** Wraps tfjs-node's `BatchMatMul`: matrices (or a batch of one) go to `MatMul`, the rest to the original. */
export function withPlainMatMul(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as NamedAttrMap & { transposeA: boolean; transposeB: boolean };
    return plainMatMul(args.backend as unknown as NativeBackend, a, b, transposeA, transposeB) ?? original.kernelFunc(args);
  };
  return { ...original, kernelFunc };
}

