/**
 * Chapter 13's cached generation step in plain JavaScript: a GPT's weights read once into Float32Arrays (arranged as
 * `GPT.inferenceWeights` arranges them), the key-value cache as arrays filled in place, one token through the network.
 */
import { tf } from '../../backend/tf';
import type { Tensor } from '@tensorflow/tfjs';
import type { GPT, InferenceWeights } from './gpt';

/** One block's arranged weights (see `BlockInferenceWeights`) and its cache, `[contextLength, hidden]` row by row. */
interface PlainBlock {
  attentionKernel: Float32Array;
  attentionBias: Float32Array;
  outputKernel: Float32Array;
  outputBias: Float32Array;
  upKernel: Float32Array;
  upBias: Float32Array;
  downKernel: Float32Array;
  downBias: Float32Array;
  keys: Float32Array;
  values: Float32Array;
}

/** A copy of a tensor's values (`dataSync` may hand out the backend's own buffer). */
function copyOf(tensor: Tensor): Float32Array {
  return new Float32Array(tensor.dataSync());
}

/**
 * `output = bias + input · kernel`, the kernel `[inputs, outputs]` row-major as TensorFlow.js stores it. Four input rows
 * per pass over `output`, so that each output number is loaded and stored once per four products.
 */
function multiplyRow(input: Float64Array, kernel: Float32Array, bias: Float32Array, output: Float64Array): void {
  const inputs = input.length;
  const outputs = output.length;
  for (let j = 0; j < outputs; j++) output[j] = bias[j] as number;
  let i = 0;
  for (; i + 3 < inputs; i += 4) {
    const x0 = input[i] as number;
    const x1 = input[i + 1] as number;
    const x2 = input[i + 2] as number;
    const x3 = input[i + 3] as number;
    const r0 = i * outputs;
    const r1 = r0 + outputs;
    const r2 = r1 + outputs;
    const r3 = r2 + outputs;
    for (let j = 0; j < outputs; j++) {
      output[j] = (output[j] as number) + x0 * (kernel[r0 + j] as number) + x1 * (kernel[r1 + j] as number) + x2 * (kernel[r2 + j] as number) + x3 * (kernel[r3 + j] as number);
    }
  }
  for (; i < inputs; i++) {
    const x = input[i] as number;
    const row = i * outputs;
    for (let j = 0; j < outputs; j++) output[j] = (output[j] as number) + x * (kernel[row + j] as number);
  }
}

/** Layer norm without its scale and shift (folded into the next kernel): (x − mean) / √(variance + ε), into `output`. */
function normalise(x: Float64Array, epsilon: number, output: Float64Array): void {
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i] as number;
  mean /= x.length;
  let variance = 0;
  for (let i = 0; i < x.length; i++) variance += ((x[i] as number) - mean) ** 2;
  const scale = 1 / Math.sqrt(variance / x.length + epsilon);
  for (let i = 0; i < x.length; i++) output[i] = ((x[i] as number) - mean) * scale;
}

/**
 * One head's attention for the newest token: its query, `projected[offset, offset + headSize)` (already scaled by
 * 1/√headSize), meets the keys of the `length` cached tokens (rows of `width` numbers, this head's at `offset`); the
 * softmax of the scores weights their values into `output[offset, offset + headSize)`. `scores` is work space.
 */
function attend(
  projected: Float64Array,
  keys: Float32Array,
  values: Float32Array,
  offset: number,
  headSize: number,
  width: number,
  length: number,
  scores: Float64Array,
  output: Float64Array,
): void {
  let largest = -Infinity;
  for (let t = 0; t < length; t++) {
    const row = t * width + offset;
    let score = 0;
    for (let d = 0; d < headSize; d++) score += (projected[offset + d] as number) * (keys[row + d] as number);
    scores[t] = score;
    if (score > largest) largest = score;
  }
  let total = 0;
  for (let t = 0; t < length; t++) {
    const e = Math.exp((scores[t] as number) - largest);
    scores[t] = e;
    total += e;
  }
  for (let d = 0; d < headSize; d++) output[offset + d] = 0;
  for (let t = 0; t < length; t++) {
    const weight = (scores[t] as number) / total;
    const row = t * width + offset;
    for (let d = 0; d < headSize; d++) output[offset + d] = (output[offset + d] as number) + weight * (values[row + d] as number);
  }
}

/**
 * A GPT's cached generation in plain JavaScript, for one sequence. `step(id)` appends one token and returns the
 * next-token scores after it: the new token's query meets the cached keys, as in `GPT.step`, with the same folded
 * weights, in float64 arithmetic on float32 weights. It reads the weights once, when made: make a new one after
 * training the model further. It holds no tensors.
 */
export class PlainDecoder {
  private readonly blocks: PlainBlock[];
  private readonly token: Float32Array;
  private readonly position: Float32Array;
  private readonly logitsKernel: Float32Array;
  private readonly logitsBias: Float32Array;
  private readonly hiddenSize: number;
  private readonly heads: number;
  private readonly contextLength: number;
  private readonly epsilons: { attention: number[]; feedForward: number[]; final: number };
  // Work arrays, reused by every step.
  private readonly h: Float64Array;
  private readonly normalised: Float64Array;
  private readonly projected: Float64Array;
  private readonly attended: Float64Array;
  private readonly projectedBack: Float64Array;
  private readonly up: Float64Array;
  private readonly scores: Float64Array;
  private readonly logits: Float64Array;
  private cached = 0;

  constructor(model: GPT) {
    const { hiddenSize, heads, contextLength, vocabularySize, intermediateSize } = model.config;
    this.hiddenSize = hiddenSize;
    this.heads = heads;
    this.contextLength = contextLength;
    // Copied inside the tidy and kept outside it: tidy would walk the arrays of a returned object number by number.
    let read: { blocks: PlainBlock[]; logitsKernel: Float32Array; logitsBias: Float32Array } | undefined;
    tf.tidy(() => {
      const weights: InferenceWeights = model.inferenceWeights();
      read = {
        blocks: weights.blocks.map((b) => ({
          attentionKernel: copyOf(b.attentionKernel),
          attentionBias: copyOf(b.attentionBias),
          outputKernel: copyOf(b.outputKernel),
          outputBias: copyOf(b.outputBias),
          upKernel: copyOf(b.upKernel),
          upBias: copyOf(b.upBias),
          downKernel: copyOf(b.downKernel),
          downBias: copyOf(b.downBias),
          keys: new Float32Array(contextLength * hiddenSize),
          values: new Float32Array(contextLength * hiddenSize),
        })),
        logitsKernel: copyOf(weights.logitsKernel),
        logitsBias: copyOf(weights.logitsBias),
      };
    });
    if (!read) throw new Error('PlainDecoder: the weights were not read.');
    this.blocks = read.blocks;
    this.logitsKernel = read.logitsKernel;
    this.logitsBias = read.logitsBias;
    this.token = copyOf(model.token);
    this.position = copyOf(model.position);
    this.epsilons = {
      attention: model.blocks.map((b) => b.attentionNorm.epsilon),
      feedForward: model.blocks.map((b) => b.feedForwardNorm.epsilon),
      final: model.finalNorm.epsilon,
    };
    this.h = new Float64Array(hiddenSize);
    this.normalised = new Float64Array(hiddenSize);
    this.projected = new Float64Array(3 * hiddenSize);
    this.attended = new Float64Array(hiddenSize);
    this.projectedBack = new Float64Array(hiddenSize);
    this.up = new Float64Array(intermediateSize);
    this.scores = new Float64Array(contextLength);
    this.logits = new Float64Array(vocabularySize);
  }

  /** Number of tokens read so far. */
  get length(): number {
    return this.cached;
  }

  /** Forgets every token read so far; the next step is at position 0. */
  clear(): void {
    this.cached = 0;
  }

  /** Reads token `id` after those read so far; returns the next-token scores after it (`vocabularySize` numbers). */
  step(id: number): Float32Array {
    const vocabularySize = this.logits.length;
    if (!Number.isInteger(id) || id < 0 || id >= vocabularySize) {
      throw new Error(`PlainDecoder.step: token id ${id} is not an integer in [0, ${vocabularySize}); give an id from the model's vocabulary.`);
    }
    const position = this.cached;
    if (position >= this.contextLength) {
      throw new Error(`PlainDecoder.step: ${position + 1} tokens do not fit the context of ${this.contextLength}; clear() it or keep a shorter text.`);
    }
    const size = this.hiddenSize;
    const { h, normalised, projected, attended, projectedBack, up, scores } = this;
    for (let i = 0; i < size; i++) h[i] = (this.token[id * size + i] as number) + (this.position[position * size + i] as number);
    const headSize = size / this.heads;
    const length = position + 1;
    for (let b = 0; b < this.blocks.length; b++) {
      const block = this.blocks[b] as PlainBlock;
      // Attention: queries (already scaled by 1/√headSize), keys and values in one product; the new key and value
      // go into the cache, then each head's query meets every cached key.
      normalise(h, this.epsilons.attention[b] as number, normalised);
      multiplyRow(normalised, block.attentionKernel, block.attentionBias, projected);
      const at = position * size;
      for (let i = 0; i < size; i++) {
        block.keys[at + i] = projected[size + i] as number;
        block.values[at + i] = projected[2 * size + i] as number;
      }
      for (let head = 0; head < this.heads; head++) attend(projected, block.keys, block.values, head * headSize, headSize, size, length, scores, attended);
      multiplyRow(attended, block.outputKernel, block.outputBias, projectedBack);
      for (let i = 0; i < size; i++) h[i] = (h[i] as number) + (projectedBack[i] as number);
      // Feed-forward: GELU (tanh form, as `geluTanh`) between the two products.
      normalise(h, this.epsilons.feedForward[b] as number, normalised);
      multiplyRow(normalised, block.upKernel, block.upBias, up);
      for (let i = 0; i < up.length; i++) {
        const x = up[i] as number;
        up[i] = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
      }
      multiplyRow(up, block.downKernel, block.downBias, projectedBack);
      for (let i = 0; i < size; i++) h[i] = (h[i] as number) + (projectedBack[i] as number);
    }
    normalise(h, this.epsilons.final, normalised);
    multiplyRow(normalised, this.logitsKernel, this.logitsBias, this.logits);
    this.cached = length;
    return Float32Array.from(this.logits);
  }
}
