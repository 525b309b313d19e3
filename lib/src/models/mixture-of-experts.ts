/**
 * A mixture-of-experts layer with top-k routing and a load-balancing loss (chapter 12; Shazeer et al. 2017,
 * Fedus et al. 2021): compute per input grows with k, parameters with the number of experts.
 */
import { tf } from '../backend/tf';
import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs';
import { heNormal, glorotUniform } from './layers';
import { crossEntropyFromLogits } from '../util/cross-entropy';
import { checkPositiveIntegers } from '../util/validate';

export interface MixtureOfExpertsOptions {
  /** Width of each input vector (a token, or a flattened image). */
  inputs: number;
  /** Width of each output vector. */
  outputs: number;
  /** Number of experts E; each is a two-layer feed-forward network inputs → hidden (ReLU) → outputs. */
  experts: number;
  expertHidden: number;
  /** Experts used per input (k ≤ E). */
  topK: number;
  name?: string;
}

/** The forward pass of a mixture-of-experts layer. */
export interface MixtureOfExpertsOutput {
  output: Tensor;
  /** Switch-Transformer balance loss E · Σ_i f_i · P_i: 1 when routing is uniform, up to E when one expert takes all. */
  balanceLoss: Scalar;
  /** Router probabilities [n, E] (softmax of the router's scores). */
  probabilities: Tensor;
  /** The gates actually applied [n, E]: the top-k probabilities renormalised to sum to 1, zeros elsewhere. */
  gates: Tensor;
}

/**
 * A mixture-of-experts layer: gates g are the k largest of p = softmax(x W_r), renormalised; the output is
 * Σ_i g_i · expert_i(x). This version evaluates every expert (unused ones times a zero gate); `flopsPerInput`
 * counts the dispatched version, which is where the saving comes from.
 */
export class MixtureOfExperts {
  readonly options: Required<MixtureOfExpertsOptions>;
  readonly router: Variable;
  readonly hiddenWeights: Variable;
  readonly hiddenBias: Variable;
  readonly outputWeights: Variable;
  readonly outputBias: Variable;

  constructor(options: MixtureOfExpertsOptions) {
    const { inputs, outputs, experts, expertHidden, topK } = options;
    checkPositiveIntegers('MixtureOfExperts', { inputs, outputs, experts, expertHidden, topK });
    if (topK > experts) throw new Error(`MixtureOfExperts: topK (${topK}) cannot exceed the number of experts (${experts}).`);
    this.options = { ...options, name: options.name ?? 'moe' };
    this.router = tf.variable(glorotUniform().apply([inputs, experts]) as Tensor, true);
    this.hiddenWeights = tf.variable(heNormal().apply([inputs, experts * expertHidden]) as Tensor, true);
    this.hiddenBias = tf.variable(tf.zeros([experts * expertHidden]), true);
    this.outputWeights = tf.variable(glorotUniform().apply([experts, expertHidden, outputs]) as Tensor, true);
    this.outputBias = tf.variable(tf.zeros([experts, outputs]), true);
  }

  get trainableVariables(): Variable[] {
    return [this.router, this.hiddenWeights, this.hiddenBias, this.outputWeights, this.outputBias];
  }

  /** Number of weights of the layer: router plus E experts. */
  countParams(): number {
    const { inputs, outputs, experts, expertHidden } = this.options;
    return inputs * experts + experts * (inputs * expertHidden + expertHidden + expertHidden * outputs + outputs);
  }

  /** FLOPs of one input's forward pass dispatched to its k experts (router plus k experts, 2 per multiply-add). */
  get flopsPerInput(): number {
    const { inputs, outputs, experts, expertHidden, topK } = this.options;
    return 2 * inputs * experts + topK * 2 * (inputs * expertHidden + expertHidden * outputs);
  }

  /** Router probabilities and top-k gates for a batch x [n, inputs]. */
  route(x: Tensor): { probabilities: Tensor; gates: Tensor } {
    const { experts, topK } = this.options;
    if (x.rank !== 2 || x.shape[1] !== this.options.inputs) {
      throw new Error(`MixtureOfExperts: expected inputs of shape [n, ${this.options.inputs}], got [${x.shape.join(', ')}]; flatten images first.`);
    }
    return tf.tidy(() => {
      const probabilities = tf.softmax(tf.matMul(x, this.router));
      if (topK === experts) return { probabilities, gates: probabilities.clone() };
      // The choice of experts is not differentiated: the mask is rebuilt from plain numbers, a leaf of the graph.
      const { indices } = tf.topk(probabilities, topK);
      const chosen = tf.tensor(indices.dataSync(), indices.shape, 'int32');
      const mask = tf.sum(tf.oneHot(chosen, experts), 1);
      const kept = tf.mul(probabilities, mask);
      return { probabilities, gates: tf.div(kept, tf.sum(kept, 1, true)) };
    });
  }

  /** The forward pass for a batch x [n, inputs]. */
  apply(x: Tensor): MixtureOfExpertsOutput {
    const { experts, expertHidden, outputs, topK } = this.options;
    return tf.tidy(() => {
      const n = x.shape[0] as number;
      const { probabilities, gates } = this.route(x);
      const hidden = tf.relu(tf.add(tf.matMul(x, this.hiddenWeights), this.hiddenBias));
      const perExpert = tf.transpose(tf.reshape(hidden, [n, experts, expertHidden]), [1, 0, 2]);
      const expertOutputs = tf.add(tf.matMul(perExpert, this.outputWeights), tf.expandDims(this.outputBias, 1));
      const output = tf.sum(tf.mul(tf.transpose(expertOutputs, [1, 0, 2]), tf.expandDims(gates, 2)), 1);
      // f_i: share of the n·k routing assignments that went to expert i (no gradient); P_i: mean router probability.
      const used = tf.tensor(Array.from(gates.dataSync(), (g) => (g > 0 ? 1 : 0)), gates.shape as [number, number]);
      const assigned = tf.div(tf.sum(used, 0), n * topK);
      const balanceLoss = tf.mul(experts, tf.sum(tf.mul(assigned, tf.mean(probabilities, 0)))) as Scalar;
      return { output: tf.reshape(output, [n, outputs]), balanceLoss, probabilities, gates };
    });
  }

  /** Inputs routed to each expert (counting all k choices per input) and each expert's mean router probability. */
  routingStatistics(x: Tensor): { assignments: number[]; meanProbability: number[] } {
    return tf.tidy(() => {
      const { probabilities, gates } = this.route(x);
      return {
        assignments: Array.from(tf.sum(tf.cast(tf.greater(gates, 0), 'float32'), 0).dataSync()),
        meanProbability: Array.from(tf.mean(probabilities, 0).dataSync()),
      };
    });
  }

  dispose(): void {
    tf.dispose(this.trainableVariables);
  }
}

/**
 * A classifier with a mixture-of-experts hidden layer: inputs → MoE → ReLU → dense softmax, loss = cross-entropy
 * + `balanceWeight` × balance loss. One expert with k = 1 is its dense counterpart of width `expertHidden`.
 */
export class MixtureOfExpertsClassifier {
  readonly layer: MixtureOfExperts;
  readonly classifier: Variable;
  readonly classifierBias: Variable;
  readonly balanceWeight: number;

  constructor(options: MixtureOfExpertsOptions & { classes: number; balanceWeight?: number }) {
    this.layer = new MixtureOfExperts(options);
    checkPositiveIntegers('MixtureOfExpertsClassifier', { classes: options.classes });
    this.balanceWeight = options.balanceWeight ?? 0.01;
    if (!(this.balanceWeight >= 0)) throw new Error(`MixtureOfExpertsClassifier: balanceWeight must be >= 0, got ${this.balanceWeight}.`);
    this.classifier = tf.variable(glorotUniform().apply([options.outputs, options.classes]) as Tensor, true);
    this.classifierBias = tf.variable(tf.zeros([options.classes]), true);
  }

  get trainableVariables(): Variable[] {
    return [...this.layer.trainableVariables, this.classifier, this.classifierBias];
  }

  /** Number of weights of the whole classifier. */
  countParams(): number {
    return this.layer.countParams() + this.classifier.size + this.classifierBias.size;
  }

  /** FLOPs of one input's forward pass, dispatched. */
  get flopsPerInput(): number {
    return this.layer.flopsPerInput + 2 * this.classifier.size;
  }

  private logits(x: Tensor): { logits: Tensor; balanceLoss: Scalar } {
    const flat = x.rank === 2 ? x : tf.reshape(x, [x.shape[0] as number, -1]);
    const { output, balanceLoss } = this.layer.apply(flat);
    return { logits: tf.add(tf.matMul(tf.relu(output), this.classifier), this.classifierBias), balanceLoss };
  }

  predict(x: Tensor): Tensor {
    return tf.tidy(() => tf.softmax(this.logits(x).logits));
  }

  /** Mean cross-entropy with integer labels plus the weighted balance loss. */
  loss(batch: { x: Tensor; y: Tensor }, _training: boolean): { loss: Scalar; outputs: Tensor } {
    const { logits, balanceLoss } = this.logits(batch.x);
    const crossEntropy = batch.y.rank === 1 ? crossEntropyFromLogits(logits, batch.y) : (tf.losses.softmaxCrossEntropy(batch.y, logits) as Scalar);
    return { loss: tf.add(crossEntropy, tf.mul(this.balanceWeight, balanceLoss)) as Scalar, outputs: tf.softmax(logits) };
  }

  dispose(): void {
    tf.dispose(this.trainableVariables);
  }
}
