/**
 * The book's wrappers around some of the native rung's kernels (chapter 0):
 * matrix products through TensorFlow's 2-D `MatMul` (`mat-mul.ts`), ReLU's
 * gradient and same-type casts in fewer TensorFlow operations (`step.ts`).
 * Each gives the same values as the kernel it wraps, in less time.
 */
import { tf } from '../tf';
import type { KernelConfig } from '@tensorflow/tfjs';
import { withPlainMatMul } from './mat-mul';
import { withLeanStep, withSharedSameTypeCast } from './step';

/** Kernel name → the wrapper put around tfjs-node's own kernel (chapter 0). */
export const NATIVE_WRAPPED_KERNELS: Readonly<Record<string, (original: KernelConfig) => KernelConfig>> = {
  BatchMatMul: withPlainMatMul,
  Step: withLeanStep,
  Cast: withSharedSameTypeCast,
};

let registered = false;

/**
 * Wraps the native rung's kernels once (chapter 0); `initBackend()` calls it
 * when the native CPU rung starts. Does nothing before tfjs-node has
 * registered its kernels.
 */
export function registerNativeKernels(): void {
  if (registered || tf.getKernel('BatchMatMul', 'tensorflow') == null) return;
  registered = true;
  for (const [kernelName, wrap] of Object.entries(NATIVE_WRAPPED_KERNELS)) {
    const original = tf.getKernel(kernelName, 'tensorflow');
    if (original == null) continue;
    tf.unregisterKernel(kernelName, 'tensorflow');
    tf.registerKernel(wrap(original));
  }
}
