/** Q-networks (chapter 9): an MLP from an observation to one Q-value per action, and the weight copies DQN needs. */
import { tf, type LayersModel, type Sequential } from '../backend/tf';
import { checkPositiveIntegers } from '../util/validate';

/** The hidden layers of the book's Q-network: the default of `createQNetwork`, `DqnAgent` and `trainDqn`. */
export const DQN_HIDDEN_UNITS: readonly number[] = Object.freeze([64, 64]);

export interface QNetworkOptions {
  /** Length of an observation (4 for CartPole). */
  inputSize: number;
  /** Number of discrete actions (2 for CartPole). */
  actionCount: number;
  /** Units of each hidden layer, default `DQN_HIDDEN_UNITS` (64, 64). */
  hiddenUnits?: readonly number[];
  /** Hidden activation, default `'relu'`. */
  activation?: 'relu' | 'tanh' | 'elu';
  /** Model name, handy to tell the online and the target network apart. */
  name?: string;
  /** Fixed per-feature factors on the observation (a frozen diagonal first layer), bringing features to one scale. */
  inputScale?: readonly number[] | null;
}

/** A Q-network `inputSize -> hiddenUnits... -> actionCount`: ReLU hidden layers, linear output, tfjs' seeded initialisers. */
export function createQNetwork(options: QNetworkOptions): Sequential {
  const { inputSize, actionCount } = options;
  const hiddenUnits = options.hiddenUnits ?? DQN_HIDDEN_UNITS;
  checkPositiveIntegers('createQNetwork', { inputSize });
  if (!Number.isInteger(actionCount) || actionCount < 2) {
    throw new Error(`createQNetwork: actionCount must be an integer >= 2 (a choice needs two actions), got ${actionCount}.`);
  }
  checkPositiveIntegers('createQNetwork', { hiddenUnits });
  const scale = options.inputScale ?? null;
  if (scale !== null && (scale.length !== inputSize || !scale.every((v) => Number.isFinite(v) && v !== 0))) {
    throw new Error(`createQNetwork: inputScale must hold ${inputSize} finite non-zero numbers, got [${scale.join(', ')}].`);
  }
  const model = tf.sequential({ name: options.name });
  if (scale !== null) {
    const diagonal = new Float32Array(inputSize * inputSize);
    scale.forEach((v, i) => (diagonal[i * inputSize + i] = v));
    const kernel = tf.tensor2d(diagonal, [inputSize, inputSize]);
    model.add(
      tf.layers.dense({
        units: inputSize,
        inputShape: [inputSize],
        useBias: false,
        trainable: false,
        weights: [kernel],
      }),
    );
    kernel.dispose();
  }
  const first = (i: number) => (i === 0 && scale === null ? [inputSize] : undefined);
  hiddenUnits.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: options.activation ?? 'relu',
        inputShape: first(i),
        kernelInitializer: 'heUniform',
      }),
    );
  });
  model.add(tf.layers.dense({ units: actionCount, inputShape: hiddenUnits.length === 0 ? first(0) : undefined }));
  return model;
}

/** Weights in layer order (`model.weights` lists trainable ones first, which differs once a network is frozen). */
function layerWeights(model: LayersModel) {
  return model.layers.flatMap((layer) => layer.weights);
}

function checkSameShapes(source: LayersModel, target: LayersModel, caller: string): void {
  const a = layerWeights(source);
  const b = layerWeights(target);
  if (a.length !== b.length || a.some((w, i) => w.shape.join('x') !== (b[i] as typeof w).shape.join('x'))) {
    throw new Error(`${caller}: the two networks have different architectures; build both with the same createQNetwork options.`);
  }
}

/** Copies every weight of `source` into `target`: DQN's hard target-network update. */
export function copyWeights(source: LayersModel, target: LayersModel): void {
  checkSameShapes(source, target, 'copyWeights');
  const targetWeights = layerWeights(target);
  tf.tidy(() => {
    layerWeights(source).forEach((w, i) => (targetWeights[i] as typeof w).write(w.read().clone()));
  });
}

/** The soft (Polyak) update `target = tau * source + (1 - tau) * target`. */
export function softUpdateWeights(source: LayersModel, target: LayersModel, tau: number): void {
  if (!(tau > 0 && tau <= 1)) throw new Error(`softUpdateWeights: tau must be in (0, 1], got ${tau}.`);
  checkSameShapes(source, target, 'softUpdateWeights');
  const targetWeights = layerWeights(target);
  tf.tidy(() => {
    layerWeights(source).forEach((w, i) => {
      const t = targetWeights[i] as typeof w;
      t.write(tf.add(tf.mul(w.read(), tau), tf.mul(t.read(), 1 - tau)));
    });
  });
}

/** A copy of a network's weights as plain typed arrays, e.g. the best checkpoint. */
export function weightSnapshot(model: LayersModel): Float32Array[] {
  return layerWeights(model).map((w) => Float32Array.from(w.read().dataSync()));
}

/** Writes a `weightSnapshot` back into a network of the same architecture. */
export function restoreWeights(model: LayersModel, snapshot: Float32Array[]): void {
  const weights = layerWeights(model);
  if (snapshot.length !== weights.length) {
    throw new Error(`restoreWeights: the snapshot has ${snapshot.length} arrays but the network ${weights.length} weights.`);
  }
  tf.tidy(() => {
    weights.forEach((w, i) => {
      const values = snapshot[i] as Float32Array;
      const size = (w.shape as number[]).reduce((a, b) => a * b, 1);
      if (values.length !== size) {
        throw new Error(`restoreWeights: weight ${w.name} needs ${size} numbers, the snapshot has ${values.length}.`);
      }
      w.write(tf.tensor(values, w.shape as number[]));
    });
  });
}
