/** Greedy actions of dense Q-networks in plain TypeScript (chapter 9), error-bounded: the tensor path's or none. */
import type { Sequential } from '../backend/tf';
import type { LayerVariable } from '@tensorflow/tfjs';

/** One dense layer of a `Sequential`, as `denseLayers` reads it. */
export interface DenseLayerWeights<Activation extends string = string> {
  /** Length of the layer's input (the kernel's first dimension). */
  inputs: number;
  /** Number of units (the kernel's second dimension). */
  outputs: number;
  /** The layer's own kernel variable, `[inputs, outputs]`; `read()` gives its current values. */
  kernel: LayerVariable;
  /** The layer's bias variable, `[outputs]`; null for a layer built with `useBias: false`. */
  bias: LayerVariable | null;
  /** The activation named in the layer's config (`'linear'` when it names none). */
  activation: Activation;
}

/** `model`'s layers as dense layers, or null unless all are float32 `Dense` on vectors with one of `activations`. */
export function denseLayers<Activation extends string>(model: Sequential, activations: readonly Activation[]): DenseLayerWeights<Activation>[] | null {
  const layers: DenseLayerWeights<Activation>[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'Dense') return null;
    const config = layer.getConfig() as { activation?: string; useBias?: boolean };
    const activation = (config.activation ?? 'linear') as Activation;
    if (!activations.includes(activation)) return null;
    const weights = layer.weights;
    const useBias = config.useBias !== false;
    if (weights.length !== (useBias ? 2 : 1)) return null;
    const kernel = weights[0];
    const bias = useBias ? (weights[1] ?? null) : null;
    if (!kernel || kernel.shape.length !== 2 || kernel.dtype !== 'float32') return null;
    const [inputs, outputs] = kernel.shape as [number, number];
    if (bias && (bias.shape.length !== 1 || bias.dtype !== 'float32' || bias.shape[0] !== outputs)) return null;
    const previous = layers[layers.length - 1];
    if (previous && previous.outputs !== inputs) return null;
    layers.push({ inputs, outputs, kernel, bias, activation });
  }
  return layers.length === 0 ? null : layers;
}


/** Unit roundoff of float32. */
const FLOAT32_UNIT_ROUNDOFF = 2 ** -24;
/** The smallest normal float32 (what flushing a subnormal to zero can lose). */
const FLOAT32_SMALLEST_NORMAL = 2 ** -126;
/** Comfortably below float32's largest value. */
const FLOAT32_LARGE = 2 ** 126;
/** An error bound below this keeps every partial sum of the tensor path far inside float32's range. */
const FLOAT32_SAFE_BOUND = 2 ** 100;

/** Activations a plain dense layer can apply exactly as the tensor path does (both are 1-Lipschitz and exact in floating point). */
const PLAIN_ACTIVATIONS = ['linear', 'relu', 'relu6'] as const;

interface PlainDenseLayer extends DenseLayerWeights<(typeof PLAIN_ACTIVATIONS)[number]> {
  /** Data identities the copies below were made from (null: not yet); a variable gets a new one when assigned. */
  kernelData: object | null;
  biasData: object | null;
  /** The kernel as tfjs stores it, `[inputs][outputs]`: one input's weights are contiguous. */
  weights: Float64Array;
  biases: Float64Array;
  /** Sum over inputs of |kernel| for each output: how much an error in the inputs can move it. */
  absoluteColumnSums: Float64Array;
  /** |kernel|, same layout: carries per-input error bounds forward in the careful pass. */
  absoluteWeights: Float64Array;
  /** Euclidean norm of each output's weights: with the input's norm, a bound on Σ|w·x| (Cauchy–Schwarz). */
  columnNorms: Float64Array;
  /** Bound on single-precision rounding in one output: (inputs + 2) unit roundoffs, a little widened. */
  roundingFactor: number;
}

/**
 * A float64 copy of a dense Q-network that picks greedy actions without tensors (acting through tfjs is mostly
 * overhead). Refreshed when a weight variable holds new data; it answers only when the best action leads every other
 * by more than the bound on any float32 evaluation's error, so always with the tensor path's action, else null.
 */
export class PlainDenseNetwork {
  private readonly layers: PlainDenseLayer[];
  private readonly model: Sequential;
  private readonly layerCount: number;
  private readonly buffers: [Float64Array, Float64Array];
  private readonly outputBounds: Float64Array;
  private readonly errors: [Float64Array, Float64Array];

  private constructor(model: Sequential, layers: PlainDenseLayer[]) {
    this.model = model;
    this.layers = layers;
    this.layerCount = model.layers.length;
    const widest = Math.max(...layers.map((l) => Math.max(l.inputs, l.outputs)));
    this.buffers = [new Float64Array(widest), new Float64Array(widest)];
    this.errors = [new Float64Array(widest), new Float64Array(widest)];
    this.outputBounds = new Float64Array((layers[layers.length - 1] as PlainDenseLayer).outputs);
  }

  /** A plain copy of `model` if every layer is a float32 `Dense` on vectors (linear, ReLU, ReLU6), else null; copied lazily. */
  static from(model: Sequential): PlainDenseNetwork | null {
    const layers = denseLayers(model, PLAIN_ACTIVATIONS);
    if (layers === null) return null;
    return new PlainDenseNetwork(
      model,
      layers.map((layer) => ({
        ...layer,
        kernelData: null,
        biasData: null,
        weights: new Float64Array(layer.inputs * layer.outputs),
        absoluteWeights: new Float64Array(layer.inputs * layer.outputs),
        biases: new Float64Array(layer.outputs),
        absoluteColumnSums: new Float64Array(layer.outputs),
        columnNorms: new Float64Array(layer.outputs),
        roundingFactor: (layer.inputs + 2) * FLOAT32_UNIT_ROUNDOFF * 1.01,
      })),
    );
  }

  /** Copies the weights of every layer whose variables hold new data since the last copy. */
  private refresh(): void {
    if (this.model.layers.length !== this.layerCount) throw new Error('PlainDenseNetwork: the model gained or lost layers; build a new PlainDenseNetwork.');
    for (const layer of this.layers) {
      const kernel = layer.kernel.read();
      const bias = layer.bias?.read() ?? null;
      if (kernel.dataId === layer.kernelData && (bias === null || bias.dataId === layer.biasData)) continue;
      const values = kernel.dataSync() as Float32Array;
      const { inputs, outputs, weights, absoluteWeights, absoluteColumnSums, columnNorms } = layer;
      weights.set(values);
      for (let k = 0; k < values.length; k++) absoluteWeights[k] = Math.abs(values[k] as number);
      absoluteColumnSums.fill(0);
      columnNorms.fill(0);
      for (let i = 0; i < inputs; i++) {
        const row = i * outputs;
        for (let o = 0; o < outputs; o++) {
          const w = values[row + o] as number;
          absoluteColumnSums[o] += Math.abs(w);
          columnNorms[o] += w * w;
        }
      }
      for (let o = 0; o < outputs; o++) columnNorms[o] = Math.sqrt(columnNorms[o] as number);
      if (bias) layer.biases.set(bias.dataSync() as Float32Array);
      layer.kernelData = kernel.dataId;
      layer.biasData = bias?.dataId ?? null;
    }
  }

  /** The greedy action (ties to the lowest index, as the tensor path), or null when the margin is within rounding. */
  greedyAction(observation: ArrayLike<number>): number | null {
    const inputs = (this.layers[0] as PlainDenseLayer).inputs;
    if (observation.length !== inputs) throw new Error(`PlainDenseNetwork: expected an observation of ${inputs} numbers, got ${observation.length}.`);
    this.refresh();
    return this.quickAction(observation) ?? this.carefulAction(observation);
  }

  /** One pass, one error bound per layer, Σ|w·x| bounded by Cauchy–Schwarz: enough unless the best two Q-values are close. */
  private quickAction(observation: ArrayLike<number>): number | null {
    let [x, y] = this.buffers;
    const n0 = (this.layers[0] as PlainDenseLayer).inputs;
    // The tensor path rounds the observation to float32 first; so does this one.
    for (let i = 0; i < n0; i++) x[i] = Math.fround(observation[i] as number);
    // Bound on |single-precision value − exact value| over the current layer's inputs (none for the observation).
    let error = 0;
    const last = this.layers.length - 1;
    for (let l = 0; l <= last; l++) {
      const layer = this.layers[l] as PlainDenseLayer;
      const { inputs, outputs, weights, biases, absoluteColumnSums, columnNorms, roundingFactor, activation } = layer;
      if (layer.bias !== null) y.set(biases);
      else y.fill(0, 0, outputs);
      // y += x_i × (input i's weights) for every non-zero input: ReLU leaves about half of them zero.
      let inputNormSquared = 0;
      for (let i = 0; i < inputs; i++) {
        const value = x[i] as number;
        if (value === 0) continue;
        inputNormSquared += value * value;
        const row = i * outputs;
        for (let o = 0; o < outputs; o++) y[o] = (y[o] as number) + (weights[row + o] as number) * value;
      }
      const inputNorm = Math.sqrt(inputNormSquared);
      // Beyond float32's range the tensor path overflows where this one does not (this also catches NaN and infinity).
      if (!(inputNorm < FLOAT32_LARGE)) return null;
      const bounds = l === last ? this.outputBounds : null;
      let nextError = 0;
      for (let o = 0; o < outputs; o++) {
        // Σ|w·x| + |b| ≤ ‖w‖·‖x‖ + |b|: the size of the terms the tensor path adds up.
        const magnitude = (columnNorms[o] as number) * inputNorm + Math.abs(layer.bias !== null ? (biases[o] as number) : 0);
        // Inputs off by at most `error` move this output by at most Σ|w|·error (and widen its terms by as much);
        // single-precision rounding adds at most roundingFactor × the terms (Higham's bound for a sum of products,
        // in any order, with or without fused multiply-adds), and flushing subnormal results to zero a little more.
        const spread = (absoluteColumnSums[o] as number) * error;
        const outputError = spread + roundingFactor * (magnitude + spread) + (inputs + 2) * FLOAT32_SMALLEST_NORMAL;
        if (!(outputError < FLOAT32_SAFE_BOUND)) return null;
        // Both activations are exact and move values by no more than they moved before (1-Lipschitz).
        let value = y[o] as number;
        if (activation === 'relu') value = value > 0 ? value : 0;
        else if (activation === 'relu6') value = value > 0 ? (value < 6 ? value : 6) : 0;
        y[o] = value;
        if (bounds) bounds[o] = outputError;
        else if (outputError > nextError) nextError = outputError;
      }
      error = nextError;
      [x, y] = [y, x];
    }
    // x now holds the Q-values, outputBounds how far the tensor path's can be from their exact values.
    return this.decide(x);
  }

  /** The same pass with a bound per unit, carried through |kernel|: tight enough to settle most near-ties. */
  private carefulAction(observation: ArrayLike<number>): number | null {
    let [x, y] = this.buffers;
    let [xError, yError] = this.errors;
    const n0 = (this.layers[0] as PlainDenseLayer).inputs;
    for (let i = 0; i < n0; i++) {
      x[i] = Math.fround(observation[i] as number);
      xError[i] = 0;
    }
    const last = this.layers.length - 1;
    for (let l = 0; l <= last; l++) {
      const layer = this.layers[l] as PlainDenseLayer;
      const { inputs, outputs, weights, absoluteWeights, biases, roundingFactor, activation } = layer;
      const hasBias = layer.bias !== null;
      if (hasBias) y.set(biases);
      else y.fill(0, 0, outputs);
      yError.fill(0, 0, outputs);
      for (let i = 0; i < inputs; i++) {
        const value = x[i] as number;
        const valueError = xError[i] as number;
        if (value === 0 && valueError === 0) continue;
        const row = i * outputs;
        if (value !== 0) for (let o = 0; o < outputs; o++) y[o] = (y[o] as number) + (weights[row + o] as number) * value;
        // The tensor path's input lies within valueError of this one: it moves the output by |w|·valueError, and
        // the rounding of its product and sum by at most roundingFactor·|w|·(|value| + valueError).
        const carried = valueError * (1 + roundingFactor) + roundingFactor * Math.abs(value);
        for (let o = 0; o < outputs; o++) yError[o] = (yError[o] as number) + (absoluteWeights[row + o] as number) * carried;
      }
      const bounds = l === last ? this.outputBounds : yError;
      for (let o = 0; o < outputs; o++) {
        const value = y[o] as number;
        let bound = (yError[o] as number) + (hasBias ? roundingFactor * Math.abs(biases[o] as number) : 0) + (inputs + 2) * FLOAT32_SMALLEST_NORMAL;
        // Far below float32's range of sums (the bound is at least roundingFactor × the terms); also catches NaN.
        if (!(bound < FLOAT32_SAFE_BOUND) || !(Math.abs(value) < FLOAT32_LARGE)) return null;
        // The tensor path's pre-activation lies in [value − bound, value + bound]; clipping can only shrink the gap.
        if (activation === 'relu' || activation === 'relu6') {
          if (value <= 0) {
            y[o] = 0;
            bound = Math.max(0, value + bound);
          } else if (activation === 'relu6' && value >= 6) {
            y[o] = 6;
            bound = Math.max(0, 6 - (value - bound));
          }
        }
        bounds[o] = bound;
      }
      [x, y] = [y, x];
      [xError, yError] = [yError, xError];
    }
    return this.decide(x);
  }

  /** The best of `q` if it leads every other action by more than both their `outputBounds`, else null. */
  private decide(q: Float64Array): number | null {
    const bounds = this.outputBounds;
    const actions = bounds.length;
    let best = 0;
    for (let a = 1; a < actions; a++) if ((q[a] as number) > (q[best] as number)) best = a;
    const bestValue = q[best] as number;
    const bestBound = bounds[best] as number;
    for (let a = 0; a < actions; a++) {
      if (a === best) continue;
      // Certain only if the best leads by more than both values can move; NaN fails this too.
      if (!(bestValue - (q[a] as number) > bestBound + (bounds[a] as number))) return null;
    }
    return best;
  }
}
