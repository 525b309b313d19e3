/**
 * Fine-tuning an encoder for text classification (chapter 6): a `SequenceClassifier` on the encoder,
 * BERT's schedule (linear warm-up over the first tenth of the steps, then a straight line down to 0),
 * gradient clipping, the validation accuracy after every epoch, and the weights of the best epoch kept.
 * A small labelled set can be repeated to a fixed number of rows per epoch, so that label budgets of
 * different sizes get the same number of steps.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../backend/tf';
import { checkPositiveIntegers } from '../util/validate';
import type { TransformerEncoder } from '../models/transformer/encoder';
import { SequenceClassifier, type SequencePooling } from '../models/transformer/heads';
import { logValue, type TrainerCallback } from '../train/callbacks';
import { linearDecay, warmup } from '../train/schedules';
import { Trainer } from '../train/trainer';
import type { FitResult } from '../train/trainer-options';

/** The settings chosen per encoder on validation data (chapter 6): peak learning rate and pooling. */
export interface FineTuningSettings {
  learningRate: number;
  pooling: SequencePooling;
}

/** Options of `fineTune` (chapter 6). */
export interface FineTuneOptions extends FineTuningSettings {
  /** Labelled ids `[rows, length]` (int32) and their classes `[rows]` (int32). */
  train: { x: Tensor; y: Tensor };
  /** Scored after every epoch; the weights of the epoch with the best accuracy are kept. */
  validation: { x: Tensor; y: Tensor };
  epochs: number;
  /** The id of `[PAD]` (attention and mean pooling skip it). */
  padId: number;
  /** Default 2. */
  classes?: number;
  /** Default 32. */
  batchSize?: number;
  /**
   * Rows per epoch: a training set with fewer rows is repeated up to this many, so that a small label
   * budget gets as many steps as a larger one (default: the rows of `train`).
   */
  rowsPerEpoch?: number;
  /** Share of the steps spent warming up (default 0.1). */
  warmupFraction?: number;
  /** Gradient clipping by global norm (default 1). */
  clipNorm?: number;
  /** A live plot with this title, or none (default). */
  plot?: string | false;
}

/** A fine-tuned classifier and how it got there (chapter 6). */
export interface FineTuningRun {
  classifier: SequenceClassifier;
  trainer: Trainer;
  fit: FitResult;
  /** Optimiser steps taken. */
  steps: number;
  /** Validation accuracy after each epoch. */
  validation: number[];
  /** The epoch (from 1) whose weights were kept. */
  bestEpoch: number;
  /** The training loss every 10 steps (or twice an epoch, if shorter), against the training rows seen. */
  curve: { samples: number[]; losses: number[] };
  /** Frees the optimiser, the head and the encoder. */
  dispose(): void;
}

/**
 * Fine-tunes `encoder` (changed in place) with a new classification head (chapter 6). The stop
 * button ends it with an error saying where it stopped; the run's weights are freed then.
 */
export async function fineTune(encoder: TransformerEncoder, options: FineTuneOptions): Promise<FineTuningRun> {
  const { train, validation, epochs, padId } = options;
  const classes = options.classes ?? 2;
  const batchSize = options.batchSize ?? 32;
  const rows = train.x.shape[0] as number;
  const rowsPerEpoch = options.rowsPerEpoch ?? rows;
  checkPositiveIntegers('fineTune', { epochs, classes, batchSize, rowsPerEpoch });
  if (train.y.shape[0] !== rows || validation.y.shape[0] !== validation.x.shape[0]) {
    throw new Error(`fineTune: ids and labels must have as many rows (train ${rows} and ${train.y.shape[0]}, validation ${validation.x.shape[0]} and ${validation.y.shape[0]}).`);
  }
  if (rows === 0) throw new Error('fineTune: the training set is empty; give it at least one labelled row.');
  if (rowsPerEpoch < rows) throw new Error(`fineTune: rowsPerEpoch (${rowsPerEpoch}) is smaller than the training rows (${rows}); leave it out, or give fewer rows.`);
  const warmupFraction = options.warmupFraction ?? 0.1;
  if (!(warmupFraction >= 0 && warmupFraction < 1)) throw new Error(`fineTune: warmupFraction must be in [0, 1), got ${warmupFraction}.`);
  const classifier = new SequenceClassifier(encoder, classes, padId, options.pooling);
  const steps = epochs * Math.ceil(rowsPerEpoch / batchSize);
  const schedule = warmup({
    steps: Math.max(1, Math.round(warmupFraction * steps)),
    then: linearDecay({ initial: options.learningRate }),
  });
  const trainer = new Trainer(classifier, { learningRate: options.learningRate, schedule, clipNorm: options.clipNorm ?? 1 });
  const curve = { samples: [] as number[], losses: [] as number[] };
  let seen = 0;
  const recorder: TrainerCallback = {
    onBatchEnd: (info) => {
      seen += info.size;
      if (info.logs) {
        curve.samples.push(seen);
        curve.losses.push(info.logs['loss'] as number);
      }
    },
  };
  const dispose = () => {
    trainer.dispose();
    classifier.dispose();
    encoder.dispose();
  };
  const repeated =
    rowsPerEpoch === rows
      ? null
      : tf.tidy(() => {
          const order = tf.tensor1d(Array.from({ length: rowsPerEpoch }, (_, i) => i % rows), 'int32');
          return { x: tf.gather(train.x, order), y: tf.gather(train.y, order) };
        });
  let fit: FitResult;
  try {
    fit = await trainer.fit(repeated ?? train, {
      epochs,
      batchSize,
      // the Trainer reports losses only inside an epoch: at least once in each
      syncEvery: Math.min(10, Math.ceil(rowsPerEpoch / batchSize / 2)),
      callbacks: [recorder],
      validationData: validation,
      validationBatchSize: 128,
      earlyStopping: { monitor: 'validationAccuracy', mode: 'max', patience: epochs, restoreBestWeights: true },
      plot: options.plot ? { title: options.plot } : false,
    });
  } catch (error) {
    dispose();
    throw error;
  } finally {
    if (repeated) tf.dispose([repeated.x, repeated.y]);
  }
  if (fit.interrupted) {
    dispose();
    throw new Error(`fineTune: stopped by the stop button at epoch ${fit.interrupted.epoch}, step ${fit.interrupted.step}; run the cell again to redo the run.`);
  }
  const accuracies = fit.history.map((h) => logValue(h, 'validationAccuracy'));
  return { classifier, trainer, fit, steps, validation: accuracies, bestEpoch: fit.bestEpoch ?? epochs, curve, dispose };
}
