/**
 * Matrix products with a transposed operand, fast on wasm (chapter 0): wasm 4.22 falls back to a path about 10× slower
 * when `transposeA` or `transposeB` is set, which every dense layer's backward pass uses. The operand is transposed
 * explicitly first. It also mends wasm's `_FusedMatMul` with a transposed operand or a bias on batches above one.
 */
import { tf } from '../tf';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';

interface WasmBackendLike {
  disposeData(dataId: object): boolean;
}

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/** Multiply-adds of the product: batch × rows × inner × columns. */
function productSize(a: TensorInfo, b: TensorInfo, transposeA: boolean): number {
  const rank = a.shape.length;
  const inner = (transposeA ? a.shape[rank - 2] : a.shape[rank - 1]) as number;
  const aSize = a.shape.reduce((product, size) => product * size, 1);
  const columnsOfB = (b.shape.reduce((product, size) => product * size, 1) / batchSize(b)) / inner;
  return Math.max(batchSize(a), batchSize(b)) * (aSize / batchSize(a) / inner) * inner * columnsOfB;
}

function batchSize(info: TensorInfo): number {
  return info.shape.slice(0, -2).reduce((product, size) => product * size, 1);
}

/** Applies a fused matmul's activation with wasm's own kernels. */
function activate(
  x: TensorInfo,
  attrs: NamedAttrMap,
  preluWeights: TensorInfo | undefined,
  run: (name: string, inputs: Record<string, TensorInfo>, attrs?: NamedAttrMap) => TensorInfo,
): TensorInfo {
  const activation = (attrs['activation'] as string | undefined) ?? 'linear';
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return run('Relu', { x });
    case 'relu6':
      return run('Relu6', { x });
    case 'elu':
      return run('Elu', { x });
    case 'sigmoid':
      return run('Sigmoid', { x });
    case 'leakyrelu':
      return run('LeakyRelu', { x }, { alpha: (attrs['leakyreluAlpha'] as number | undefined) ?? 0.2 });
    case 'prelu':
      return run('Prelu', { x, alpha: preluWeights as TensorInfo });
    default:
      throw new Error(`fused matMul: unknown activation "${activation}"`);
  }
}

/** Wraps wasm's `original` kernel so that transposed operands are materialised first. */
export function withExplicitTranspose(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = (attrs ?? {}) as NamedAttrMap & { transposeA?: boolean; transposeB?: boolean };
    const a = inputs['a'] as TensorInfo;
    const b = inputs['b'] as TensorInfo;
    const bias = inputs['bias'] as TensorInfo | undefined;
    const batched = bias !== undefined && Math.max(batchSize(a), batchSize(b)) > 1;
    // Below about 32k multiply-adds wasm's own transposed loop beats two extra copies (measured).
    const small = productSize(a, b, transposeA === true) < 32_768;
    const needsTranspose = (transposeA || transposeB) && !small;
    const needsCorrection = batched || (original.kernelName === '_FusedMatMul' && (transposeA || transposeB));
    if (!needsTranspose && !needsCorrection) return original.kernelFunc({ inputs, backend, attrs });
    const temporary: TensorInfo[] = [];
    const run = (name: string, kernelInputs: Record<string, TensorInfo>, kernelAttrs: NamedAttrMap = {}): TensorInfo => {
      const kernel = tf.getKernel(name, 'wasm');
      if (!kernel) throw new Error(`wasm has no ${name} kernel`);
      const out = kernel.kernelFunc({ inputs: kernelInputs, backend, attrs: kernelAttrs }) as TensorInfo;
      temporary.push(out);
      return out;
    };
    const flip = (info: TensorInfo): TensorInfo => run('Transpose', { x: info }, { perm: swapLastTwo(info.shape.length) });
    const operands = { a: transposeA ? flip(a) : a, b: transposeB ? flip(b) : b };
    let result: TensorInfo;
    if (!batched) {
      result = original.kernelFunc({ inputs: { ...inputs, ...operands }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } }) as TensorInfo;
    } else {
      // wasm's fused kernel adds the bias wrongly on batches above one: multiply, then bias and activation separately.
      const product = original.kernelFunc({ inputs: operands, backend, attrs: { ...attrs, transposeA: false, transposeB: false, activation: 'linear' } }) as TensorInfo;
      temporary.push(product);
      result = activate(run('Add', { a: product, b: bias as TensorInfo }), attrs ?? {}, inputs['preluActivationWeights'] as TensorInfo | undefined, run);
      temporary.splice(temporary.indexOf(result), 1);
    }
    for (const info of temporary) (backend as unknown as WasmBackendLike).disposeData(info.dataId);
    return result;
  };
  return { ...original, kernelFunc };
}
