/**
 * ReLU's gradient and same-type casts on the native rung (chapter 0): `Step` with alpha 0 as `Select(IsNan(x), x,
 * Cast(Greater(x, 0)))` on raw handles, not tfjs-node's seven operations; a cast to its own type shares the data.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { HandleMetadata, NativeBackend, OpAttribute } from './mat-mul';

/** A float32 scalar 0 as a raw TensorFlow handle, made once per binding and kept. */
const zeroHandles = new WeakMap<object, number>();

function floatZero(binding: NativeBackend['binding']): number {
  let zero = zeroHandles.get(binding);
  if (zero === undefined) {
    zero = binding.createTensor([], binding.TF_FLOAT, new Float32Array([0]));
    zeroHandles.set(binding, zero);
  }
  return zero;
}

/** Wraps tfjs-node's `Step`: alpha 0 on float32 in four TensorFlow operations, the rest as before. */
export function withLeanStep(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const alpha = (args.attrs as { alpha?: number }).alpha ?? 0;
    if (x.dtype !== 'float32' || alpha !== 0) return original.kernelFunc(args);
    const backend = args.backend as unknown as NativeBackend;
    const { binding } = backend;
    const float: OpAttribute = { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT };
    const [xId] = backend.getInputTensorIds([x]) as [number];
    const temporary: number[] = [];
    try {
      const [positive] = binding.executeOp('Greater', [float], [xId, floatZero(binding)], 1) as [HandleMetadata];
      temporary.push(positive.id);
      const cast = [
        { name: 'SrcT', type: binding.TF_ATTR_TYPE, value: binding.TF_BOOL },
        { name: 'DstT', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
        { name: 'Truncate', type: binding.TF_ATTR_BOOL, value: false },
      ];
      const [ones] = binding.executeOp('Cast', cast, [positive.id], 1) as [HandleMetadata];
      temporary.push(ones.id);
      const [nans] = binding.executeOp('IsNan', [float], [xId], 1) as [HandleMetadata];
      temporary.push(nans.id);
      const [step] = binding.executeOp('Select', [float], [nans.id, xId, ones.id], 1) as [HandleMetadata];
      return backend.createOutputTensor(step);
    } finally {
      for (const id of temporary) binding.deleteTensor(id);
    }
  };
  return { ...original, kernelFunc };
}

/** Wraps tfjs-node's `Cast`: to the type the tensor already has, the data is shared, not copied. */
export function withSharedSameTypeCast(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if ((args.attrs as { dtype: string }).dtype !== x.dtype) return original.kernelFunc(args);
    (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  return { ...original, kernelFunc };
}
