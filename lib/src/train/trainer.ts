/**
 * The Trainer (chapter 5): the training loop of the book. It fits a
 * `tf.LayersModel` or a model that computes its own loss, in mini-batches,
 * with validation, metrics, callbacks, early stopping, learning-rate
 * schedules, gradient clipping, a live plot and checkpoints on disk.
 *
 * One step is `tf.variableGrads` of the loss followed by
 * `optimizer.applyGradients`, inside `tf.tidy`. Losses and metrics are added
 * up on the device and read back only every `syncEvery` batches and at the
 * end of each epoch, so training does not wait on every batch.
 */
import { tf } from '../backend/tf';
import type { LayersModel, NamedTensorMap, Optimizer, Scalar, Tensor, Variable } from '@tensorflow/tfjs';

type NamedTensor = { name: string; tensor: Tensor };
import { Dataset, permutation, type Batch } from '../data/dataset';
import { LivePlot, type LivePlotOptions } from '../plot/live-plot';
import { watchInterrupts } from '../util/interrupt';
import { inNotebook } from '../plot/jupyter';
import { Random, nextSeed, rng } from '../util/random';
import type { EarlyStoppingOptions, EpochLogs, TrainerCallback, TrainerControl } from './callbacks';
import { loadCheckpointFolder, saveCheckpointFolder, type StoredTensor } from './checkpoint';
import { lossByName, metricByName, type LossFunction, type TrainingLossName, type Metric, type MetricName } from './metrics';
import type { LearningRateSchedule } from './schedules';

/**
 * A model that writes its own forward pass (chapter 5): its variables and a
 * loss. `loss` may also return the outputs, which the metrics then use;
 * otherwise metrics call `predict`.
 */
export interface CustomModel {
  /** The variables the optimiser updates. */
  trainableVariables: Variable[];
  /** Other state saved in checkpoints (running statistics, say). */
  variables?: Variable[];
  /** The mean loss of a batch; `training` is false during validation. */
  loss(batch: Batch, training: boolean): Scalar | { loss: Scalar; outputs: Tensor };
  /** The model's outputs for `x`, used by metrics and `Trainer.predict`. */
  predict?(x: Tensor): Tensor;
}

/** What the Trainer can train: a Layers model or a custom model (chapter 5). */
export type TrainableModel = LayersModel | CustomModel;

/** Options fixed for the life of a Trainer (chapter 5). */
export interface TrainerOptions {
  /** An optimiser, or a name: 'adam' (default), 'sgd', 'momentum' (0.9), 'rmsprop'. A compiled model's optimiser is used if none is given. */
  optimizer?: Optimizer | 'adam' | 'sgd' | 'momentum' | 'rmsprop';
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
  callbacks?: TrainerCallback[];
  earlyStopping?: EarlyStoppingOptions;
  /** The live plot: true/false, or LivePlot options. Default: on inside a notebook. */
  plot?: boolean | LivePlotOptions;
  /** Print one line per epoch (default false; the live plot already prints outside notebooks). */
  verbose?: boolean;
  /** Read losses back every this many batches (default about 4 times per epoch with a plot or onBatchEnd, else once per epoch). */
  syncEvery?: number;
  /** Save a checkpoint into `directory` every `everyEpochs` epochs (default 1) and at the end. */
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
  /** Where an interrupt (the stop button) ended training; the model keeps the weights of that step. */
  interrupted?: { epoch: number; step: number };
}

interface EarlyState {
  monitor: string;
  mode: 'min' | 'max';
  best: number;
  bestEpoch: number;
  wait: number;
}

interface Range {
  x: Tensor;
  y: Tensor;
  start: number;
  count: number;
}

function isLayersModel(model: TrainableModel): model is LayersModel {
  return model instanceof tf.LayersModel;
}

function shapeText(shape: (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'any' : d)).join(', ')}]`;
}

function makeOptimizer(name: string, learningRate?: number): Optimizer {
  switch (name) {
    case 'adam':
      return tf.train.adam(learningRate ?? 0.001);
    case 'sgd':
      return tf.train.sgd(learningRate ?? 0.01);
    case 'momentum':
      return tf.train.momentum(learningRate ?? 0.01, 0.9);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate ?? 0.001);
    default:
      throw new Error(`Trainer: unknown optimizer "${name}". Use adam, sgd, momentum, rmsprop, or pass a tf.train optimiser.`);
  }
}

/** The learning rate an optimiser uses now (chapter 5). */
export function getLearningRate(optimizer: Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}

/** Changes an optimiser's learning rate in place (chapter 5). */
export function setLearningRate(optimizer: Optimizer, learningRate: number): void {
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (value: number) => void };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(learningRate);
  else o.learningRate = learningRate;
}

function defer(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
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
  private shuffleSeed: number;
  private lossFunction: LossFunction | null = null;
  private metrics: Metric[] | null = null;
  private baseLearningRate: number;
  private early: EarlyState | null = null;
  /** Weights of the best epoch so far, kept for early stopping's restore (and saved in checkpoints). */
  private bestWeights: Tensor[] | null = null;

  constructor(model: TrainableModel, options: TrainerOptions = {}) {
    if (!isLayersModel(model) && (typeof (model as CustomModel).loss !== 'function' || !Array.isArray((model as CustomModel).trainableVariables))) {
      throw new Error('Trainer: the model must be a tf.LayersModel or an object with trainableVariables (an array of tf.Variable) and loss(batch, training).');
    }
    this.model = model;
    this.options = options;
    const compiled = isLayersModel(model) ? (model as unknown as { optimizer?: Optimizer }).optimizer : undefined;
    if (options.optimizer === undefined || typeof options.optimizer === 'string') {
      this.optimizer = options.optimizer === undefined && compiled ? compiled : makeOptimizer(options.optimizer ?? 'adam', options.learningRate);
      if (options.optimizer === undefined && compiled && options.learningRate !== undefined) setLearningRate(compiled, options.learningRate);
    } else {
      this.optimizer = options.optimizer;
      if (options.learningRate !== undefined) setLearningRate(options.optimizer, options.learningRate);
    }
    this.baseLearningRate = getLearningRate(this.optimizer);
    if (options.clipNorm !== undefined && !(options.clipNorm > 0)) throw new Error(`Trainer: clipNorm must be > 0, got ${options.clipNorm}.`);
    this.shuffleSeed = options.seed ?? nextSeed();
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

  private fromLogits(): boolean {
    if (this.options.fromLogits !== undefined) return this.options.fromLogits;
    if (!isLayersModel(this.model)) return false;
    const last = this.model.layers[this.model.layers.length - 1];
    const activation = last ? (last.getConfig() as { activation?: string }).activation : undefined;
    return activation === undefined || activation === 'linear';
  }

  private resolveLoss(labels: Tensor): LossFunction {
    if (this.lossFunction) return this.lossFunction;
    const option = this.options.loss;
    if (typeof option === 'function') this.lossFunction = option;
    else {
      let name: TrainingLossName;
      if (option !== undefined) name = option;
      else if (labels.dtype === 'int32' && (labels.rank === 1 || (labels.rank === 2 && labels.shape[1] === 1))) name = 'sparseCategoricalCrossentropy';
      else if (labels.rank >= 2 && (labels.shape[labels.rank - 1] as number) > 1) name = 'categoricalCrossentropy';
      else name = 'meanSquaredError';
      this.lossFunction = lossByName(name, this.fromLogits());
      (this.lossFunction as { lossName?: TrainingLossName }).lossName = name;
    }
    return this.lossFunction;
  }

  private lossName(): TrainingLossName | undefined {
    return (this.lossFunction as { lossName?: TrainingLossName } | null)?.lossName;
  }

  private resolveMetrics(): Metric[] {
    if (this.metrics) return this.metrics;
    const requested = this.options.metrics ?? (isLayersModel(this.model) ? (this.lossName()?.includes('Crossentropy') ? ['accuracy' as const] : []) : this.model.predict ? ['accuracy' as const] : []);
    this.metrics = requested.map((m) => (typeof m === 'string' ? metricByName(m, this.fromLogits()) : m));
    return this.metrics;
  }

  /** Loss and outputs of one batch (outputs may be null for a custom model without them). */
  private forward(x: Tensor, y: Tensor, training: boolean): { loss: Scalar; outputs: Tensor | null } {
    if (isLayersModel(this.model)) {
      const outputs = this.model.apply(x, { training }) as Tensor;
      return { loss: (this.lossFunction as LossFunction)(y, outputs), outputs };
    }
    const result = this.model.loss({ x, y }, training);
    if (result instanceof tf.Tensor) return { loss: result as Scalar, outputs: null };
    return { loss: result.loss, outputs: result.outputs };
  }

  /** Loss and metric values of a batch as one vector [loss, metric 1, ...]. */
  private batchValues(y: Tensor, loss: Scalar, outputs: Tensor | null, x: Tensor): Tensor {
    const metrics = this.metrics as Metric[];
    if (metrics.length === 0) return tf.reshape(loss, [1]);
    let out = outputs;
    if (out === null) out = (this.model as CustomModel).predict?.(x) ?? null;
    if (out === null) throw new Error('Trainer: metrics need the model outputs; return { loss, outputs } from loss() or give the model a predict(x) method.');
    const predicted = out;
    return tf.stack([loss, ...metrics.map((m) => m.compute(y, predicted))]);
  }

  private regularisation(): Scalar | null {
    if (!isLayersModel(this.model)) return null;
    const losses = (this.model as unknown as { calculateLosses?: () => Scalar[] }).calculateLosses?.() ?? [];
    return losses.length === 0 ? null : (tf.addN(losses) as Scalar);
  }

  private clip(grads: NamedTensorMap): NamedTensorMap {
    const clipNorm = this.options.clipNorm;
    if (clipNorm === undefined) return grads;
    const names = Object.keys(grads);
    const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n] as Tensor)))));
    const scale = tf.minimum(1, tf.div(clipNorm, tf.maximum(norm, 1e-12)));
    const clipped: NamedTensorMap = {};
    for (const n of names) clipped[n] = tf.mul(grads[n] as Tensor, scale);
    return clipped;
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
      if (values === null) {
        // A custom model without outputs: metrics from predict(), before the update.
        values = this.batchValues(y, value, null, x);
      }
      this.optimizer.applyGradients(this.clip(grads));
      return values as Tensor;
    });
  }

  private evaluateRange(range: Range, batchSize: number): number[] {
    let sums: Tensor = tf.zeros([1 + (this.metrics as Metric[]).length]);
    for (let start = 0; start < range.count; start += batchSize) {
      const count = Math.min(batchSize, range.count - start);
      const next = tf.tidy(() => {
        const x = tf.slice(range.x, [range.start + start, ...range.x.shape.slice(1).map(() => 0)], [count, ...range.x.shape.slice(1)]);
        const y = tf.slice(range.y, [range.start + start, ...range.y.shape.slice(1).map(() => 0)], [count, ...range.y.shape.slice(1)]);
        const { loss, outputs } = this.forward(x, y, false);
        return tf.add(sums, tf.mul(this.batchValues(y, loss, outputs, x), count));
      });
      sums.dispose();
      sums = next;
    }
    const totals = Array.from(sums.dataSync());
    sums.dispose();
    return totals.map((v) => v / range.count);
  }

  private prepare(data: Dataset | { x: Tensor; y: Tensor }, what: string): { x: Tensor; y: Tensor } {
    if (!data || !(data.x instanceof tf.Tensor)) throw new Error(`Trainer: the ${what} data must be a Dataset or { x, y } tensors.`);
    const y = data instanceof Dataset ? data.y : data.y;
    if (!(y instanceof tf.Tensor)) throw new Error(`Trainer: the ${what} data has no labels; give labels (y) to train or evaluate.`);
    const x = data.x;
    if (x.rank === 0 || x.shape[0] === 0) throw new Error(`Trainer: the ${what} data is empty (0 samples); load or build some samples first.`);
    if (x.shape[0] !== y.shape[0]) {
      throw new Error(
        `Trainer: the ${what} data has ${x.shape[0]} samples of features ${shapeText(x.shape)} but ${y.shape[0]} labels ${shapeText(y.shape)}; give exactly one label per sample.`,
      );
    }
    if (isLayersModel(this.model)) {
      const expected = this.model.inputs[0]?.shape ?? [];
      const fits = expected.length === x.rank && expected.every((d, i) => i === 0 || d === null || d === x.shape[i]);
      if (!fits) {
        throw new Error(
          `Trainer: the ${what} features have shape ${shapeText(x.shape)} but the model expects ${shapeText(expected)} (first axis = samples); ` +
            'reshape the data (for MNIST: loadMnist({ shape: "flat" }) for an MLP, the default [28, 28, 1] for a CNN) or build the model for this shape.',
        );
      }
    }
    return { x, y };
  }

  private checkLabels(y: Tensor, what: string): void {
    if (!isLayersModel(this.model)) return;
    const outputShape = this.model.outputs[0]?.shape ?? [];
    const classes = outputShape[outputShape.length - 1] ?? null;
    const name = this.lossName();
    if (name === 'sparseCategoricalCrossentropy') {
      if (!(y.rank === 1 || (y.rank === 2 && y.shape[1] === 1))) {
        throw new Error(
          `Trainer: sparseCategoricalCrossentropy needs one class index per sample, but the ${what} labels have shape ${shapeText(y.shape)}; ` +
            'pass int32 class indices, or loss: "categoricalCrossentropy" for one-hot rows.',
        );
      }
      const [low, high, fractional] = tf.tidy(() => {
        const f = y.toFloat();
        return [tf.min(f), tf.max(f), tf.sum(tf.abs(tf.sub(f, tf.round(f))))].map((t) => t.dataSync()[0] as number);
      }) as [number, number, number];
      if (fractional > 0) throw new Error(`Trainer: the ${what} labels must be whole class indices; some are fractional.`);
      if (classes !== null && (low < 0 || high >= classes)) {
        throw new Error(
          `Trainer: the ${what} labels range from ${low} to ${high}, but the model has ${classes} outputs (classes 0 to ${classes - 1}); ` +
            'give the last layer one unit per class, or fix the labels.',
        );
      }
    } else if (name === 'categoricalCrossentropy' && classes !== null && y.shape[y.rank - 1] !== classes) {
      throw new Error(`Trainer: the ${what} label rows have ${y.shape[y.rank - 1]} columns but the model has ${classes} outputs; they must match.`);
    }
  }

  /**
   * Trains until `options.epochs` epochs are done in total (chapter 5).
   * Returns the history and the throughput of this call.
   */
  async fit(data: Dataset | { x: Tensor; y: Tensor }, options: FitOptions): Promise<FitResult> {
    const began = Date.now();
    if (!Number.isInteger(options.epochs) || options.epochs < 1) throw new Error(`Trainer.fit: epochs must be a positive integer, got ${options.epochs}.`);
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`Trainer.fit: batchSize must be a positive integer, got ${batchSize}.`);
    const { x, y } = this.prepare(data, 'training');
    if (options.resumeFrom !== undefined) await this.loadCheckpoint(options.resumeFrom);
    this.resolveLoss(y);
    // A custom model without predict() must return outputs from loss() for the metrics; checked on the first step.
    const metrics = this.resolveMetrics();

    let trainCount = x.shape[0] as number;
    let validation: Range | null = null;
    if (options.validationData !== undefined) {
      const v = this.prepare(options.validationData, 'validation');
      validation = { x: v.x, y: v.y, start: 0, count: v.x.shape[0] as number };
    } else if (options.validationSplit !== undefined) {
      const split = options.validationSplit;
      const held = Math.round(split * trainCount);
      if (!(split > 0 && split < 1) || held < 1 || held >= trainCount) {
        throw new Error(`Trainer.fit: validationSplit ${split} leaves no training or no validation samples out of ${trainCount}; use a fraction such as 0.1.`);
      }
      trainCount -= held;
      validation = { x, y, start: trainCount, count: held };
    }
    this.checkLabels(y, 'training');
    if (validation && validation.y !== y) this.checkLabels(validation.y, 'validation');

    const names = ['loss', ...metrics.map((m) => m.name)];
    const validationName = (n: string): string => `validation${n[0]?.toUpperCase()}${n.slice(1)}`;
    const stepsPerEpoch = Math.ceil(trainCount / batchSize);
    const totalSteps = options.epochs * stepsPerEpoch;
    const startEpoch = this.epoch;
    const callbacks = options.callbacks ?? [];
    const wantsBatches = callbacks.some((c) => c.onBatchEnd);
    const plotOption = options.plot ?? inNotebook();
    const syncEvery = options.syncEvery ?? (plotOption || wantsBatches ? Math.max(1, Math.ceil(stepsPerEpoch / 4)) : stepsPerEpoch);
    const validationBatchSize = options.validationBatchSize ?? Math.max(batchSize, 1024);

    let plot: LivePlot | null = null;
    if (plotOption) {
      const extra = typeof plotOption === 'object' ? plotOption : {};
      const right = metrics.map((m) => m.name).flatMap((n) => (validation ? [n, validationName(n)] : [n]));
      plot = new LivePlot({
        xLabel: 'epoch',
        yLabel: 'loss',
        ...(right.length > 0 ? { rightAxis: right, rightLabel: metrics.map((m) => m.name).join(', ') } : {}),
        ...extra,
        total: Math.max(1, options.epochs - startEpoch) * trainCount,
        unit: 'samples',
      });
      for (const logs of this.history) {
        const values: Record<string, number> = {};
        for (const key of [...names, ...names.map(validationName)]) if (logs[key] !== undefined) values[key] = logs[key] as number;
        plot.update(logs.epoch, values);
      }
    }

    if (options.earlyStopping) {
      const e = options.earlyStopping;
      const monitor = e.monitor ?? (validation ? 'validationLoss' : 'loss');
      if (this.early === null || this.early.monitor !== monitor) {
        const mode = e.mode ?? (/accuracy/i.test(monitor) ? 'max' : 'min');
        this.early = { monitor, mode, best: mode === 'min' ? Infinity : -Infinity, bestEpoch: 0, wait: 0 };
        this.replaceBestWeights(null);
      }
    }
    let stoppedEarly = false;

    this.stopTraining = false;
    const variables = this.trainableVariables();
    for (const c of callbacks) await c.onTrainBegin?.(this);
    let samplesThisCall = 0;
    const interrupts = watchInterrupts();
    let interrupted: { epoch: number; step: number } | undefined;
    try {
      for (let epoch = startEpoch; epoch < options.epochs && !this.stopTraining; epoch++) {
        const epochBegan = Date.now();
        for (const c of callbacks) await c.onEpochBegin?.(epoch, this);
        const order = options.shuffle === false ? Int32Array.from({ length: trainCount }, (_, i) => i) : permutation(trainCount, new Random(this.shuffleSeed + epoch * 7919));
        const indices = tf.tensor1d(order, 'int32');
        let sums: Tensor = tf.zeros([names.length]);
        let synced = new Array<number>(names.length).fill(0);
        let syncedSamples = 0;
        let samples = 0;
        try {
          for (let batch = 0; batch < stepsPerEpoch; batch++) {
            if (await interrupts.shouldStop()) interrupted = { epoch: epoch + 1, step: this.step };
            if (interrupted) break;
            if (this.options.schedule) {
              const rate = this.options.schedule({ step: this.step, epoch, stepsPerEpoch, totalSteps });
              if (rate !== this.learningRate) setLearningRate(this.optimizer, rate);
            }
            const start = batch * batchSize;
            const count = Math.min(batchSize, trainCount - start);
            const batchIndices = tf.slice(indices, [start], [count]);
            const xb = tf.gather(x, batchIndices);
            const yb = tf.gather(y, batchIndices);
            batchIndices.dispose();
            let values: Tensor;
            try {
              values = this.trainStep(xb, yb, variables);
            } finally {
              xb.dispose();
              yb.dispose();
            }
            const next = tf.tidy(() => tf.add(sums, tf.mul(values, count)));
            values.dispose();
            sums.dispose();
            sums = next;
            this.step += 1;
            samples += count;
            samplesThisCall += count;
            const isSync = (batch + 1) % syncEvery === 0 && batch + 1 < stepsPerEpoch;
            let logs: Record<string, number> | undefined;
            if (isSync) {
              const now = Array.from(sums.dataSync());
              logs = {};
              names.forEach((n, i) => ((logs as Record<string, number>)[n] = ((now[i] as number) - (synced[i] as number)) / (samples - syncedSamples)));
              synced = now;
              syncedSamples = samples;
              plot?.update(epoch + samples / trainCount, logs, { done: samplesThisCall, label: `epoch ${epoch + 1}/${options.epochs}` });
            }
            if (wantsBatches) {
              const info = { epoch, batch, step: this.step, size: count, ...(logs ? { logs } : {}) };
              for (const c of callbacks) await c.onBatchEnd?.(info, this);
            }
            if (isSync) await defer();
            if (this.stopTraining) break;
          }
        } finally {
          indices.dispose();
        }
        if (interrupted) {
          sums.dispose();
          break;
        }
        const totals = Array.from(sums.dataSync());
        sums.dispose();
        const logs: EpochLogs = { epoch: epoch + 1, loss: NaN, learningRate: this.learningRate, seconds: 0 };
        names.forEach((n, i) => (logs[n] = (totals[i] as number) / Math.max(1, samples)));
        if (validation) {
          const values = this.evaluateRange(validation, validationBatchSize);
          names.forEach((n, i) => (logs[validationName(n)] = values[i] as number));
        }
        logs.seconds = (Date.now() - epochBegan) / 1000;
        this.history.push(logs);
        this.epoch = epoch + 1;
        if (plot) {
          const values: Record<string, number> = {};
          if (syncEvery >= stepsPerEpoch || samples > syncedSamples) {
            names.forEach((n, i) => (values[n] = ((totals[i] as number) - (synced[i] as number)) / Math.max(1, samples - syncedSamples)));
          }
          if (validation) names.forEach((n) => (values[validationName(n)] = logs[validationName(n)] as number));
          plot.update(epoch + 1, values, { done: samplesThisCall, label: `epoch ${epoch + 1}/${options.epochs}` });
        }
        if (options.verbose) {
          const parts = Object.entries(logs)
            .filter(([k]) => k !== 'epoch')
            .map(([k, v]) => `${k} ${k === 'learningRate' ? (v as number).toExponential(2) : (v as number).toFixed(4)}`);
          console.log(`epoch ${epoch + 1}/${options.epochs} | ${parts.join(' | ')}`);
        }
        if (this.early && options.earlyStopping) {
          const value = logs[this.early.monitor];
          if (value === undefined) {
            throw new Error(`Trainer: early stopping watches "${this.early.monitor}", which is not logged; logged values are ${Object.keys(logs).join(', ')}.`);
          }
          const delta = options.earlyStopping.minDelta ?? 0;
          const improved = this.early.mode === 'min' ? value < this.early.best - delta : value > this.early.best + delta;
          if (improved) {
            this.early.best = value;
            this.early.bestEpoch = epoch + 1;
            this.early.wait = 0;
            if (options.earlyStopping.restoreBestWeights ?? true) {
              this.replaceBestWeights(tf.tidy(() => this.allWeights().map((w) => w.clone())));
            }
          } else {
            this.early.wait += 1;
            if (this.early.wait >= (options.earlyStopping.patience ?? 3)) {
              this.stopTraining = true;
              stoppedEarly = true;
            }
          }
        }
        for (const c of callbacks) await c.onEpochEnd?.(logs, this);
        const every = options.checkpoint?.everyEpochs ?? 1;
        if (options.checkpoint && ((epoch + 1) % every === 0 || epoch + 1 === options.epochs || this.stopTraining)) {
          await this.saveCheckpoint(options.checkpoint.directory);
        }
        await defer();
      }
      if (this.bestWeights && this.early && this.early.bestEpoch !== this.epoch && !interrupted) this.assignWeights(this.bestWeights);
    } finally {
      this.replaceBestWeights(null);
      const note = interrupted ? `interrupted at epoch ${interrupted.epoch}, step ${interrupted.step}` : undefined;
      if (plot) plot.close(note);
      else if (note) console.log(`Trainer.fit: ${note}; the model keeps the weights of step ${interrupted?.step}.`);
    }
    for (const c of callbacks) await c.onTrainEnd?.(this.history, this);
    const seconds = (Date.now() - began) / 1000;
    return {
      history: this.history,
      epochs: this.epoch,
      stoppedEarly,
      ...(this.early ? { bestEpoch: this.early.bestEpoch } : {}),
      seconds,
      samplesPerSecond: samplesThisCall / Math.max(seconds, 1e-9),
      ...(interrupted ? { interrupted } : {}),
    };
  }

  /** Mean loss and metrics on `data`, in inference mode (chapter 5). */
  evaluate(data: Dataset | { x: Tensor; y: Tensor }, options: { batchSize?: number } = {}): Record<string, number> {
    const { x, y } = this.prepare(data, 'evaluation');
    this.resolveLoss(y);
    const metrics = this.resolveMetrics();
    this.checkLabels(y, 'evaluation');
    const values = this.evaluateRange({ x, y, start: 0, count: x.shape[0] as number }, options.batchSize ?? 1024);
    const result: Record<string, number> = {};
    ['loss', ...metrics.map((m) => m.name)].forEach((n, i) => (result[n] = values[i] as number));
    return result;
  }

  /** The model's outputs for `x`, computed in batches (chapter 5). */
  predict(x: Tensor, options: { batchSize?: number } = {}): Tensor {
    const batchSize = options.batchSize ?? 1024;
    const n = x.shape[0] as number;
    const parts: Tensor[] = [];
    for (let start = 0; start < n; start += batchSize) {
      const count = Math.min(batchSize, n - start);
      parts.push(
        tf.tidy(() => {
          const xb = tf.slice(x, [start, ...x.shape.slice(1).map(() => 0)], [count, ...x.shape.slice(1)]);
          if (isLayersModel(this.model)) return this.model.apply(xb, { training: false }) as Tensor;
          if (!this.model.predict) throw new Error('Trainer.predict: this custom model has no predict(x) method; add one.');
          return this.model.predict(xb);
        }),
      );
    }
    if (parts.length === 1) return parts[0] as Tensor;
    const all = tf.concat(parts);
    parts.forEach((t) => t.dispose());
    return all;
  }

  /** Predicted class indices (argmax of the outputs) as an Int32Array (chapter 5). */
  predictClasses(x: Tensor, options: { batchSize?: number } = {}): Int32Array {
    const outputs = this.predict(x, options);
    const classes = tf.tidy(() => (outputs.shape[outputs.rank - 1] === 1 ? tf.greater(outputs.reshape([-1]), this.fromLogits() ? 0 : 0.5).toInt() : tf.argMax(outputs, -1)));
    outputs.dispose();
    const values = classes.dataSync() as Int32Array;
    classes.dispose();
    return Int32Array.from(values);
  }

  private allWeights(): Tensor[] {
    if (isLayersModel(this.model)) return this.model.getWeights();
    return [...this.model.trainableVariables, ...(this.model.variables ?? [])];
  }

  private weightNames(): string[] {
    if (isLayersModel(this.model)) return this.model.weights.map((w) => w.originalName ?? w.name);
    return [...this.model.trainableVariables, ...(this.model.variables ?? [])].map((v) => v.name);
  }

  private assignWeights(values: Tensor[]): void {
    if (isLayersModel(this.model)) {
      this.model.setWeights(values);
      return;
    }
    const targets = [...this.model.trainableVariables, ...(this.model.variables ?? [])];
    targets.forEach((v, i) => v.assign(values[i] as Tensor));
  }

  private replaceBestWeights(weights: Tensor[] | null): void {
    this.bestWeights?.forEach((t) => t.dispose());
    this.bestWeights = weights;
  }

  /**
   * Saves weights, optimiser state and trainer state (epoch, history, shuffle
   * seed, random state, early stopping's best weights) to `directory`,
   * atomically (chapter 5).
   */
  async saveCheckpoint(directory: string): Promise<void> {
    const toStored = (name: string, t: Tensor): StoredTensor => ({
      name,
      shape: t.shape,
      dtype: t.dtype === 'int32' ? 'int32' : 'float32',
      values: t.dtype === 'int32' ? Int32Array.from(t.dataSync() as Int32Array) : Float32Array.from(t.dataSync() as Float32Array),
    });
    const names = this.weightNames();
    const model = this.allWeights().map((t, i) => toStored(names[i] as string, t));
    const optimizerWeights: NamedTensor[] = await this.optimizer.getWeights();
    const optimizer = optimizerWeights.map((w) => toStored(w.name, w.tensor));
    for (const w of optimizerWeights) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
    const state = {
      epoch: this.epoch,
      step: this.step,
      history: this.history,
      shuffleSeed: this.shuffleSeed,
      randomState: rng().getState(),
      learningRate: this.learningRate,
      baseLearningRate: this.baseLearningRate,
      optimizerClass: this.optimizer.getClassName(),
      modelKind: isLayersModel(this.model) ? 'layers' : 'custom',
      earlyStopping: this.early,
    };
    const best = (this.bestWeights ?? []).map((t, i) => toStored(names[i] as string, t));
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
      baseLearningRate?: number;
      optimizerClass: string;
      modelKind: string;
      earlyStopping: EarlyState | null;
    };
    const stored = checkpoint.groups['model'] ?? [];
    const current = this.allWeights();
    const names = this.weightNames();
    const differentModel = (why: string): Error =>
      new Error(`The checkpoint in ${checkpoint.path} was saved from a different model: ${why}. Build the same model (same layers and sizes) as when it was saved, or train from scratch.`);
    if (stored.length !== current.length) throw differentModel(`it has ${stored.length} weight tensors, this model has ${current.length}`);
    stored.forEach((s, i) => {
      const shape = (current[i] as Tensor).shape;
      if (s.shape.length !== shape.length || s.shape.some((d, j) => d !== shape[j])) {
        throw differentModel(`weight ${i} (${s.name}) has shape ${shapeText(s.shape)} there but ${shapeText(shape)} here (${names[i]})`);
      }
    });
    if (state.optimizerClass !== this.optimizer.getClassName()) {
      throw new Error(
        `The checkpoint in ${checkpoint.path} was saved with the ${state.optimizerClass} optimiser but this trainer uses ${this.optimizer.getClassName()}; create the Trainer with the same optimiser.`,
      );
    }
    const values = stored.map((s) => tf.tensor(s.values, s.shape, s.dtype));
    this.assignWeights(values);
    values.forEach((t) => t.dispose());
    const old = await this.optimizer.getWeights();
    const restored = (checkpoint.groups['optimizer'] ?? []).map((s) => ({ name: s.name, tensor: tf.tensor(s.values, s.shape, s.dtype) }));
    await this.optimizer.setWeights(restored);
    restored.forEach((w) => w.tensor.dispose());
    for (const w of old) if (!w.tensor.isDisposed) w.tensor.dispose();
    setLearningRate(this.optimizer, state.learningRate);
    this.baseLearningRate = state.baseLearningRate ?? state.learningRate;
    this.epoch = state.epoch;
    this.step = state.step;
    this.history = state.history;
    this.shuffleSeed = state.shuffleSeed;
    this.early = state.earlyStopping;
    const best = checkpoint.groups['best'];
    this.replaceBestWeights(best && best.length === current.length ? best.map((b) => tf.tensor(b.values, b.shape, b.dtype)) : null);
    if (typeof state.randomState === 'number') rng().setState(state.randomState);
  }
}
