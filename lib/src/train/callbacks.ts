/**
 * Training callbacks (chapter 5): hooks the Trainer calls at the start and
 * end of training, of every epoch and of every batch.
 */

/** The numbers logged at the end of an epoch (chapter 5). */
export interface EpochLogs {
  /** The epoch, counted from 1. */
  epoch: number;
  /** Mean training loss over the epoch (without weight-decay terms). */
  loss: number;
  /** Mean validation loss, when there is validation data. */
  validationLoss?: number;
  /** Learning rate at the end of the epoch. */
  learningRate: number;
  /** Seconds the epoch took (training and validation). */
  seconds: number;
  /** Training and validation metrics: `accuracy`, `validationAccuracy`, ... */
  [metric: string]: number | undefined;
}

/** What `onBatchEnd` receives (chapter 5). */
export interface BatchInfo {
  /** The epoch, counted from 0. */
  epoch: number;
  /** The batch within the epoch, counted from 0. */
  batch: number;
  /** Optimisation steps done so far over the whole run. */
  step: number;
  /** Samples in this batch. */
  size: number;
  /**
   * Mean loss and metrics over the batches since the previous report. Present
   * only on the batches where the Trainer reads values back from the device
   * (every `syncEvery` batches), so that training does not wait on every batch.
   */
  logs?: Record<string, number>;
}

/** The part of the Trainer a callback may touch (chapter 5). */
export interface TrainerControl {
  /** Set to true to stop after the current batch. */
  stopTraining: boolean;
  /** The learning rate in use. */
  readonly learningRate: number;
}

/** Hooks into the training loop; every method is optional and may be async (chapter 5). */
export interface TrainerCallback {
  onTrainBegin?(control: TrainerControl): void | Promise<void>;
  onEpochBegin?(epoch: number, control: TrainerControl): void | Promise<void>;
  onBatchEnd?(info: BatchInfo, control: TrainerControl): void | Promise<void>;
  onEpochEnd?(logs: EpochLogs, control: TrainerControl): void | Promise<void>;
  onTrainEnd?(history: EpochLogs[], control: TrainerControl): void | Promise<void>;
}

/** Options of early stopping (chapter 5). */
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
