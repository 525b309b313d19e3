/**
 * `Einsum` for wasm (chapter 0), missing from tfjs-backend-wasm 4.22: the cpu backend's plan (transpose and
 * reshape each operand onto the shared axes, multiply, sum an axis once no operand needs it). Forward only:
 * TensorFlow.js has no einsum gradient.
 */
import { tf } from '../tf';
import type { KernelConfig, Tensor } from '@tensorflow/tfjs';
import { kernelFromOps } from './kernel-from-ops';

/** Evaluates an einsum `equation` on `operands` with transpose, multiply and sum. */
export function einsumByProducts(equation: string, operands: Tensor[]): Tensor {
  const util = tf.backend_util;
  const { allDims, summedDims, idDims } = util.decodeEinsumEquation(equation, operands.length);
  util.checkEinsumDimSizes(allDims.length, idDims, operands);
  const { path, steps } = util.getEinsumComputePath(summedDims, idDims);
  let out: Tensor | null = null;
  let dimsRemaining = allDims.length;
  steps.forEach((terms, step) => {
    for (const term of terms) {
      const { permutationIndices, expandDims } = util.getEinsumPermutation(dimsRemaining, idDims[term] as number[]);
      let operand = operands[term] as Tensor;
      if (!util.isIdentityPermutation(permutationIndices)) operand = tf.transpose(operand, permutationIndices);
      const shape = operand.shape.slice();
      for (const axis of expandDims) shape.splice(axis, 0, 1);
      if (shape.length !== operand.rank) operand = tf.reshape(operand, shape);
      out = out === null ? operand : tf.mul(operand, out);
    }
    if (step < steps.length - 1) {
      const axis = path[step] as number;
      if (axis >= 0 && out !== null) out = tf.sum(out, axis - (allDims.length - dimsRemaining));
      dimsRemaining--;
    }
  });
  if (out === null) throw new Error(`Einsum: the equation "${equation}" has no operands.`);
  return out;
}

export const einsumConfig: KernelConfig = {
  kernelName: 'Einsum',
  backendName: 'wasm',
  kernelFunc: kernelFromOps((inputs, attrs) => {
    const operands = Object.keys(inputs)
      .sort((a, b) => Number(a) - Number(b))
      .map((key) => inputs[key] as Tensor);
    return einsumByProducts(attrs['equation'] as string, operands);
  }),
};
