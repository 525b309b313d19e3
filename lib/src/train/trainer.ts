/**
 * The Trainer (chapter 5): the training loop of the book, after d2l's
 * `Trainer.fit` → `fit_epoch`. `fit` is a loop over epochs: `fitEpoch` takes
 * one optimiser step per mini-batch (`Dataset.batches`), `evaluate` measures
 * the validation set, and callbacks do the rest: early stopping
 * (`EarlyStopping`), the live plot (`LivePlotCallback`) and your own.
 * Checkpoints on disk, learning-rate schedules and gradient clipping are
 * options.
 *
 * One step is `tf.variableGrads` of the loss followed by
 * `optimizer.applyGradients`, inside `tf.tidy`. Losses and metrics are added
 * up on the device and read back only every `syncEvery` batches and at the
 * end of each epoch, so training does not wait on every batch.
 */
import { tf } from '../backend/tf';
import type { Optimizer, Scalar, Tensor, Variable } from '@tensorflow/tfjs';
import { Dataset } from '../data/dataset';
import { inNotebook } from '../plot/jupyter';
import type { LivePlotOptions } from '../plot/live-plot';
import { nextSeed, rng } from '../util/random';
import { EarlyStopping, type EarlyStoppingOptions, type EarlyStoppingState, type EpochLogs, type TrainerCallback, type TrainerControl, type TrainingPlan } from './callbacks';
import { checkCheckpointDirectory, loadCheckpointFolder, saveCheckpointFolder, type StoredTensor } from './checkpoint';
import { LivePlotCallback, validationName } from './live-plot-callback';
import { lossByName, metricByName, type LossFunction, type Metric, type MetricName, type TrainingLossName } from './metrics';
import { clipByGlobalNorm, getLearningRate, makeOptimizer, setLearningRate, type OptimizerName } from './optimizers';
import type { LearningRateSchedule } from './schedules';
import { checkData, checkLabels, defaultLossName, describeShape, isLayersModel, modelWeightNames, modelWeights, outputsAreLogits, setModelWeights, type TrainableModel } from './trainable-model';

/** Options fixed for the life of a Trainer (chapter 5). */
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

/** Options of one `fit` call (chapter 5). */
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
  /** Your callbacks, called after the live plot and early stopping. */
  callbacks?: TrainerCallback[];
  /** Adds an `EarlyStopping` callback with these options (its progress carries over to the next fit). */
  earlyStopping?: EarlyStoppingOptions;
  /** Adds a `LivePlotCallback`: true/false, or LivePlot options. Default: on inside a notebook. */
  plot?: boolean | LivePlotOptions;
  /** Print one line per epoch (default false; the live plot already prints outside notebooks). */
  verbose?: boolean;
  /** Read losses back every this many batches (default about 4 times per epoch with a plot or onBatchEnd, else once per epoch). */
  syncEvery?: number;
  /**
   * Save a checkpoint into `directory` every `everyEpochs` epochs (default 1) and at the end. The folder must be
   * new, empty or an earlier checkpoint: one holding anything else is refused before training starts, so that a
   * save never replaces files of yours.
   */
  checkpoint?: { directory: string; everyEpochs?: number };
  /** Load this checkpoint first and continue from its epoch. */
  resumeFrom?: string;
}

/** What `fit` returns (chapter 5). */
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
}

/** How the epochs of one `fit` call run. */
interface EpochPlan extends TrainingPlan {
  batchSize: number;
  syncEvery: number;
  shuffle: boolean;
}

function defer(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function storedTensor(name: string, t: Tensor): StoredTensor {
  const int = t.dtype === 'int32';
  return { name, shape: t.shape, dtype: int ? 'int32' : 'float32', values: int ? Int32Array.from(t.dataSync() as Int32Array) : Float32Array.from(t.dataSync() as Float32Array) };
}

function describeEpoch(logs: EpochLogs, epochs: number): string {
  const parts = Object.entries(logs)
    .filter(([k]) => k !== 'epoch')
    .map(([k, v]) => `${k} ${k === 'learningRate' ? (v as number).toExponential(2) : (v as number).toFixed(4)}`);
  return `epoch ${logs.epoch}/${epochs} | ${parts.join(' | ')}`;
}

/** Fits a model (chapter 5). See `TrainerOptions` and `FitOptions`. */
export class Trainer implements TrainerControl {
  readonly model: TrainableModel;
  readonly optimizer: Optimizer;
  /** Set by a callback (or early stopping) to stop after the current batch. */
  stopTraining = false;
  /** Epochs completed so far. */
  epoch = 0;
  /** Optimisation steps done so far. */
  step = 0;
  /** Logs of every completed epoch. */
  history: EpochLogs[] = [];
  private readonly options: TrainerOptions;
  /** Whether this trainer made its optimiser (then `dispose` frees it) or was given it. */
  private readonly ownsOptimizer: boolean;
  private disposed = false;
  private shuffleSeed: number;
  private loss: { name?: TrainingLossName; compute: LossFunction } | null = null;
  private metrics: Metric[] | null = null;
  /** The early stopping of the latest fit (or of a loaded checkpoint): its progress goes into checkpoints. */
  private earlyStopping: EarlyStopping | null = null;

  constructor(model: TrainableModel, options: TrainerOptions = {}) {
    if (!isLayersModel(model) && (typeof model.loss !== 'function' || !Array.isArray(model.trainableVariables))) {
      throw new Error('Trainer: the model must be a tf.LayersModel or an object with trainableVariables (an array of tf.Variable) and loss(batch, training).');
    }
    if (options.clipNorm !== undefined && !(options.clipNorm > 0)) throw new Error(`Trainer: clipNorm must be > 0, got ${options.clipNorm}.`);
    this.model = model;
    this.options = options;
    const compiled = isLayersModel(model) ? (model as unknown as { optimizer?: Optimizer }).optimizer : undefined;
    const { optimizer, learningRate } = options;
    this.ownsOptimizer = typeof optimizer === 'string' || (optimizer === undefined && !compiled);
    if (typeof optimizer === 'object') this.optimizer = optimizer;
    else this.optimizer = optimizer === undefined && compiled ? compiled : makeOptimizer(optimizer ?? 'adam', learningRate);
    if (learningRate !== undefined && !this.ownsOptimizer) setLearningRate(this.optimizer, learningRate);
    this.shuffleSeed = options.seed ?? nextSeed();
  }

  /** Whether `dispose` was called. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /**
   * Frees what this trainer created (chapter 5): the optimiser's state (Adam's
   * moments, say) when the trainer made the optimiser, and early stopping's
   * saved weights. The model, and an optimiser you passed in, stay yours.
   * `keepLatest('trainer', new Trainer(...))` calls it when the cell is re-run.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.earlyStopping?.dispose();
    if (this.ownsOptimizer) this.optimizer.dispose();
  }

  /** The learning rate in use. */
  get learningRate(): number {
    return getLearningRate(this.optimizer);
  }

  /** The variables the optimiser updates. */
  trainableVariables(): Variable[] {
    if (isLayersModel(this.model)) return this.model.trainableWeights.map((w) => w.read() as Variable);
    return this.model.trainableVariables;
  }

  /** The model's weights, trainable first: the tensors themselves, not copies (chapter 5). */
  weights(): Tensor[] {
    return modelWeights(this.model);
  }

  /** Assigns new values to the model's weights, in the order of `weights()` (chapter 5). */
  setWeights(values: Tensor[]): void {
    setModelWeights(this.model, values);
  }

  /**
   * Trains until `options.epochs` epochs are done in total (chapter 5).
   * Returns the history and the throughput of this call.
   */
  async fit(data: Dataset | { x: Tensor; y: Tensor }, options: FitOptions): Promise<FitResult> {
    const began = Date.now();
    const { train, validation, temporary } = await this.prepareFit(data, options);
    const callbacks = this.fitCallbacks(options, validation !== null);
    const plan = this.epochPlan(train, options, callbacks, validation !== null);
    const validationBatchSize = options.validationBatchSize ?? Math.max(plan.batchSize, 1024);
    let samples = 0;
    let failed = true;
    this.stopTraining = false;
    try {
      for (const c of callbacks) await c.onTrainBegin?.(plan, this);
      for (let epoch = this.epoch; epoch < options.epochs && !this.stopTraining; epoch++) {
        const epochBegan = Date.now();
        for (const c of callbacks) await c.onEpochBegin?.(epoch, this);
        const trained = await this.fitEpoch(train, epoch, plan, callbacks);
        samples += trained.samples;
        const logs = trained.logs;
        if (validation) for (const [name, value] of Object.entries(this.evaluateBatches(validation, validationBatchSize))) logs[validationName(name)] = value;
        logs.seconds = (Date.now() - epochBegan) / 1000;
        this.history.push(logs);
        this.epoch = epoch + 1;
        if (options.verbose) console.log(describeEpoch(logs, options.epochs));
        for (const c of callbacks) await c.onEpochEnd?.(logs, this);
        const every = options.checkpoint?.everyEpochs ?? 1;
        if (options.checkpoint && (this.epoch % every === 0 || this.epoch === options.epochs || this.stopTraining)) await this.saveCheckpoint(options.checkpoint.directory);
        await defer();
      }
      failed = false;
    } finally {
      temporary.forEach((d) => d.dispose());
      for (const c of callbacks) {
        try {
          await c.onTrainEnd?.(this.history, this);
        } catch (error) {
          if (!failed) throw error; // Otherwise the first error is the one to report.
        }
      }
    }
    const early = callbacks.find((c): c is EarlyStopping => c instanceof EarlyStopping);
    const seconds = (Date.now() - began) / 1000;
    return { history: this.history, epochs: this.epoch, stoppedEarly: early?.stopped ?? false, ...(early ? { bestEpoch: early.bestEpoch } : {}), seconds, samplesPerSecond: samples / Math.max(seconds, 1e-9) };
  }

  /** One pass over the training set, one step per mini-batch; the epoch's logs (without validation) and its samples. */
  private async fitEpoch(train: Dataset, epoch: number, plan: EpochPlan, callbacks: TrainerCallback[]): Promise<{ logs: EpochLogs; samples: number }> {
    const names = ['loss', ...plan.metrics];
    const variables = this.trainableVariables();
    let sums: Tensor = tf.zeros([names.length]);
    let synced = names.map(() => 0);
    let syncedSamples = 0;
    let samples = 0;
    let batch = 0;
    try {
      for (const { x, y } of train.batches(plan.batchSize, { shuffle: plan.shuffle, seed: this.shuffleSeed + epoch * 7919 })) {
        const size = x.shape[0] as number;
        if (this.options.schedule) {
          const rate = this.options.schedule({ step: this.step, epoch, stepsPerEpoch: plan.stepsPerEpoch, totalSteps: plan.epochs * plan.stepsPerEpoch });
          if (rate !== this.learningRate) setLearningRate(this.optimizer, rate);
        }
        let values: Tensor;
        try {
          values = this.trainStep(x, y, variables);
        } finally {
          tf.dispose([x, y]);
        }
        const next = tf.tidy(() => tf.add(sums, tf.mul(values, size)));
        tf.dispose([values, sums]);
        sums = next;
        this.step += 1;
        samples += size;
        batch += 1;
        let logs: Record<string, number> | undefined;
        if (batch % plan.syncEvery === 0 && batch < plan.stepsPerEpoch) {
          const now = Array.from(sums.dataSync());
          logs = Object.fromEntries(names.map((n, i) => [n, ((now[i] as number) - (synced[i] as number)) / (samples - syncedSamples)]));
          synced = now;
          syncedSamples = samples;
        }
        for (const c of callbacks) await c.onBatchEnd?.({ epoch, batch: batch - 1, step: this.step, size, ...(logs ? { logs } : {}) }, this);
        if (logs) await defer();
        // ── Stop check: the one place where training stops between batches (stopTraining, set by a callback or early stopping).
        if (this.stopTraining) break;
      }
      const totals = sums.dataSync();
      const logs: EpochLogs = { epoch: epoch + 1, loss: NaN, learningRate: this.learningRate, seconds: 0 };
      names.forEach((n, i) => (logs[n] = (totals[i] as number) / Math.max(1, samples)));
      return { logs, samples };
    } finally {
      sums.dispose();
    }
  }

  /** One optimisation step; returns the batch's [loss, metrics...] vector (kept). */
  private trainStep(x: Tensor, y: Tensor, variables: Variable[]): Tensor {
    return tf.tidy(() => {
      let values: Tensor | null = null;
      const objective = (): Scalar => {
        const { loss, outputs } = this.forward(x, y, true);
        if (outputs !== null || (this.metrics as Metric[]).length === 0) values = tf.keep(this.batchValues(y, loss, outputs, x));
        const penalty = this.regularisation();
        return penalty === null ? loss : (tf.add(loss, penalty) as Scalar);
      };
      const { value, grads } = tf.variableGrads(objective, variables);
      // A custom model without outputs: metrics from predict(), before the update.
      values ??= this.batchValues(y, value, null, x);
      this.optimizer.applyGradients(this.options.clipNorm === undefined ? grads : clipByGlobalNorm(grads, this.options.clipNorm));
      return values;
    });
  }

  /** Checks the data and options, loads `resumeFrom`, and splits off the validation set. */
  private async prepareFit(data: Dataset | { x: Tensor; y: Tensor }, options: FitOptions): Promise<{ train: Dataset; validation: Dataset | null; temporary: Dataset[] }> {
    if (this.disposed) throw new Error('Trainer.fit: this trainer was disposed (by dispose(), or by keepLatest when its cell was re-run); create a new Trainer.');
    if (!Number.isInteger(options.epochs) || options.epochs < 1) throw new Error(`Trainer.fit: epochs must be a positive integer, got ${options.epochs}.`);
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`Trainer.fit: batchSize must be a positive integer, got ${batchSize}.`);
    const all = checkData(this.model, data, 'training');
    if (options.checkpoint) {
      const every = options.checkpoint.everyEpochs ?? 1;
      if (!Number.isInteger(every) || every < 1) throw new Error(`Trainer.fit: checkpoint.everyEpochs must be a positive integer, got ${every}.`);
      // Before any training: a folder we may not replace, or cannot write, is an error now, not after an epoch.
      checkCheckpointDirectory(options.checkpoint.directory);
    }
    if (options.resumeFrom !== undefined) await this.loadCheckpoint(options.resumeFrom);
    this.resolveLoss(all.y);
    // A custom model without predict() must return outputs from loss() for the metrics; checked on the first step.
    this.resolveMetrics();
    checkLabels(this.model, this.loss?.name, all.y, 'training');
    if (options.validationData !== undefined) {
      const validation = checkData(this.model, options.validationData, 'validation');
      checkLabels(this.model, this.loss?.name, validation.y, 'validation');
      return { train: all, validation, temporary: [] };
    }
    if (options.validationSplit === undefined) return { train: all, validation: null, temporary: [] };
    const split = options.validationSplit;
    const held = Math.round(split * all.size);
    if (!(split > 0 && split < 1) || held < 1 || held >= all.size) {
      throw new Error(`Trainer.fit: validationSplit ${split} leaves no training or no validation samples out of ${all.size}; use a fraction such as 0.1.`);
    }
    const [train, validation] = [all.take(all.size - held), all.skip(all.size - held)];
    return { train, validation, temporary: [train, validation] };
  }

  /** The callbacks of a fit: the live plot, early stopping (continuing an earlier one's progress), then yours. */
  private fitCallbacks(options: FitOptions, validation: boolean): TrainerCallback[] {
    const callbacks = [...(options.callbacks ?? [])];
    const monitor = validation ? 'validationLoss' : 'loss';
    let early = callbacks.find((c): c is EarlyStopping => c instanceof EarlyStopping);
    if (!early && options.earlyStopping) callbacks.unshift((early = new EarlyStopping({ monitor, ...options.earlyStopping })));
    if (early && early !== this.earlyStopping) {
      const previous = this.earlyStopping;
      if (previous?.monitor !== undefined && previous.monitor === (early.monitor ?? monitor)) early.restore(previous.state(), previous.takeBestWeights());
      previous?.dispose();
      this.earlyStopping = early;
    }
    const plot = options.plot ?? inNotebook();
    if (plot) callbacks.unshift(new LivePlotCallback(typeof plot === 'object' ? plot : {}));
    return callbacks;
  }

  private epochPlan(train: Dataset, options: FitOptions, callbacks: TrainerCallback[], validation: boolean): EpochPlan {
    const batchSize = options.batchSize ?? 32;
    const stepsPerEpoch = Math.ceil(train.size / batchSize);
    const syncEvery = options.syncEvery ?? (callbacks.some((c) => c.onBatchEnd) ? Math.max(1, Math.ceil(stepsPerEpoch / 4)) : stepsPerEpoch);
    const metrics = (this.metrics as Metric[]).map((m) => m.name);
    return { epochs: options.epochs, samplesPerEpoch: train.size, stepsPerEpoch, metrics, validation, batchSize, syncEvery, shuffle: options.shuffle !== false };
  }

  private fromLogits(): boolean {
    return this.options.fromLogits ?? outputsAreLogits(this.model);
  }

  private resolveLoss(labels: Tensor): void {
    if (this.loss) return;
    const option = this.options.loss;
    if (typeof option === 'function') this.loss = { compute: option };
    else {
      const name = option ?? defaultLossName(labels);
      this.loss = { name, compute: lossByName(name, this.fromLogits()) };
    }
  }

  private resolveMetrics(): Metric[] {
    if (this.metrics) return this.metrics;
    const classifies = isLayersModel(this.model) ? this.loss?.name?.includes('Crossentropy') === true : this.model.predict !== undefined;
    const requested = this.options.metrics ?? (classifies ? ['accuracy' as const] : []);
    this.metrics = requested.map((m) => (typeof m === 'string' ? metricByName(m, this.fromLogits()) : m));
    return this.metrics;
  }

  /** Loss and outputs of one batch (outputs may be null for a custom model without them). */
  private forward(x: Tensor, y: Tensor, training: boolean): { loss: Scalar; outputs: Tensor | null } {
    if (isLayersModel(this.model)) {
      const outputs = this.model.apply(x, { training }) as Tensor;
      return { loss: (this.loss as { compute: LossFunction }).compute(y, outputs), outputs };
    }
    const result = this.model.loss({ x, y }, training);
    if (result instanceof tf.Tensor) return { loss: result as Scalar, outputs: null };
    return { loss: result.loss, outputs: result.outputs };
  }

  /** Loss and metric values of a batch as one vector [loss, metric 1, ...]. */
  private batchValues(y: Tensor, loss: Scalar, outputs: Tensor | null, x: Tensor): Tensor {
    const metrics = this.metrics as Metric[];
    if (metrics.length === 0) return tf.reshape(loss, [1]);
    const predicted = outputs ?? (isLayersModel(this.model) ? null : this.model.predict?.(x)) ?? null;
    if (predicted === null) throw new Error('Trainer: metrics need the model outputs; return { loss, outputs } from loss() or give the model a predict(x) method.');
    return tf.stack([loss, ...metrics.map((m) => m.compute(y, predicted))]);
  }

  private regularisation(): Scalar | null {
    if (!isLayersModel(this.model)) return null;
    const losses = (this.model as unknown as { calculateLosses?: () => Scalar[] }).calculateLosses?.() ?? [];
    return losses.length === 0 ? null : (tf.addN(losses) as Scalar);
  }

  /** Mean loss and metrics on `data`, in inference mode (chapter 5). */
  evaluate(data: Dataset | { x: Tensor; y: Tensor }, options: { batchSize?: number } = {}): Record<string, number> {
    const dataset = checkData(this.model, data, 'evaluation');
    this.resolveLoss(dataset.y);
    this.resolveMetrics();
    checkLabels(this.model, this.loss?.name, dataset.y, 'evaluation');
    return this.evaluateBatches(dataset, options.batchSize ?? 1024);
  }

  private evaluateBatches(data: Dataset, batchSize: number): Record<string, number> {
    const names = ['loss', ...(this.metrics as Metric[]).map((m) => m.name)];
    let sums: Tensor = tf.zeros([names.length]);
    for (const { x, y } of data.batches(batchSize)) {
      try {
        const next = tf.tidy(() => {
          const { loss, outputs } = this.forward(x, y, false);
          return tf.add(sums, tf.mul(this.batchValues(y, loss, outputs, x), x.shape[0] as number));
        });
        sums.dispose();
        sums = next;
      } finally {
        tf.dispose([x, y]);
      }
    }
    const totals = sums.dataSync();
    sums.dispose();
    return Object.fromEntries(names.map((n, i) => [n, (totals[i] as number) / data.size]));
  }

  /** The model's outputs for `x`, computed in batches (chapter 5). */
  predict(x: Tensor, options: { batchSize?: number } = {}): Tensor {
    const parts: Tensor[] = [];
    for (const batch of new Dataset(x).batches(options.batchSize ?? 1024)) {
      parts.push(
        tf.tidy(() => {
          if (isLayersModel(this.model)) return this.model.apply(batch.x, { training: false }) as Tensor;
          if (!this.model.predict) throw new Error('Trainer.predict: this custom model has no predict(x) method; add one.');
          return this.model.predict(batch.x);
        }),
      );
      tf.dispose([batch.x, batch.y]);
    }
    if (parts.length === 1) return parts[0] as Tensor;
    const all = tf.concat(parts);
    tf.dispose(parts);
    return all;
  }

  /** Predicted class indices (argmax of the outputs) as an Int32Array (chapter 5). */
  predictClasses(x: Tensor, options: { batchSize?: number } = {}): Int32Array {
    const outputs = this.predict(x, options);
    const classes = tf.tidy(() => (outputs.shape[outputs.rank - 1] === 1 ? tf.greater(outputs.reshape([-1]), this.fromLogits() ? 0 : 0.5).toInt() : tf.argMax(outputs, -1)));
    outputs.dispose();
    const values = Int32Array.from(classes.dataSync() as Int32Array);
    classes.dispose();
    return values;
  }

  /**
   * Saves weights, optimiser state and trainer state (epoch, history, shuffle
   * seed, random state, early stopping's progress and best weights) to
   * `directory`, atomically (chapter 5).
   */
  async saveCheckpoint(directory: string): Promise<void> {
    const names = modelWeightNames(this.model);
    const model = this.weights().map((t, i) => storedTensor(names[i] as string, t));
    const optimizerWeights = await this.optimizer.getWeights();
    const optimizer = optimizerWeights.map((w) => storedTensor(w.name, w.tensor));
    for (const w of optimizerWeights) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
    const early = this.earlyStopping?.monitor !== undefined ? this.earlyStopping : null;
    const best = (early?.bestWeights ?? []).map((t, i) => storedTensor(names[i] as string, t));
    const state = {
      epoch: this.epoch,
      step: this.step,
      history: this.history,
      shuffleSeed: this.shuffleSeed,
      randomState: rng().getState(),
      learningRate: this.learningRate,
      optimizerClass: this.optimizer.getClassName(),
      modelKind: isLayersModel(this.model) ? 'layers' : 'custom',
      earlyStopping: early ? early.state() : null,
    };
    saveCheckpointFolder(directory, { state, groups: best.length > 0 ? { model, optimizer, best } : { model, optimizer } });
  }

  /**
   * Restores a checkpoint saved by `saveCheckpoint` into this trainer and its
   * model (chapter 5); the next `fit` continues from the saved epoch.
   */
  async loadCheckpoint(directory: string): Promise<void> {
    const checkpoint = loadCheckpointFolder(directory);
    const state = checkpoint.state as {
      epoch: number;
      step: number;
      history: EpochLogs[];
      shuffleSeed: number;
      randomState: number;
      learningRate: number;
      optimizerClass: string;
      earlyStopping: EarlyStoppingState | null;
    };
    const stored = checkpoint.groups['model'] ?? [];
    const current = this.weights();
    const names = modelWeightNames(this.model);
    const differentModel = (why: string): Error =>
      new Error(`The checkpoint in ${checkpoint.path} was saved from a different model: ${why}. Build the same model (same layers and sizes) as when it was saved, or train from scratch.`);
    if (stored.length !== current.length) throw differentModel(`it has ${stored.length} weight tensors, this model has ${current.length}`);
    stored.forEach((s, i) => {
      const shape = (current[i] as Tensor).shape;
      if (s.shape.length !== shape.length || s.shape.some((d, j) => d !== shape[j])) {
        throw differentModel(`weight ${i} (${s.name}) has shape ${describeShape(s.shape)} there but ${describeShape(shape)} here (${names[i]})`);
      }
    });
    if (state.optimizerClass !== this.optimizer.getClassName()) {
      throw new Error(
        `The checkpoint in ${checkpoint.path} was saved with the ${state.optimizerClass} optimiser but this trainer uses ${this.optimizer.getClassName()}; create the Trainer with the same optimiser.`,
      );
    }
    const toTensor = (s: StoredTensor): Tensor => tf.tensor(s.values, s.shape, s.dtype);
    const values = stored.map(toTensor);
    this.setWeights(values);
    tf.dispose(values);
    const old = await this.optimizer.getWeights();
    const restored = (checkpoint.groups['optimizer'] ?? []).map((s) => ({ name: s.name, tensor: toTensor(s) }));
    await this.optimizer.setWeights(restored);
    restored.forEach((w) => w.tensor.dispose());
    for (const w of old) if (!w.tensor.isDisposed) w.tensor.dispose();
    setLearningRate(this.optimizer, state.learningRate);
    this.epoch = state.epoch;
    this.step = state.step;
    this.history = state.history;
    this.shuffleSeed = state.shuffleSeed;
    this.earlyStopping?.dispose();
    this.earlyStopping = null;
    if (state.earlyStopping) {
      const best = checkpoint.groups['best'];
      this.earlyStopping = new EarlyStopping({ monitor: state.earlyStopping.monitor });
      this.earlyStopping.restore(state.earlyStopping, best && best.length === current.length ? best.map(toTensor) : null);
    }
    if (typeof state.randomState === 'number') rng().setState(state.randomState);
  }
}
