/** Multilayer perceptrons (chapter 5) over tf.layers, with optional batch norm, dropout and weight decay, seeded. */
import { tf } from '../backend/tf';
import type { Sequential } from '@tensorflow/tfjs';
import { BATCH_NORM_MOMENTUM, glorotUniform, heNormal, type LayerActivationName } from './layers';
import { checkPositiveIntegers } from '../util/validate';

export interface MlpOptions {
  /** Shape of one sample: [784], or [28, 28, 1] (flattened first). */
  inputShape: number[];
  /** Units of each hidden layer, e.g. [256, 128]. */
  hidden: number[];
  /** Output units (classes). */
  outputs: number;
  /** Hidden activation (default relu). */
  activation?: LayerActivationName;
  /** Output activation (default softmax; 'linear' for logits or regression). */
  outputActivation?: LayerActivationName;
  /** Dropout rate after each hidden layer (default 0). */
  dropout?: number;
  /** Dropout rate on the input pixels or features (default 0; Hinton et al. used 0.2). */
  inputDropout?: number;
  /** L2 penalty `weightDecay * sum(w^2)` on every kernel (default 0). */
  weightDecay?: number;
  /** Batch normalisation after each hidden dense layer (default false). */
  batchNorm?: boolean;
  name?: string;
}

/** Dense layers with `activation`, optional batch norm, dropout and weight decay, and a dense output layer. */
export function mlp(options: MlpOptions): Sequential {
  checkPositiveIntegers('mlp', { inputShape: options.inputShape, hidden: options.hidden, outputs: options.outputs });
  const dropout = options.dropout ?? 0;
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`mlp: dropout must be in [0, 1), got ${dropout}.`);
  const decay = options.weightDecay ?? 0;
  if (!(decay >= 0)) throw new Error(`mlp: weightDecay must be >= 0, got ${decay}.`);
  const regulariser = decay > 0 ? () => tf.regularizers.l2({ l2: decay }) : () => undefined;
  const inputDropout = options.inputDropout ?? 0;
  if (!(inputDropout >= 0 && inputDropout < 1)) throw new Error(`mlp: inputDropout must be in [0, 1), got ${inputDropout}.`);
  const model = tf.sequential(options.name ? { name: options.name } : {});
  if (options.inputShape.length > 1) model.add(tf.layers.flatten({ inputShape: options.inputShape }));
  if (inputDropout > 0) model.add(tf.layers.dropout({ rate: inputDropout, ...(options.inputShape.length === 1 ? { inputShape: options.inputShape } : {}) }));
  const inputDeclared = options.inputShape.length > 1 || inputDropout > 0;
  options.hidden.forEach((units, i) => {
    const first = i === 0 && !inputDeclared;
    model.add(
      tf.layers.dense({
        units,
        activation: options.batchNorm ? 'linear' : (options.activation ?? 'relu'),
        kernelInitializer: (options.activation ?? 'relu') === 'relu' ? heNormal() : glorotUniform(),
        ...(first ? { inputShape: options.inputShape } : {}),
        ...(decay > 0 ? { kernelRegularizer: regulariser() } : {}),
      }),
    );
    if (options.batchNorm) {
      model.add(tf.layers.batchNormalization({ momentum: BATCH_NORM_MOMENTUM }));
      model.add(tf.layers.activation({ activation: options.activation ?? 'relu' }));
    }
    // No fixed seed: tfjs would drop the same units in every batch; `seed()` makes Math.random repeatable.
    if (dropout > 0) model.add(tf.layers.dropout({ rate: dropout }));
  });
  model.add(
    tf.layers.dense({
      units: options.outputs,
      activation: options.outputActivation ?? 'softmax',
      kernelInitializer: glorotUniform(),
      ...(options.hidden.length === 0 && !inputDeclared ? { inputShape: options.inputShape } : {}),
      ...(decay > 0 ? { kernelRegularizer: regulariser() } : {}),
    }),
  );
  return model;
}
