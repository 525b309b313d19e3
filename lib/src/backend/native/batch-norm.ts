/**
 * Batch normalisation in training on the native TensorFlow rung through TensorFlow's fused kernels (chapter 7).
 *
 * tfjs-layers trains a `BatchNormalization` layer with the batch's moments (a mean, a squared difference, another mean)
 * and then the normalisation, each with its gradient: a dozen kernels forward and some twenty backward per layer, and
 * the chapter-7 ResNet has seven such layers. TensorFlow has both directions as single kernels, `FusedBatchNormV3`
 * (training mode: it computes the batch's mean and variance itself) and `FusedBatchNormGradV3`. Here the layer's
 * training step on the native rung (4-D input, channels last, with scale and offset) runs those two on raw TensorFlow
 * handles, as `mat-mul.ts` does for products; the moving averages are updated with the same arithmetic as tfjs-layers',
 * from the same (biased) batch variance. Everything else (inference, other shapes, other backends) keeps tfjs-layers'
 * own path. The values differ from tfjs' only by summation order.
 */
import { tf } from '../tf';
import type { Tensor, TensorInfo } from '@tensorflow/tfjs';
import type { HandleMetadata, NativeBackend, OpAttribute } from './mat-mul';

/** What this file reads of tfjs-layers' `BatchNormalization` layer. */
interface BatchNormalizationLayer {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: { read(): Tensor } | null;
  beta: { read(): Tensor } | null;
  movingMean: { read(): Tensor; write(value: Tensor): void };
  movingVariance: { read(): Tensor; write(value: Tensor): void };
  call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor;
}

function attributes(binding: NativeBackend['binding'], epsilon: number): OpAttribute[] {
  const b = binding as NativeBackend['binding'] & { TF_ATTR_FLOAT: number; TF_ATTR_STRING: number };
  return [
    { name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
    { name: 'U', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
    { name: 'epsilon', type: b.TF_ATTR_FLOAT, value: epsilon },
    { name: 'data_format', type: b.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: b.TF_ATTR_BOOL, value: true },
  ];
}

/** A tfjs tensor holding a TensorFlow handle (tfjs-node 4.22's `createOutputTensor` already makes a tracked tensor). */
function tensorOf(backend: NativeBackend, handle: HandleMetadata): Tensor {
  const info: TensorInfo = backend.createOutputTensor(handle);
  if (info instanceof tf.Tensor) return info;
  return (tf.engine() as unknown as { makeTensorFromTensorInfo(info: TensorInfo): Tensor }).makeTensorFromTensorInfo(info);
}

/**
 * Batch normalisation of `x` (NHWC) with the batch's own statistics, by TensorFlow's `FusedBatchNormV3`, its gradient
 * by `FusedBatchNormGradV3` (chapter 7). Returns the normalised tensor and the batch's mean and biased variance (kept:
 * the caller disposes them). Only on the native rung.
 */
export function fusedBatchNormTraining(x: Tensor, scale: Tensor, offset: Tensor, epsilon: number): { normalised: Tensor; mean: Tensor; variance: Tensor } {
  const backend = tf.backend() as unknown as NativeBackend;
  const { binding } = backend;
  let statistics: [Tensor, Tensor] | null = null;
  const normalise = tf.customGrad(((input: Tensor, gamma: Tensor, beta: Tensor, save: (tensors: Tensor[]) => void) => {
    const empty = tf.tensor1d([], 'float32');
    const [ids, emptyId] = [backend.getInputTensorIds([input, gamma, beta]), backend.getInputTensorIds([empty])[0] as number];
    const outputs = binding.executeOp('FusedBatchNormV3', attributes(binding, epsilon), [...ids, emptyId, emptyId], 6) as HandleMetadata[];
    empty.dispose();
    // y, batch_mean, batch_variance (Bessel-corrected, for Keras' moving averages), then the reserves:
    // the batch's mean and biased variance (what tfjs' moments give) and the kernel's own scratch.
    const [y, batchMean, batchVariance, reserveMean, reserveVariance, reserveScratch] = outputs as HandleMetadata[];
    binding.deleteTensor((batchMean as HandleMetadata).id);
    binding.deleteTensor((batchVariance as HandleMetadata).id);
    const saved = [reserveMean, reserveVariance, reserveScratch].map((h) => tensorOf(backend, h as HandleMetadata)) as [Tensor, Tensor, Tensor];
    statistics = [tf.keep(saved[0].clone()), tf.keep(saved[1].clone())];
    save([input, gamma, ...saved]);
    return {
      value: tensorOf(backend, y as HandleMetadata),
      gradFunc: (dy: Tensor, kept: Tensor[]) => {
        const inputs = backend.getInputTensorIds([dy, ...kept]);
        const grads = binding.executeOp('FusedBatchNormGradV3', attributes(binding, epsilon), inputs, 5) as HandleMetadata[];
        binding.deleteTensor((grads[3] as HandleMetadata).id);
        binding.deleteTensor((grads[4] as HandleMetadata).id);
        return grads.slice(0, 3).map((h) => tensorOf(backend, h));
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const normalised = normalise(x, scale, offset);
  const [mean, variance] = statistics as unknown as [Tensor, Tensor];
  return { normalised, mean, variance };
}

/** Whether a layer's training call can take the fused path: native rung, NHWC float32, scale and offset. */
function fusable(layer: BatchNormalizationLayer, input: Tensor): boolean {
  return (
    tf.getBackend() === 'tensorflow' && input.rank === 4 && input.dtype === 'float32' && (layer.axis === -1 || layer.axis === 3) &&
    layer.center && layer.scale && layer.gamma !== null && layer.beta !== null
  );
}

let installed = false;
let enabled = true;

/**
 * Turns the fused path on or off (chapter 7; on by default once installed): for
 * measuring it against tfjs-layers' own path in one process.
 */
export function setFusedBatchNorm(on: boolean): void {
  enabled = on;
}

/**
 * Routes tfjs-layers' `BatchNormalization` training calls on the native rung through `fusedBatchNormTraining`
 * (chapter 7); `registerNativeKernels` calls it once. Other calls keep the layer's own code.
 */
export function installFusedBatchNorm(): void {
  if (installed) return;
  installed = true;
  const prototype = Object.getPrototypeOf(tf.layers.batchNormalization({})) as BatchNormalizationLayer;
  const original = prototype.call;
  prototype.call = function call(this: BatchNormalizationLayer, inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!enabled || kwargs['training'] !== true || !input || (Array.isArray(inputs) && inputs.length !== 1) || !fusable(this, input)) {
      return original.call(this, inputs, kwargs);
    }
    return tf.tidy(() => {
      const { normalised, mean, variance } = fusedBatchNormTraining(input, (this.gamma as { read(): Tensor }).read(), (this.beta as { read(): Tensor }).read(), this.epsilon);
      // tfjs-layers' moving averages, operation for operation.
      const movingAverage = (variable: BatchNormalizationLayer['movingMean'], value: Tensor): void => {
        tf.tidy(() => {
          const decay = 1 - this.momentum;
          const origValue = variable.read();
          const updateDelta = tf.mul(tf.sub(origValue, value), decay);
          variable.write(tf.sub(origValue, updateDelta));
        });
      };
      movingAverage(this.movingMean, mean);
      movingAverage(this.movingVariance, variance);
      tf.dispose([mean, variance]);
      return normalised;
    });
  };
}
