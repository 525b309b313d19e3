/**
 * Residual networks (chapter 7) after He et al. 2015: a block outputs relu(F(x) + x), so a deep stack can fall
 * back to the identity; `plainNet` is the same without shortcuts, for the degradation experiment.
 */
import { tf } from '../backend/tf';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs';
import { BATCH_NORM_MOMENTUM, glorotUniform, heNormal } from './layers';
import { checkPositiveIntegers } from '../util/validate';

export interface ResidualBlockOptions {
  /** Output channels of both 3x3 convolutions. */
  filters: number;
  /** Stride of the first convolution (2 halves height and width; default 1). */
  strides?: number;
  /** 'auto' (default): identity when shapes match, else a projection (1x1 conv + BN); 'projection'; 'none' (plain). */
  shortcut?: 'auto' | 'projection' | 'none';
}

function conv(filters: number, kernelSize: number, strides: number): ReturnType<typeof tf.layers.conv2d> {
  return tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: heNormal() });
}

/** A basic residual block on a symbolic tensor: conv3x3 - BN - ReLU - conv3x3 - BN, plus the shortcut, then ReLU. */
export function residualBlock(input: SymbolicTensor, options: ResidualBlockOptions): SymbolicTensor {
  const strides = options.strides ?? 1;
  checkPositiveIntegers('residualBlock', { filters: options.filters });
  if (input.shape.length !== 4) throw new Error(`residualBlock: the input must be images [batch, height, width, channels], got shape [${input.shape.join(', ')}].`);
  const channels = input.shape[3];
  let main = conv(options.filters, 3, strides).apply(input) as SymbolicTensor;
  main = tf.layers.batchNormalization({ momentum: BATCH_NORM_MOMENTUM }).apply(main) as SymbolicTensor;
  main = tf.layers.reLU().apply(main) as SymbolicTensor;
  main = conv(options.filters, 3, 1).apply(main) as SymbolicTensor;
  main = tf.layers.batchNormalization({ momentum: BATCH_NORM_MOMENTUM }).apply(main) as SymbolicTensor;
  const mode = options.shortcut ?? 'auto';
  if (mode === 'none') return tf.layers.reLU().apply(main) as SymbolicTensor;
  let shortcut = input;
  if (mode === 'projection' || strides !== 1 || channels !== options.filters) {
    shortcut = conv(options.filters, 1, strides).apply(input) as SymbolicTensor;
    shortcut = tf.layers.batchNormalization({ momentum: BATCH_NORM_MOMENTUM }).apply(shortcut) as SymbolicTensor;
  }
  const sum = tf.layers.add().apply([main, shortcut]) as SymbolicTensor;
  return tf.layers.reLU().apply(sum) as SymbolicTensor;
}

/** Chapter 7's small ResNet for MNIST: stages of 16, 32 and 64 channels, one block each, stride-2 stem. */
export const BOOK_RESNET_OPTIONS = { stages: [16, 32, 64], blocksPerStage: 1, stemStrides: 2 } as const;

export interface ResNetOptions {
  /** Shape of one image (default [28, 28, 1]). */
  inputShape?: number[];
  /** Classes (default 10). */
  classes?: number;
  /** Channels of each stage; every stage after the first halves height and width (default [16, 32, 64]). */
  stages?: number[];
  /** Residual blocks per stage (default 1). Depth = 2 + 2 * stages * blocksPerStage weighted layers. */
  blocksPerStage?: number;
  /** Use shortcut connections (default true); false gives the plain network. */
  shortcuts?: boolean;
  /** Stride of the stem convolution (default 1; 2 halves the image first, four times less work). */
  stemStrides?: number;
  name?: string;
}

/** A small ResNet for small images: 3x3 stem, stages of residual blocks, global average pooling, dense softmax. */
export function resnet(options: ResNetOptions = {}): LayersModel {
  const inputShape = options.inputShape ?? [28, 28, 1];
  if (inputShape.length !== 3) throw new Error(`resnet: inputShape must be [height, width, channels], got [${inputShape.join(', ')}].`);
  const stages = options.stages ?? [16, 32, 64];
  const blocks = options.blocksPerStage ?? 1;
  if (stages.length === 0 || stages.some((s) => !Number.isInteger(s) || s <= 0)) throw new Error(`resnet: stages must be positive channel counts, got [${stages.join(', ')}].`);
  checkPositiveIntegers('resnet', { blocksPerStage: blocks });
  const shortcuts = options.shortcuts ?? true;
  const input = tf.input({ shape: inputShape });
  let x = conv(stages[0] as number, 3, options.stemStrides ?? 1).apply(input) as SymbolicTensor;
  x = tf.layers.batchNormalization({ momentum: BATCH_NORM_MOMENTUM }).apply(x) as SymbolicTensor;
  x = tf.layers.reLU().apply(x) as SymbolicTensor;
  stages.forEach((filters, stage) => {
    for (let b = 0; b < blocks; b++) {
      x = residualBlock(x, { filters, strides: stage > 0 && b === 0 ? 2 : 1, shortcut: shortcuts ? 'auto' : 'none' });
    }
  });
  x = tf.layers.globalAveragePooling2d({}).apply(x) as SymbolicTensor;
  const output = tf.layers.dense({ units: options.classes ?? 10, activation: 'softmax', kernelInitializer: glorotUniform() }).apply(x) as SymbolicTensor;
  const depth = 2 + 2 * stages.length * blocks;
  return tf.model({ inputs: input, outputs: output, name: options.name ?? `${shortcuts ? 'resnet' : 'plain'}${depth}` });
}

/** The same network as `resnet(options)` without shortcut connections. */
export function plainNet(options: Omit<ResNetOptions, 'shortcuts'> = {}): LayersModel {
  return resnet({ ...options, shortcuts: false });
}

/** Number of weighted layers (convolutions and dense) of `resnet(options)`. */
export function resnetDepth(options: Omit<ResNetOptions, 'shortcuts'> = {}): number {
  return 2 + 2 * (options.stages ?? [16, 32, 64]).length * (options.blocksPerStage ?? 1);
}
