/**
 * The book's wrappers around native kernels (chapter 0): 2-D `MatMul`, ReLU's gradient and same-type casts, fused batch
 * norm training; same values (up to summation order) in less time. Strided 1x1 filter gradients as a matrix product
 * (`conv.ts`): oneDNN's own kernel for them corrupts the heap.
 */
import { tf } from '../tf';
import type { KernelConfig } from '@tensorflow/tfjs';
import { withPlainMatMul } from './mat-mul';
import { withLeanStep, withSharedSameTypeCast } from './step';
import { withOneByOneFilterGradient } from './conv';
import { installFusedBatchNorm } from './batch-norm';

/** Kernel name → the wrapper put around tfjs-node's own kernel. */
export const NATIVE_WRAPPED_KERNELS: Readonly<Record<string, (original: KernelConfig) => KernelConfig>> = {
  BatchMatMul: withPlainMatMul,
  Step: withLeanStep,
  Cast: withSharedSameTypeCast,
  Conv2DBackpropFilter: withOneByOneFilterGradient,
};

let registered = false;

/** Wraps the native rung's kernels once (`initBackend()` calls it); does nothing before tfjs-node registered its own. */
export function registerNativeKernels(): void {
  if (registered || tf.getKernel('BatchMatMul', 'tensorflow') == null) return;
  registered = true;
  for (const [kernelName, wrap] of Object.entries(NATIVE_WRAPPED_KERNELS)) {
    const original = tf.getKernel(kernelName, 'tensorflow');
    if (original == null) continue;
    tf.unregisterKernel(kernelName, 'tensorflow');
    tf.registerKernel(wrap(original));
  }
  installFusedBatchNorm();
}
