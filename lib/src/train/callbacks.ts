/**
 * Training callbacks (chapter 5) and early stopping. A callback owns its progress: `state()` gives it, `restore()`
 * continues from it (next fit, checkpoint).
 */
import { tf } from '../backend/tf';
import type { Tensor } from '@tensorflow/tfjs';
import { checkPositiveIntegers } from '../util/validate';

/** The numbers logged at the end of an epoch. */
export interface EpochLogs {
  /** The epoch, counted from 1. */
  epoch: number;
  /** Mean training loss over the epoch (without weight-decay terms). */
  loss: number;
  /** Mean training accuracy, with the `accuracy` metric (the default for classification). */
  accuracy?: number;
  meanAbsoluteError?: number;
  meanSquaredError?: number;
  /** Mean validation loss, when there is validation data. */
  validationLoss?: number;
  /** Validation accuracy, with validation data and the `accuracy` metric. */
  validationAccuracy?: number;
  /** Validation values of the metrics above, with validation data. */
  validationMeanAbsoluteError?: number;
  validationMeanSquaredError?: number;
  /** Learning rate at the end of the epoch. */
  learningRate: number;
  /** Seconds the epoch took (training and validation). */
  seconds: number;
  /** Custom metrics, by name (and `validation` + name). */
  [metric: string]: number | undefined;
}

/** `validation` + the name with a capital: `validationLoss`, `validationAccuracy`. */
export function validationName(name: string): string {
  return `validation${name[0]?.toUpperCase()}${name.slice(1)}`;
}

export type LoggedName = Exclude<keyof EpochLogs, number> & string;

/** One logged value of an epoch, e.g. `logValue(history[0], 'validationAccuracy')`; throws when it was not logged. */
export function logValue(logs: EpochLogs, name: LoggedName): number {
  const value = logs[name];
  if (typeof value !== 'number') {
    const logged = Object.keys(logs).filter((k) => typeof logs[k] === 'number');
    throw new Error(`Epoch ${logs.epoch} did not log "${name}"; it logged ${logged.join(', ')}. Validation values need validationData (or validationSplit) in fit.`);
  }
  return value;
}

export interface BatchInfo {
  /** The epoch, counted from 0. */
  epoch: number;
  /** The batch within the epoch, counted from 0. */
  batch: number;
  /** Optimisation steps done so far over the whole run. */
  step: number;
  /** Samples in this batch. */
  size: number;
  /** Mean loss and metrics since the previous report; only on batches where the Trainer reads back (every `syncEvery`). */
  logs?: Record<string, number>;
}

/** What `onTrainBegin` receives: the run about to start. */
export interface TrainingPlan {
  /** Train until this many epochs are done in total. */
  epochs: number;
  samplesPerEpoch: number;
  stepsPerEpoch: number;
  /** The metrics logged besides the loss, e.g. ['accuracy']. */
  metrics: string[];
  /** Whether each epoch ends with a validation pass (then `validationLoss`, ... are logged). */
  validation: boolean;
}

/** The part of the Trainer a callback may touch. */
export interface TrainerControl {
  /** Set to true to stop after the current batch. */
  stopTraining: boolean;
  readonly learningRate: number;
  /** Epochs completed so far. */
  readonly epoch: number;
  /** Logs of every completed epoch (including those before a resume). */
  readonly history: EpochLogs[];
  /** Set when an interrupt (the stop button) ended the current fit: where it stopped. */
  readonly interrupted?: { epoch: number; step: number } | undefined;
  /** The model's weights, trainable first: the tensors themselves (clone them to keep a copy). */
  weights(): Tensor[];
  /** Assigns new values to the model's weights, in the order of `weights()`. */
  setWeights(values: Tensor[]): void;
  /** Saves a checkpoint of the trainer (weights, optimiser, progress, its callbacks' states); the Trainer has it. */
  saveCheckpoint?(directory: string): Promise<void>;
}

/** What a callback adds to the result of `fit`. */
export interface CallbackReport {
  /** Whether this callback stopped training before the last epoch. */
  stoppedEarly?: boolean;
  /** The epoch (from 1) whose weights the model ends with, when the callback chose one. */
  bestEpoch?: number;
}

/** Hooks into the training loop; every method is optional and may be async. */
export interface TrainerCallback {
  onTrainBegin?(plan: TrainingPlan, control: TrainerControl): void | Promise<void>;
  onEpochBegin?(epoch: number, control: TrainerControl): void | Promise<void>;
  onBatchEnd?(info: BatchInfo, control: TrainerControl): void | Promise<void>;
  onEpochEnd?(logs: EpochLogs, control: TrainerControl): void | Promise<void>;
  /** Called when training ends: normally, stopped, or with an error (which is then rethrown). */
  onTrainEnd?(history: EpochLogs[], control: TrainerControl): void | Promise<void>;
  /** Key of `state()` in checkpoints and between fits (letters, digits, _, -); a fit option's callback yields to it. */
  readonly stateKey?: string;
  /** Its progress as plain JSON data (called after `onTrainBegin`). */
  state?(): unknown;
  /** Tensors that belong with `state()` (early stopping's best weights); the Trainer copies them. */
  stateTensors?(): Tensor[] | null;
  /** Whether a saved `state` fits this callback in the run about to start; default yes. */
  canRestore?(state: unknown, plan: TrainingPlan): boolean;
  /** Continues from a saved `state()` and its tensors, which it then owns (called before `onTrainBegin`). */
  restore?(state: unknown, tensors: Tensor[] | null): void;
  /** What it adds to the result of `fit`. */
  report?(): CallbackReport;
  /** True when it shows where an interrupt stopped training (then the Trainer prints no line about it). */
  readonly reportsInterruption?: boolean;
  /** Frees what it holds; the Trainer calls it for the callbacks it made from the options of fit. */
  dispose?(): void;
}

export interface EarlyStoppingOptions {
  /** The logged value to watch (default `validationLoss`, or `loss` without validation data). */
  monitor?: string;
  /** Epochs without improvement before stopping (default 3). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** 'min' for losses, 'max' for accuracies; default guessed from the name. */
  mode?: 'min' | 'max';
  /** Put back the weights of the best epoch when stopping (default true). */
  restoreBestWeights?: boolean;
}

/** Early stopping's progress, as saved in checkpoints. */
export interface EarlyStoppingState {
  monitor: string;
  mode: 'min' | 'max';
  /** The best value so far (null before the first epoch: JSON has no Infinity). */
  best: number | null;
  /** The epoch (from 1) that had it, 0 before the first. */
  bestEpoch: number;
  /** Epochs since then. */
  wait: number;
}

/** Keras' EarlyStopping: stops after `patience` epochs without improvement and puts back the best epoch's weights. */
export class EarlyStoppingCallback implements TrainerCallback {
  readonly stateKey = 'earlyStopping';
  /** The watched name; resolved at the start of training when not given. */
  monitor: string | undefined;
  readonly patience: number;
  readonly minDelta: number;
  readonly restoreBestWeights: boolean;
  private mode: 'min' | 'max' | undefined;
  /** NaN until the mode is known, then ±Infinity until the first epoch. */
  private best = NaN;
  private bestEpochValue = 0;
  private wait = 0;
  private stoppedValue = false;
  private saved: Tensor[] | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    this.monitor = options.monitor;
    this.mode = options.mode;
    this.patience = options.patience ?? 3;
    this.minDelta = options.minDelta ?? 0;
    this.restoreBestWeights = options.restoreBestWeights ?? true;
    checkPositiveIntegers('EarlyStoppingCallback', { patience: this.patience });
    if (!(this.minDelta >= 0)) throw new Error(`EarlyStoppingCallback: minDelta must be >= 0, got ${options.minDelta}.`);
  }

  /** The epoch (from 1) with the best monitored value so far; 0 before the first epoch. */
  get bestEpoch(): number {
    return this.bestEpochValue;
  }

  /** Whether this callback stopped the latest training run. */
  get stopped(): boolean {
    return this.stoppedValue;
  }

  /** The weights of the best epoch while training (null when not kept). */
  get bestWeights(): Tensor[] | null {
    return this.saved;
  }

  state(): EarlyStoppingState {
    if (this.monitor === undefined || this.mode === undefined) throw new Error('EarlyStoppingCallback.state: nothing to save before training has started.');
    return { monitor: this.monitor, mode: this.mode, best: Number.isFinite(this.best) ? this.best : null, bestEpoch: this.bestEpochValue, wait: this.wait };
  }

  /** Continues from a saved `state()`, taking ownership of `bestWeights`. */
  restore(state: EarlyStoppingState, bestWeights: Tensor[] | null = null): void {
    if (this.monitor !== undefined && this.monitor !== state.monitor) {
      throw new Error(`EarlyStoppingCallback.restore: the saved state watches "${state.monitor}" but this callback watches "${this.monitor}".`);
    }
    this.monitor = state.monitor;
    this.mode = state.mode;
    this.best = state.best ?? (state.mode === 'min' ? Infinity : -Infinity);
    this.bestEpochValue = state.bestEpoch;
    this.wait = state.wait;
    this.replaceSaved(bestWeights);
  }

  stateTensors(): Tensor[] | null {
    return this.saved;
  }

  /** Whether a saved state watches what this callback will watch in a run with `plan`. */
  canRestore(state: unknown, plan: TrainingPlan): boolean {
    return (state as EarlyStoppingState).monitor === (this.monitor ?? (plan.validation ? 'validationLoss' : 'loss'));
  }

  report(): CallbackReport {
    return { stoppedEarly: this.stoppedValue, bestEpoch: this.bestEpochValue };
  }

  /** Hands the best weights over to the caller (they are no longer this callback's to free). */
  takeBestWeights(): Tensor[] | null {
    const saved = this.saved;
    this.saved = null;
    return saved;
  }

  onTrainBegin(plan: TrainingPlan): void {
    this.monitor ??= plan.validation ? 'validationLoss' : 'loss';
    this.mode ??= /accuracy/i.test(this.monitor) ? 'max' : 'min';
    if (Number.isNaN(this.best)) this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.stoppedValue = false;
  }

  onEpochEnd(logs: EpochLogs, control: TrainerControl): void {
    const monitor = this.monitor as string;
    const value = logs[monitor];
    if (value === undefined) throw new Error(`Trainer: early stopping watches "${monitor}", which is not logged; logged values are ${Object.keys(logs).join(', ')}.`);
    const improved = this.mode === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta;
    if (improved) {
      this.best = value;
      this.bestEpochValue = logs.epoch;
      this.wait = 0;
      if (this.restoreBestWeights) this.replaceSaved(tf.tidy(() => control.weights().map((w) => w.clone())));
    } else if (++this.wait >= this.patience) {
      control.stopTraining = true;
      this.stoppedValue = true;
    }
  }

  /** Puts the best weights back (when they are not the current ones) and frees the copy. */
  onTrainEnd(_history: EpochLogs[], control: TrainerControl): void {
    // After an interrupt the model keeps the weights of its last step, as the reader asked to stop there.
    if (this.saved && this.bestEpochValue !== control.epoch && !control.interrupted) control.setWeights(this.saved);
    this.replaceSaved(null);
  }

  dispose(): void {
    this.replaceSaved(null);
  }

  private replaceSaved(weights: Tensor[] | null): void {
    if (this.saved !== weights) this.saved?.forEach((t) => t.dispose());
    this.saved = weights;
  }
}

/** Prints one line per epoch with every logged value; `fit({ verbose: true })` adds it. */
export class PrintEpochs implements TrainerCallback {
  private epochs = 0;

  onTrainBegin(plan: TrainingPlan): void {
    this.epochs = plan.epochs;
  }

  onEpochEnd(logs: EpochLogs): void {
    const parts = Object.entries(logs)
      .filter(([k]) => k !== 'epoch')
      .map(([k, v]) => `${k} ${k === 'learningRate' ? (v as number).toExponential(2) : (v as number).toFixed(4)}`);
    console.log(`epoch ${logs.epoch}/${this.epochs} | ${parts.join(' | ')}`);
  }
}
