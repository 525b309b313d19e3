/**
 * A multilayer network by hand (chapters 3-4). A batch X is m×n, Wˡ is n_{l−1}×n_l, bˡ 1×n_l:
 *   Zˡ = Aˡ⁻¹ Wˡ + bˡ,   Aˡ = f_l(Zˡ),   A⁰ = X.
 * Backward, the delta rule (δˡ = ∂L/∂Zˡ):
 *   δᴸ = ∂L/∂Aᴸ ⊙ f_L'(Zᴸ)         (softmax + cross-entropy: δᴸ = (softmax(Zᴸ) − Y)/m)
 *   δˡ = (δˡ⁺¹ (Wˡ⁺¹)ᵀ) ⊙ f_l'(Zˡ),   ∂L/∂Wˡ = (Aˡ⁻¹)ᵀ δˡ,   ∂L/∂bˡ = column sums of δˡ.
 */
import { Activation, ActivationName, activationDerivative, applyActivation, getActivation } from './activations';
import { checkPositiveIntegers } from '../util/validate';
import { getLoss, Loss, LossName, softmax } from './losses';
import { Matrix, shapeText } from './matrix';
import { Random, rng } from '../util/random';

/** One dense layer: Z = A W + b, then f(Z) entry-wise. */
export class DenseLayer {
  /** n_in × n_out. */
  weights: Matrix;
  /** 1 × n_out. */
  bias: Matrix;
  readonly activation: Activation;

  /** Glorot-normal weights (σ = √(2/(n_in+n_out))), He-normal (√(2/n_in)) for relu, from `rng()`; zero biases. */
  constructor(inputSize: number, outputSize: number, activation: ActivationName | Activation = 'tanh', random: Random = rng()) {
    checkPositiveIntegers('DenseLayer', { inputSize, outputSize });
    this.activation = typeof activation === 'string' ? getActivation(activation) : activation;
    const standardDeviation = this.activation.name === 'relu' ? Math.sqrt(2 / inputSize) : Math.sqrt(2 / (inputSize + outputSize));
    this.weights = Matrix.randomNormal(inputSize, outputSize, standardDeviation, random);
    this.bias = Matrix.zeros(1, outputSize);
  }

  /** n_in. */
  get inputSize(): number {
    return this.weights.rows;
  }

  /** n_out. */
  get outputSize(): number {
    return this.weights.cols;
  }

  /** Z = A W + b and f(Z) for a batch `input` of shape m × n_in. */
  forward(input: Matrix): { preActivation: Matrix; activation: Matrix } {
    if (input.cols !== this.inputSize) {
      throw new Error(
        `DenseLayer.forward: the input is ${shapeText(input)} but this layer expects ${this.inputSize} columns ` +
          `(m×${this.inputSize}, one example per row).`,
      );
    }
    const preActivation = input.matmul(this.weights).addRowVector(this.bias);
    return { preActivation, activation: applyActivation(this.activation, preActivation) };
  }
}

/** What the forward pass remembers for the backward pass. */
export interface ForwardCache {
  /** Zˡ for l = 1..L, at index l − 1. */
  preActivations: Matrix[];
  /** Aˡ for l = 0..L, at index l; A⁰ is the input X. */
  activations: Matrix[];
}

/** Gradients from `backward`, one entry per layer. */
export interface NetworkGradients {
  /** ∂L/∂Wˡ, same shape as Wˡ. */
  weights: Matrix[];
  /** ∂L/∂bˡ, 1 × n_l. */
  biases: Matrix[];
  /** δˡ = ∂L/∂Zˡ, m × n_l. */
  deltas: Matrix[];
}

export interface NeuralNetworkOptions {
  /** Layer widths from input to output, e.g. [2, 16, 16, 2]. */
  sizes: number[];
  /** Activation of every hidden layer (default 'tanh'). */
  hiddenActivation?: ActivationName;
  /** Activation of the last layer (default 'identity'; must be 'identity' with softmaxCrossEntropy). */
  outputActivation?: ActivationName;
  /** Default 'meanSquaredError'. */
  loss?: LossName;
  /** Generator for the initial weights (default dlkit's seeded `rng()`). */
  random?: Random;
}

/** Anything that updates parameters in place from their gradients. */
export interface ParameterUpdater {
  step(parameters: Matrix[], gradients: Matrix[]): void;
}

/** A multilayer network of dense layers with hand-written backpropagation. */
export class NeuralNetwork {
  readonly layers: DenseLayer[];
  readonly loss: Loss;
  /** Filled by `forward`, read by `backward`. */
  cache: ForwardCache | null = null;

  constructor(options: NeuralNetworkOptions) {
    const { sizes } = options;
    if (!Array.isArray(sizes) || sizes.length < 2) {
      throw new Error(`NeuralNetwork: sizes must list at least an input and an output width, e.g. [2, 8, 1]; got ${JSON.stringify(sizes)}.`);
    }
    this.loss = getLoss(options.loss ?? 'meanSquaredError');
    const output = options.outputActivation ?? 'identity';
    if (this.loss.name === 'softmaxCrossEntropy' && output !== 'identity') {
      throw new Error(
        `NeuralNetwork: with softmaxCrossEntropy the last layer must output logits (outputActivation 'identity'), got '${output}'; ` +
          'the softmax is part of the loss.',
      );
    }
    const random = options.random ?? rng();
    this.layers = [];
    for (let l = 1; l < sizes.length; l++) {
      const activation = l === sizes.length - 1 ? output : (options.hiddenActivation ?? 'tanh');
      this.layers.push(new DenseLayer(sizes[l - 1]!, sizes[l]!, activation, random));
    }
  }

  /** Layer widths from input to output. */
  get sizes(): number[] {
    return [this.layers[0]!.inputSize, ...this.layers.map((layer) => layer.outputSize)];
  }

  /** Runs X (m × n_0) through every layer, caching Z and A; returns Aᴸ (logits for softmaxCrossEntropy). */
  forward(inputs: Matrix): Matrix {
    const preActivations: Matrix[] = [];
    const activations: Matrix[] = [inputs];
    let current = inputs;
    for (const layer of this.layers) {
      const { preActivation, activation } = layer.forward(current);
      preActivations.push(preActivation);
      activations.push(activation);
      current = activation;
    }
    this.cache = { preActivations, activations };
    return current;
  }

  /** The output a reader wants: probabilities (softmax of the logits) for softmaxCrossEntropy, Aᴸ otherwise. */
  predict(inputs: Matrix): Matrix {
    const output = this.forward(inputs);
    return this.loss.name === 'softmaxCrossEntropy' ? softmax(output) : output;
  }

  /** The loss on a batch (runs `forward`, so the cache is ready for `backward`). */
  computeLoss(inputs: Matrix, targets: Matrix): number {
    return this.loss.value(this.forward(inputs), targets);
  }

  /** The delta rule on the last `forward`'s cache: ∂L/∂Wˡ, ∂L/∂bˡ and the deltas δˡ. */
  backward(targets: Matrix): NetworkGradients {
    const cache = this.cache;
    if (!cache) throw new Error('NeuralNetwork.backward: call forward (or computeLoss) first; backward reuses its cached Z and A.');
    const depth = this.layers.length;
    const output = cache.activations[depth]!;
    if (targets.rows !== output.rows || targets.cols !== output.cols) {
      throw new Error(
        `NeuralNetwork.backward: the targets are ${shapeText(targets)} but the last forward pass produced ${shapeText(output)}; ` +
          'pass the targets of the same batch.',
      );
    }
    const weights: Matrix[] = new Array<Matrix>(depth);
    const biases: Matrix[] = new Array<Matrix>(depth);
    const deltas: Matrix[] = new Array<Matrix>(depth);
    // ∂L/∂Aᴸ; for softmax cross-entropy the loss gradient is already taken with respect to the logits.
    let outputGradient = this.loss.gradient(output, targets);
    for (let l = depth - 1; l >= 0; l--) {
      const layer = this.layers[l]!;
      const delta = outputGradient.hadamard(activationDerivative(layer.activation, cache.preActivations[l]!));
      deltas[l] = delta;
      weights[l] = cache.activations[l]!.transpose().matmul(delta);
      biases[l] = delta.columnSums();
      if (l > 0) outputGradient = delta.matmul(layer.weights.transpose());
    }
    return { weights, biases, deltas };
  }

  /** Every parameter in a fixed order: W¹, b¹, W², b², ... (the matrices themselves, not copies). */
  parameters(): Matrix[] {
    return this.layers.flatMap((layer) => [layer.weights, layer.bias]);
  }

  /** Names in the order of `parameters()`: 'W1', 'b1', 'W2', .... */
  parameterNames(): string[] {
    return this.layers.flatMap((_, l) => [`W${l + 1}`, `b${l + 1}`]);
  }

  /** Gradients in the order of `parameters()`. */
  static gradientList(gradients: NetworkGradients): Matrix[] {
    return gradients.weights.flatMap((w, l) => [w, gradients.biases[l]!]);
  }

  /** Forward, backward and one optimiser step on a batch; returns the loss before the step. */
  trainStep(inputs: Matrix, targets: Matrix, optimizer: ParameterUpdater): number {
    const lossValue = this.computeLoss(inputs, targets);
    const gradients = this.backward(targets);
    optimizer.step(this.parameters(), NeuralNetwork.gradientList(gradients));
    return lossValue;
  }

  /** A deep copy: same weights, independent matrices. */
  clone(): NeuralNetwork {
    const copy = Object.create(NeuralNetwork.prototype) as NeuralNetwork;
    const layers = this.layers.map((layer) => {
      const clone = Object.create(DenseLayer.prototype) as DenseLayer;
      Object.assign(clone, { weights: layer.weights.clone(), bias: layer.bias.clone(), activation: layer.activation });
      return clone;
    });
    Object.assign(copy, { layers, loss: this.loss, cache: null });
    return copy;
  }
}
