/**
 * How big is a "large model"? (chapter 2) Parameter counts from an architecture's configuration (BERT, GPT, ResNet),
 * their memory for inference and training, and training compute by 6·N·D. Plain numbers, no tensors.
 */
import { checkHeadsDivide, checkPositiveIntegers } from '../util/validate';

/** A BERT-style Transformer encoder, as in the `config.json` of a BERT checkpoint. */
export interface TransformerEncoderConfig {
  /** Word-piece vocabulary size (BERT: 30,522). */
  vocabularySize: number;
  /** Width of every hidden vector, d_model (BERT-base: 768). */
  hiddenSize: number;
  /** Number of encoder layers (BERT-base: 12). */
  layers: number;
  /** Attention heads per layer; they split `hiddenSize`, so they do not change the count (BERT-base: 12). */
  heads: number;
  /** Width of the feed-forward layer inside each block (BERT-base: 3,072 = 4 × 768). */
  intermediateSize: number;
  /** Longest input, in tokens: one learned position embedding each (BERT: 512). */
  maxPositions: number;
  /** Segment ("token type") vocabulary: sentence A / sentence B (BERT: 2). */
  typeVocabularySize: number;
  /** Include the pooler (dense layer on the [CLS] vector) that BERT's published count includes (default true). */
  pooler?: boolean;
}

/** A GPT-style decoder-only Transformer. */
export interface DecoderConfig {
  /** Token vocabulary size (GPT-2 and GPT-3: 50,257). */
  vocabularySize: number;
  /** Width of the residual stream, d_model (GPT-3 175B: 12,288). */
  hiddenSize: number;
  /** Number of decoder blocks (GPT-3 175B: 96). */
  layers: number;
  /** Attention heads per layer; they split `hiddenSize`, so they do not change the count. */
  heads: number;
  /** Context window in tokens: one learned position embedding each (GPT-3: 2,048). */
  contextLength: number;
  /** Feed-forward width; default 4 × hiddenSize as in GPT-2 and GPT-3. */
  intermediateSize?: number;
  /** The output projection reuses the token embedding matrix (default true, as in GPT-2/3). */
  tiedOutputEmbedding?: boolean;
}

/** A ResNet for ImageNet-sized inputs. */
export interface ImageNetResNetConfig {
  /** Blocks per stage: ResNet-50 is [3, 4, 6, 3] with bottleneck blocks, ResNet-18 [2, 2, 2, 2] with basic blocks. */
  blocksPerStage: number[];
  /** 'bottleneck' (1×1, 3×3, 1×1 convolutions, ×4 expansion; ResNet-50/101/152) or 'basic' (two 3×3; ResNet-18/34). */
  block: 'bottleneck' | 'basic';
  /** Inner width of each stage (default [64, 128, 256, 512]). */
  stageWidths?: number[];
  /** Classes of the final fully connected layer (default 1,000, ImageNet). */
  classes?: number;
}

/** A parameter count split by part of the network. */
export interface ParameterCount {
  /** All trainable parameters. */
  total: number;
  /** The count of each part; the parts add up to `total`. */
  parts: Record<string, number>;
  /** Numbers stored but not trained (batch norm's running statistics); not in `total`. */
  nonTrainable: number;
}

function sumParts(parts: Record<string, number>): number {
  return Object.values(parts).reduce((sum, value) => sum + value, 0);
}

/** Weights and biases of a dense layer from `inputs` to `outputs` units. */
export function denseParameters(inputs: number, outputs: number, bias = true): number {
  return inputs * outputs + (bias ? outputs : 0);
}

/** Scale and shift of a LayerNorm (or of a BatchNorm) over `width` features. */
export function normalizationParameters(width: number): number {
  return 2 * width;
}

/**
 * Parameters of a BERT-style encoder: embeddings and their LayerNorm; per layer four projections, two LayerNorms
 * and the feed-forward pair; the pooler. BERT-base: 109,482,240.
 */
export function transformerEncoderParameters(config: TransformerEncoderConfig): ParameterCount {
  const { vocabularySize, hiddenSize, layers, heads, intermediateSize, maxPositions, typeVocabularySize } = config;
  checkPositiveIntegers('transformerEncoderParameters', { vocabularySize, hiddenSize, layers, heads, intermediateSize, maxPositions, typeVocabularySize });
  checkHeadsDivide('transformerEncoderParameters', hiddenSize, heads);
  const perLayer =
    4 * denseParameters(hiddenSize, hiddenSize) + // query, key, value, attention output
    normalizationParameters(hiddenSize) + // LayerNorm after attention
    denseParameters(hiddenSize, intermediateSize) +
    denseParameters(intermediateSize, hiddenSize) +
    normalizationParameters(hiddenSize); // LayerNorm after the feed-forward layers
  const parts: Record<string, number> = {
    tokenEmbeddings: vocabularySize * hiddenSize,
    positionEmbeddings: maxPositions * hiddenSize,
    segmentEmbeddings: typeVocabularySize * hiddenSize,
    embeddingLayerNorm: normalizationParameters(hiddenSize),
    encoderLayers: layers * perLayer,
  };
  if (config.pooler ?? true) parts['pooler'] = denseParameters(hiddenSize, hiddenSize);
  return { total: sumParts(parts), parts, nonTrainable: 0 };
}

/**
 * Parameters of a GPT-style decoder: embeddings; per block two LayerNorms, attention and feed-forward (about 12·d²);
 * a final LayerNorm; the output tied unless `tiedOutputEmbedding` is false. GPT-3's 96 × 12,288: about 174.6 billion.
 */
export function decoderParameters(config: DecoderConfig): ParameterCount {
  const { vocabularySize, hiddenSize, layers, heads, contextLength } = config;
  const intermediateSize = config.intermediateSize ?? 4 * hiddenSize;
  checkPositiveIntegers('decoderParameters', { vocabularySize, hiddenSize, layers, heads, contextLength, intermediateSize });
  checkHeadsDivide('decoderParameters', hiddenSize, heads);
  const perLayer =
    normalizationParameters(hiddenSize) +
    4 * denseParameters(hiddenSize, hiddenSize) +
    normalizationParameters(hiddenSize) +
    denseParameters(hiddenSize, intermediateSize) +
    denseParameters(intermediateSize, hiddenSize);
  const parts: Record<string, number> = {
    tokenEmbeddings: vocabularySize * hiddenSize,
    positionEmbeddings: contextLength * hiddenSize,
    decoderLayers: layers * perLayer,
    finalLayerNorm: normalizationParameters(hiddenSize),
  };
  if (config.tiedOutputEmbedding === false) parts['outputProjection'] = hiddenSize * vocabularySize;
  return { total: sumParts(parts), parts, nonTrainable: 0 };
}

/**
 * Parameters of a ResNet: 7×7 stem, basic or bottleneck stages (convolutions without bias, batch norm, 1×1
 * projections where the shape changes), the classifier; running statistics are `nonTrainable`. ResNet-50: 25,557,032.
 */
export function resnetParameters(config: ImageNetResNetConfig): ParameterCount {
  const stageWidths = config.stageWidths ?? [64, 128, 256, 512];
  const classes = config.classes ?? 1000;
  if (config.block !== 'bottleneck' && config.block !== 'basic') {
    throw new Error(`resnetParameters: block must be 'bottleneck' or 'basic', got ${String(config.block)}.`);
  }
  if (config.blocksPerStage.length === 0 || config.blocksPerStage.length !== stageWidths.length) {
    throw new Error(
      `resnetParameters: blocksPerStage has ${config.blocksPerStage.length} stages but stageWidths has ${stageWidths.length}; give one block count per stage (ResNet-50: [3, 4, 6, 3]).`,
    );
  }
  checkPositiveIntegers('resnetParameters', { blocksPerStage: config.blocksPerStage, stageWidths, classes });

  const expansion = config.block === 'bottleneck' ? 4 : 1;
  const convolution = (inputs: number, outputs: number, kernel: number): number => inputs * outputs * kernel * kernel;
  let batchNormChannels = 0;
  const stemChannels = 64;
  const parts: Record<string, number> = { stem: convolution(3, stemChannels, 7) }; // an RGB image
  batchNormChannels += stemChannels;
  let channels = stemChannels;
  config.blocksPerStage.forEach((blocks, stage) => {
    const width = stageWidths[stage] as number;
    const out = width * expansion;
    let convolutions = 0;
    for (let b = 0; b < blocks; b++) {
      if (config.block === 'bottleneck') {
        convolutions += convolution(channels, width, 1) + convolution(width, width, 3) + convolution(width, out, 1);
        batchNormChannels += width + width + out;
      } else {
        convolutions += convolution(channels, width, 3) + convolution(width, width, 3);
        batchNormChannels += width + width;
      }
      const stride = b === 0 && stage > 0 ? 2 : 1;
      if (stride !== 1 || channels !== out) {
        convolutions += convolution(channels, out, 1);
        batchNormChannels += out;
      }
      channels = out;
    }
    parts[`stage${stage + 1}Convolutions`] = convolutions;
  });
  parts['batchNorm'] = normalizationParameters(batchNormChannels);
  parts['classifier'] = denseParameters(channels, classes);
  return { total: sumParts(parts), parts, nonTrainable: 2 * batchNormChannels };
}

export const BYTES_PER_VALUE = { float32: 4, float16: 2, bfloat16: 2, int8: 1 } as const;
/** A number format for weights: 32-bit float, 16-bit float, bfloat16 or 8-bit integer. */
export type NumberFormat = keyof typeof BYTES_PER_VALUE;

/** Memory for the weights alone, as for inference; activations and caches come on top. */
export function weightMemory(parameters: number, format: NumberFormat = 'float32'): { bytesPerParameter: number; bytes: number; gigabytes: number } {
  checkCount('weightMemory', parameters);
  const bytesPerParameter = BYTES_PER_VALUE[format];
  if (bytesPerParameter === undefined) throw new Error(`weightMemory: unknown format "${String(format)}"; use one of ${Object.keys(BYTES_PER_VALUE).join(', ')}.`);
  const bytes = parameters * bytesPerParameter;
  return { bytesPerParameter, bytes, gigabytes: bytes / 1e9 };
}

/**
 * How training stores numbers: all float32; all 16-bit (moments too); or 'mixed' (Micikevicius et al. 2018, ZeRO):
 * 16-bit weights and gradients plus 32-bit master weights and optimiser state.
 */
export type TrainingPrecision = 'float32' | 'float16' | 'bfloat16' | 'mixed';
/** The optimiser whose state is counted: Adam keeps two moments per parameter, momentum SGD one, plain SGD none. */
export type OptimizerKind = 'adam' | 'sgd-momentum' | 'sgd';

/** Memory of the training state, split by what it holds. */
export interface TrainingMemory {
  precision: TrainingPrecision;
  optimizer: OptimizerKind;
  /** Bytes per parameter of each part. */
  bytesPerParameter: { weights: number; gradients: number; optimizerState: number; masterWeights: number; total: number };
  /** Bytes of each part for the given number of parameters. */
  bytes: { weights: number; gradients: number; optimizerState: number; masterWeights: number; total: number };
  /** total in gigabytes (10^9 bytes). */
  gigabytes: number;
  /** What the numbers include and leave out. */
  assumptions: string[];
}

/**
 * Memory of the training state: weights, gradients, optimiser state, mixed precision's master weights. Mixed with Adam
 * is 2 + 2 + 4 + 4 + 4 = 16 bytes per parameter, as float32 Adam. Activations and buffers are not included.
 */
export function trainingMemory(parameters: number, options: { precision?: TrainingPrecision; optimizer?: OptimizerKind } = {}): TrainingMemory {
  checkCount('trainingMemory', parameters);
  const precision = options.precision ?? 'float32';
  const optimizer = options.optimizer ?? 'adam';
  const moments = { adam: 2, 'sgd-momentum': 1, sgd: 0 }[optimizer];
  if (moments === undefined) throw new Error(`trainingMemory: unknown optimizer "${String(optimizer)}"; use 'adam', 'sgd-momentum' or 'sgd'.`);
  // Bytes of a weight, of an optimiser state value, of a master weight.
  const formats = { float32: [4, 4, 0], float16: [2, 2, 0], bfloat16: [2, 2, 0], mixed: [2, 4, 4] }[precision];
  if (formats === undefined) throw new Error(`trainingMemory: unknown precision "${String(precision)}"; use 'float32', 'float16', 'bfloat16' or 'mixed'.`);
  const [weights, stateBytes, masterWeights] = formats as [number, number, number];
  const perParameter = { weights, gradients: weights, optimizerState: moments * stateBytes, masterWeights, total: 0 };
  perParameter.total = perParameter.weights + perParameter.gradients + perParameter.optimizerState + perParameter.masterWeights;
  const bytes = Object.fromEntries(Object.entries(perParameter).map(([part, perOne]) => [part, parameters * perOne])) as TrainingMemory['bytes'];
  const assumptions = [
    `gradients are stored in the same format as the weights (${weights} bytes each)`,
    optimizer === 'adam'
      ? `Adam keeps two moments per parameter (${stateBytes} bytes each)`
      : optimizer === 'sgd-momentum'
        ? `momentum SGD keeps one velocity per parameter (${stateBytes} bytes)`
        : 'plain SGD keeps no optimiser state',
    precision === 'mixed' ? 'mixed precision keeps a 32-bit master copy of the weights for the update' : 'no separate master copy of the weights',
    'activations, temporary buffers, framework overhead and fragmentation are not included',
    'nothing is sharded: one device holds everything (ZeRO/FSDP would divide it among devices)',
  ];
  return { precision, optimizer, bytesPerParameter: perParameter, bytes, gigabytes: bytes.total / 1e9, assumptions };
}

export interface TrainingCompute {
  parameters: number;
  tokens: number;
  /** Floating-point operations: 2·N·D for the forward pass plus 4·N·D for the backward pass. */
  flops: number;
}

/**
 * Training compute by 6·N·D (Kaplan et al. 2020): 2 FLOPs per parameter and token forward, 4 backward; attention's
 * cost over the context is left out. GPT-3: 6 × 175e9 × 300e9 ≈ 3.15e23.
 */
export function trainingCompute(parameters: number, tokens: number): TrainingCompute {
  checkCount('trainingCompute', parameters);
  checkCount('trainingCompute', tokens, 'tokens');
  return { parameters, tokens, flops: 6 * parameters * tokens };
}

/** How long some compute takes at a sustained rate. */
export interface TrainingTime {
  seconds: number;
  hours: number;
  days: number;
  years: number;
}

/** Wall-clock time of `flops` at `flopsPerSecond` sustained (achieved, not peak: large runs reach 30-50 % of peak). */
export function trainingTime(flops: number, flopsPerSecond: number): TrainingTime {
  checkCount('trainingTime', flops, 'flops');
  if (!(Number.isFinite(flopsPerSecond) && flopsPerSecond > 0)) {
    throw new Error(`trainingTime: flopsPerSecond must be a positive number, got ${flopsPerSecond}.`);
  }
  const seconds = flops / flopsPerSecond;
  return { seconds, hours: seconds / 3600, days: seconds / 86400, years: seconds / (365.25 * 86400) };
}

function checkCount(what: string, value: number, name = 'parameters'): void {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new Error(`${what}: ${name} must be a non-negative finite number, got ${value}.`);
  }
}

/** `value` in the largest of `units` (largest first) it reaches, with `digits` decimals; `plain` below them all. */
function withUnit(value: number, digits: number, units: readonly (readonly [number, string])[], plain: string): string {
  const unit = units.find(([size]) => Math.abs(value) >= size);
  return unit ? `${(value / unit[0]).toFixed(digits)}${unit[1]}` : plain;
}

/** Writes a count with a K/M/B/T suffix: 109482240 → "109.5M". */
export function formatCount(value: number, digits = 1): string {
  return withUnit(value, digits, [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'K']], String(value));
}

/** Writes bytes in decimal units: 1.75e12 → "1.75 TB". */
export function formatBytes(bytes: number, digits = 2): string {
  return withUnit(bytes, digits, [[1e15, ' PB'], [1e12, ' TB'], [1e9, ' GB'], [1e6, ' MB'], [1e3, ' kB']], `${bytes} B`);
}

/** One well-known model: its configuration and the parameter count its authors published. */
export interface PublishedModel {
  name: string;
  /** The parameter count as published, and where. */
  publishedParameters: number;
  publishedSource: string;
  /** Tokens (or, for ResNet, images × epochs) it was trained on, when published. */
  trainingTokens?: number;
  /** Counts the parameters from the configuration. */
  count: () => ParameterCount;
}

/** BERT-base, uncased (Devlin et al. 2019). */
export const BERT_BASE: TransformerEncoderConfig = {
  vocabularySize: 30522, hiddenSize: 768, layers: 12, heads: 12, intermediateSize: 3072, maxPositions: 512, typeVocabularySize: 2,
};
/** BERT-large, uncased (Devlin et al. 2019). */
export const BERT_LARGE: TransformerEncoderConfig = {
  vocabularySize: 30522, hiddenSize: 1024, layers: 24, heads: 16, intermediateSize: 4096, maxPositions: 512, typeVocabularySize: 2,
};
/** GPT-2, the largest (1.5B) model (Radford et al. 2019). */
export const GPT2_XL: DecoderConfig = { vocabularySize: 50257, hiddenSize: 1600, layers: 48, heads: 25, contextLength: 1024 };
/** GPT-3 175B (Brown et al. 2020, table 2.1). */
export const GPT3: DecoderConfig = { vocabularySize: 50257, hiddenSize: 12288, layers: 96, heads: 96, contextLength: 2048 };
/** ResNet-50 (He et al. 2016). */
export const RESNET_50: ImageNetResNetConfig = { blocksPerStage: [3, 4, 6, 3], block: 'bottleneck' };

/**
 * Tokens BERT was pre-trained on (Devlin et al. 2019, A.2): 1,000,000 steps of 256 sequences, 90 % at 128 tokens and
 * 10 % at 512: about 42.6 billion (the paper's "128,000 tokens/batch" counts every step at 512).
 */
export const BERT_TRAINING_TOKENS = 256 * (900_000 * 128 + 100_000 * 512);

/** The models chapter 2 compares, with their published parameter counts. */
export const PUBLISHED_MODELS: PublishedModel[] = [
  { name: 'ResNet-50', publishedParameters: 25.6e6, publishedSource: 'He et al. 2016; torchvision: 25,557,032', count: () => resnetParameters(RESNET_50) },
  { name: 'BERT-base', publishedParameters: 110e6, publishedSource: 'Devlin et al. 2019', trainingTokens: BERT_TRAINING_TOKENS, count: () => transformerEncoderParameters(BERT_BASE) },
  { name: 'BERT-large', publishedParameters: 340e6, publishedSource: 'Devlin et al. 2019', trainingTokens: BERT_TRAINING_TOKENS, count: () => transformerEncoderParameters(BERT_LARGE) },
  { name: 'GPT-2 (1.5B)', publishedParameters: 1542e6, publishedSource: 'Radford et al. 2019, table 2', count: () => decoderParameters(GPT2_XL) },
  { name: 'GPT-3', publishedParameters: 175e9, publishedSource: 'Brown et al. 2020, table 2.1', trainingTokens: 300e9, count: () => decoderParameters(GPT3) },
];
