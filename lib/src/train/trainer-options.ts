/** The options of the Trainer and of `fit`, what `fit` returns, and the Trainer's state in a checkpoint (chapter 5). */
import type { Optimizer, Tensor } from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset';
import type { LivePlotOptions } from '../plot/live-plot';
import type { EarlyStoppingOptions, EarlyStoppingState, EpochLogs, TrainerCallback } from './callbacks';
import type { CheckpointOptions } from './checkpoint-callback';
import type { LossFunction, Metric, MetricName, TrainingLossName } from './metrics';
import type { OptimizerName } from './optimizers';
import type { LearningRateSchedule } from './schedules';

export interface TrainerOptions {
  /** An optimiser, or a name: 'adam' (default), 'sgd', 'momentum' (0.9), 'rmsprop'. A compiled model's optimiser is used if none is given. */
  optimizer?: Optimizer | OptimizerName;
  /** Learning rate for a named optimiser (default 0.001 for adam and rmsprop, 0.01 for sgd and momentum). */
  learningRate?: number;
  /** Loss for Layers models; default from the labels: int32 class indices give sparseCategoricalCrossentropy, rows give categoricalCrossentropy. */
  loss?: TrainingLossName | LossFunction;
  /** Whether the model outputs raw scores rather than probabilities; default read from the last layer's activation. */
  fromLogits?: boolean;
  /** Metrics besides the loss; default ['accuracy'] for a cross-entropy loss. */
  metrics?: (MetricName | Metric)[];
  /** Rescale the gradients so that their global norm is at most this value. */
  clipNorm?: number;
  /** A learning-rate schedule, applied before every step. */
  schedule?: LearningRateSchedule;
  /** Seed of the per-epoch shuffles (default drawn with nextSeed()). */
  seed?: number;
}

export interface FitOptions {
  /** Train until this many epochs are done in total (a resumed trainer continues from its epoch). */
  epochs: number;
  /** Samples per step (default 32). */
  batchSize?: number;
  /** Hold out this fraction of the samples (the last ones) for validation. */
  validationSplit?: number;
  /** A separate validation set (takes precedence over validationSplit). */
  validationData?: Dataset | { x: Tensor; y: Tensor };
  /** Batch size for validation (default max(batchSize, 1024)). */
  validationBatchSize?: number;
  /** Shuffle the training samples every epoch (default true). */
  shuffle?: boolean;
  /** Your callbacks, called after the live plot and early stopping, before the checkpoints. */
  callbacks?: TrainerCallback[];
  /** Adds an `EarlyStoppingCallback` (its progress carries over to the next fit), unless `callbacks` holds one. */
  earlyStopping?: EarlyStoppingOptions;
  /** Adds a `LivePlotCallback`: true/false, or LivePlot options. Default: on inside a notebook. */
  plot?: boolean | LivePlotOptions;
  /** Print one line per epoch (default false; the live plot already prints outside notebooks). */
  verbose?: boolean;
  /** Read losses back every this many batches (default about 4 times per epoch with a plot or onBatchEnd, else once per epoch). */
  syncEvery?: number;
  /** Adds a `CheckpointCallback`: a checkpoint in `directory` every `everyEpochs` epochs (default 1) and at the end. */
  checkpoint?: CheckpointOptions;
  /** Load this checkpoint first and continue from its epoch. */
  resumeFrom?: string;
}

export interface FitResult {
  /** Every epoch's logs, including those before a resume. */
  history: EpochLogs[];
  /** Epochs done in total. */
  epochs: number;
  stoppedEarly: boolean;
  /** The epoch (from 1) with the best monitored value, with early stopping. */
  bestEpoch?: number;
  /** Wall time of this call and its training throughput. */
  seconds: number;
  samplesPerSecond: number;
  /** Where an interrupt (the stop button) ended training; the model keeps the weights of that step. */
  interrupted?: { epoch: number; step: number };
}

/** The Trainer's state saved in `checkpoint.json`, beside the weights. */
export interface TrainerCheckpointState {
  epoch: number;
  step: number;
  history: EpochLogs[];
  /** Seed of the per-epoch shuffles. */
  shuffleSeed: number;
  /** State of the shared generator `rng()`. */
  randomState: number;
  learningRate: number;
  /** The optimiser's class name, e.g. 'Adam': a checkpoint restores only into the same optimiser. */
  optimizerClass: string;
  modelKind: 'layers' | 'custom';
  /** Each callback's `state()`, by `stateKey`; its `stateTensors()` are the group `callback-KEY`. */
  callbacks?: Record<string, unknown>;
  /** Early stopping's progress in checkpoints of the format without `callbacks` (best weights in the group `best`); only read. */
  earlyStopping?: EarlyStoppingState | null;
}
