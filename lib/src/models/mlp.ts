/**
 * Multilayer perceptrons and LeNet (chapters 5 and 7): small builders over
 * tf.layers whose initialisers are all seeded through `nextSeed()`, so the
 * same `seed(n)` gives the same starting weights.
 */
import { tf } from '../backend/tf';
import type { Sequential } from '@tensorflow/tfjs';
import { nextSeed } from '../util/random';

/** The activations the builders accept (chapter 5). */
export type LayerActivationName = 'relu' | 'tanh' | 'sigmoid' | 'elu' | 'selu' | 'gelu' | 'linear' | 'softmax' | 'swish';

/**
 * Momentum of the running mean and variance that batch normalisation uses at
 * inference (chapter 7): 0.9, PyTorch's default, rather than Keras' 0.99, so
 * that the statistics catch up within the few hundred steps of a book-sized
 * run (with 0.99 they still remember the initial 0 and 1 after 100 steps).
 */
export const BATCH_NORM_MOMENTUM = 0.9;

/** Seeded He-normal initialiser, the usual choice before ReLU (chapter 5). */
export function heNormal(): ReturnType<typeof tf.initializers.heNormal> {
  return tf.initializers.heNormal({ seed: nextSeed() });
}

/** Seeded Glorot-uniform initialiser, the Keras default (chapter 5). */
export function glorotUniform(): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform({ seed: nextSeed() });
}

/** Options of `mlp` (chapter 5). */
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

function checkPositiveIntegers(what: string, values: number[]): void {
  for (const v of values) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${what} must be positive integers, got [${values.join(', ')}].`);
  }
}

/**
 * A multilayer perceptron (chapter 5): dense layers with `activation`,
 * optional batch norm, dropout and weight decay, and a dense output layer.
 */
export function mlp(options: MlpOptions): Sequential {
  checkPositiveIntegers('mlp: inputShape', options.inputShape);
  checkPositiveIntegers('mlp: hidden sizes', options.hidden);
  checkPositiveIntegers('mlp: outputs', [options.outputs]);
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
    // No fixed seed here: tfjs would then drop the same units in every batch.
    // The masks come from Math.random, which seed() makes repeatable.
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

/** Options of `lenet` (chapter 7). */
export interface LenetOptions {
  /** Shape of one image (default [28, 28, 1]). */
  inputShape?: number[];
  /** Classes (default 10). */
  classes?: number;
  /** Filters of the two convolutions (default [6, 16], as in LeNet-5). */
  filters?: [number, number];
  /** Units of the two hidden dense layers (default [120, 84]). */
  dense?: [number, number];
  /** Activation (default relu; LeNet-5 used sigmoid-like tanh). */
  activation?: LayerActivationName;
  /** Batch normalisation after each convolution (default false). */
  batchNorm?: boolean;
}

/**
 * A LeNet-5 style CNN (chapter 7): conv 5x5 (same) - pool - conv 5x5 - pool -
 * dense - dense - softmax. Max pooling replaces the original average pooling.
 */
export function lenet(options: LenetOptions = {}): Sequential {
  const inputShape = options.inputShape ?? [28, 28, 1];
  if (inputShape.length !== 3) throw new Error(`lenet: inputShape must be [height, width, channels], got [${inputShape.join(', ')}].`);
  checkPositiveIntegers('lenet: inputShape', inputShape);
  const [f1, f2] = options.filters ?? [6, 16];
  const [d1, d2] = options.dense ?? [120, 84];
  const activation = options.activation ?? 'relu';
  const model = tf.sequential({ name: 'lenet' });
  const conv = (filters: number, first: boolean, padding: 'same' | 'valid'): void => {
    model.add(
      tf.layers.conv2d({
        filters,
        kernelSize: 5,
        padding,
        activation: options.batchNorm ? 'linear' : activation,
        kernelInitializer: heNormal(),
        ...(first ? { inputShape } : {}),
      }),
    );
    if (options.batchNorm) {
      model.add(tf.layers.batchNormalization({ momentum: BATCH_NORM_MOMENTUM }));
      model.add(tf.layers.activation({ activation }));
    }
    model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  };
  conv(f1, true, 'same');
  conv(f2, false, 'valid');
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: d1, activation, kernelInitializer: heNormal() }));
  model.add(tf.layers.dense({ units: d2, activation, kernelInitializer: heNormal() }));
  model.add(tf.layers.dense({ units: options.classes ?? 10, activation: 'softmax', kernelInitializer: glorotUniform() }));
  return model;
}
