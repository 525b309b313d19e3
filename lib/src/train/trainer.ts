/**
 * The Trainer (chapter 5), after d2l's `Trainer.fit`: one `tf.variableGrads` step per mini-batch, validation, callbacks
 * (their `state()` kept between fits and in checkpoints); losses summed on the device, read every `syncEvery` batches.
 */
import { tf } from '../backend/tf';
import type { Optimizer, Scalar, Tensor, Variable } from '@tensorflow/tfjs';
import { Dataset } from '../data/dataset';
import { inNotebook } from '../notebook/jupyter';
import { watchInterrupts, type InterruptWatch } from '../notebook/interrupt';
import { nextSeed, rng } from '../util/random';
import { EarlyStoppingCallback, PrintEpochs, validationName, type CallbackReport, type EpochLogs, type TrainerCallback, type TrainerControl, type TrainingPlan } from './callbacks';
import { loadCheckpointFolder, saveCheckpointFolder, storedTensor, tensorFromStored, type CheckpointData } from './checkpoint';
import { CheckpointCallback } from './checkpoint-callback';
import { LivePlotCallback } from './live-plot-callback';
import { Objective } from './objective';
import { checkClipNorm, clipByGlobalNorm } from './gradient-clip';
import { getLearningRate, makeOptimizer, setLearningRate } from './optimizers';
import {
  checkData, checkLabels, checkSameWeights, isLayersModel, modelOutputs, modelWeightNames, modelWeights, outputsAreLogits, regularisationLoss, setModelWeights, type TrainableModel,
} from './trainable-model';
import type { FitOptions, FitResult, TrainerCheckpointState, TrainerOptions } from './trainer-options';
import { checkPositiveIntegers } from '../util/validate';

/** How the epochs of one `fit` call run. */
interface EpochPlan extends TrainingPlan {
  batchSize: number;
  syncEvery: number;
  shuffle: boolean;
}

/** A callback's progress kept between fits: its `state()`, copies of its `stateTensors()`, and who gave them. */
interface KeptState {
  state: unknown;
  tensors: Tensor[] | null;
  from: TrainerCallback | null;
}

function defer(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The checkpoint group holding the tensors of the callback state kept under `key`. */
function callbackGroup(key: string): string {
  return `callback-${key}`;
}

/** The callbacks' states in a checkpoint; a checkpoint without `callbacks` has early stopping's as `earlyStopping` and `best`. */
function callbackStatesIn(checkpoint: CheckpointData, state: TrainerCheckpointState, weightCount: number): Map<string, KeptState> {
  const kept = new Map<string, KeptState>();
  const tensorsOf = (group: string): Tensor[] | null => checkpoint.groups[group]?.map(tensorFromStored) ?? null;
  if (state.callbacks) {
    for (const [key, saved] of Object.entries(state.callbacks)) kept.set(key, { state: saved, tensors: tensorsOf(callbackGroup(key)), from: null });
  } else if (state.earlyStopping) {
    const best = checkpoint.groups['best'];
    kept.set('earlyStopping', { state: state.earlyStopping, tensors: best && best.length === weightCount ? tensorsOf('best') : null, from: null });
  }
  return kept;
}

/** The fit's callbacks: the options' (plot, printed lines, early stopping), yours, then checkpoints (saving all). */
function fitCallbacks(options: FitOptions, validation: boolean, checkpoint: CheckpointCallback | null): { callbacks: TrainerCallback[]; made: TrainerCallback[] } {
  const yours = options.callbacks ?? [];
  const made: TrainerCallback[] = [];
  const plot = options.plot ?? inNotebook();
  if (plot) made.push(new LivePlotCallback(typeof plot === 'object' ? plot : {}));
  if (options.verbose) made.push(new PrintEpochs());
  if (options.earlyStopping) {
    const early = new EarlyStoppingCallback({ monitor: validation ? 'validationLoss' : 'loss', ...options.earlyStopping });
    if (!yours.some((c) => c.stateKey !== undefined && c.stateKey === early.stateKey)) made.push(early);
  }
  const callbacks = [...made, ...yours];
  if (checkpoint) {
    made.push(checkpoint);
    callbacks.push(checkpoint);
  }
  return { callbacks, made };
}

/** Fits a model. See `TrainerOptions` and `FitOptions`. */
export class Trainer implements TrainerControl {
  readonly optimizer: Optimizer;
  stopTraining = false;
  epoch = 0;
  /** Optimisation steps done so far. */
  step = 0;
  /** Where an interrupt (the stop button) ended the last fit, if one did. */
  interrupted: { epoch: number; step: number } | undefined;
  history: EpochLogs[] = [];
  /** Whether this trainer made its optimiser (then `dispose` frees it) or was given it. */
  private readonly ownsOptimizer: boolean;
  private disposed = false;
  private shuffleSeed: number;
  private objective: Objective | null = null;
  /** The callbacks' progress from earlier fits or a loaded checkpoint, by `stateKey`: it goes into checkpoints. */
  private kept = new Map<string, KeptState>();
  /** The callbacks of the fit under way, once they have begun. */
  private running: TrainerCallback[] = [];

  constructor(readonly model: TrainableModel, private readonly options: TrainerOptions = {}) {
    if (!isLayersModel(model) && (typeof model.loss !== 'function' || !Array.isArray(model.trainableVariables))) {
      throw new Error('Trainer: the model must be a tf.LayersModel or an object with trainableVariables (an array of tf.Variable) and loss(batch, training).');
    }
    if (options.clipNorm !== undefined) checkClipNorm(options.clipNorm, 'Trainer: clipNorm', 'leave it out');
    const compiled = isLayersModel(model) ? (model as unknown as { optimizer?: Optimizer }).optimizer : undefined;
    const { optimizer, learningRate } = options;
    this.ownsOptimizer = typeof optimizer === 'string' || (optimizer === undefined && !compiled);
    if (typeof optimizer === 'object') this.optimizer = optimizer;
    else this.optimizer = optimizer === undefined && compiled ? compiled : makeOptimizer(optimizer ?? 'adam', learningRate);
    if (learningRate !== undefined && !this.ownsOptimizer) setLearningRate(this.optimizer, learningRate);
    this.shuffleSeed = options.seed ?? nextSeed();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Frees the optimiser if the trainer made it, and the callbacks' kept tensors; `keepLatest` calls it on a re-run. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.forgetKept();
    if (this.ownsOptimizer) this.optimizer.dispose();
  }

  private forgetKept(): void {
    for (const kept of this.kept.values()) tf.dispose(kept.tensors ?? []);
    this.kept.clear();
  }

  get learningRate(): number {
    return getLearningRate(this.optimizer);
  }

  /** The variables the optimiser updates. */
  trainableVariables(): Variable[] {
    if (isLayersModel(this.model)) return this.model.trainableWeights.map((w) => w.read() as Variable);
    return this.model.trainableVariables;
  }

  weights(): Tensor[] {
    return modelWeights(this.model);
  }

  setWeights(values: Tensor[]): void {
    setModelWeights(this.model, values);
  }

  /** Trains until `options.epochs` epochs are done in total; returns the history and this call's throughput. */
  async fit(data: Dataset | { x: Tensor; y: Tensor }, options: FitOptions): Promise<FitResult> {
    const began = Date.now();
    const { train, validation, temporary, checkpoint } = await this.prepareFit(data, options);
    const { callbacks, made } = fitCallbacks(options, validation !== null, checkpoint);
    const plan = this.epochPlan(train, options, callbacks, validation !== null);
    const validationBatchSize = options.validationBatchSize ?? Math.max(plan.batchSize, 1024);
    let samples = 0;
    let failed = true;
    this.stopTraining = false;
    this.interrupted = undefined as Trainer['interrupted']; // (typed so the checks below are not narrowed away)
    const interrupts = watchInterrupts();
    try {
      this.restoreCallbacks(callbacks, plan);
      for (const c of callbacks) await c.onTrainBegin?.(plan, this);
      this.running = callbacks;
      for (let epoch = this.epoch; epoch < options.epochs && !this.stopTraining; epoch++) {
        const epochBegan = Date.now();
        for (const c of callbacks) await c.onEpochBegin?.(epoch, this);
        const trained = await this.fitEpoch(train, epoch, plan, callbacks, interrupts);
        const validated = validation && !this.interrupted ? await this.validate(validation, validationBatchSize, epoch, interrupts) : {};
        if (this.interrupted) break; // The unfinished epoch is not logged.
        samples += trained.samples;
        const logs = trained.logs;
        for (const [name, value] of Object.entries(validated)) logs[validationName(name)] = value;
        logs.seconds = (Date.now() - epochBegan) / 1000;
        this.history.push(logs);
        this.epoch = epoch + 1;
        for (const c of callbacks) await c.onEpochEnd?.(logs, this);
        await defer();
      }
      failed = false;
    } finally {
      temporary.forEach((d) => d.dispose());
      try {
        for (const c of callbacks) {
          try {
            await c.onTrainEnd?.(this.history, this);
          } catch (error) {
            if (!failed) throw error; // Otherwise the first error is the one to report.
          }
        }
      } finally {
        try {
          if (this.running === callbacks) this.keepStates(callbacks);
        } catch (error) {
          if (!failed) throw error;
        } finally {
          this.running = [];
          made.forEach((c) => c.dispose?.());
        }
      }
    }
    const interrupted = this.interrupted;
    if (interrupted && !callbacks.some((c) => c.reportsInterruption)) {
      console.log(`Trainer.fit: interrupted at epoch ${interrupted.epoch}, step ${interrupted.step}; the model keeps the weights of that step.`);
    }
    const reports: CallbackReport[] = callbacks.map((c) => c.report?.() ?? {});
    const bestEpoch = reports.find((r) => r.bestEpoch !== undefined)?.bestEpoch;
    const seconds = (Date.now() - began) / 1000;
    return {
      history: this.history,
      epochs: this.epoch,
      stoppedEarly: reports.some((r) => r.stoppedEarly === true),
      ...(bestEpoch !== undefined ? { bestEpoch } : {}),
      seconds,
      samplesPerSecond: samples / Math.max(seconds, 1e-9),
      ...(interrupted ? { interrupted } : {}),
    };
  }

  /** One pass over the training set, one step per mini-batch; the epoch's logs (without validation) and its samples. */
  private async fitEpoch(
    train: Dataset<Tensor>, epoch: number, plan: EpochPlan, callbacks: TrainerCallback[], interrupts: InterruptWatch,
  ): Promise<{ logs: EpochLogs; samples: number }> {
    const names = ['loss', ...plan.metrics];
    const variables = this.trainableVariables();
    let sums: Tensor = tf.zeros([names.length]);
    let synced = names.map(() => 0);
    let syncedSamples = 0;
    let samples = 0;
    let batch = 0;
    try {
      for (const { x, y } of train.batches(plan.batchSize, { shuffle: plan.shuffle, seed: this.shuffleSeed + epoch * 7919 })) {
        // Training stops here between batches: `stopTraining` or the stop button.
        if (await interrupts.shouldStop()) this.interrupted = { epoch: epoch + 1, step: this.step };
        if (this.stopTraining || this.interrupted) {
          tf.dispose([x, y]);
          break;
        }
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
    const objective = this.objective as Objective;
    return tf.tidy(() => {
      let values: Tensor | null = null;
      const minimised = (): Scalar => {
        const { loss, outputs } = objective.forward(x, y, true);
        if (outputs !== null || objective.metrics.length === 0) values = tf.keep(objective.values(y, loss, outputs, x));
        const penalty = regularisationLoss(this.model);
        return penalty === null ? loss : (tf.add(loss, penalty) as Scalar);
      };
      const { value, grads } = tf.variableGrads(minimised, variables);
      // A custom model without outputs: metrics from predict(), before the update.
      values ??= objective.values(y, value, null, x);
      this.optimizer.applyGradients(this.options.clipNorm === undefined ? grads : clipByGlobalNorm(grads, this.options.clipNorm).gradients);
      return values;
    });
  }

  /** Checks the data and options, loads `resumeFrom`, and splits off the validation set. */
  private async prepareFit(
    data: Dataset | { x: Tensor; y: Tensor }, options: FitOptions,
  ): Promise<{ train: Dataset<Tensor>; validation: Dataset<Tensor> | null; temporary: Dataset[]; checkpoint: CheckpointCallback | null }> {
    if (this.disposed) throw new Error('Trainer.fit: this trainer was disposed (by dispose(), or by keepLatest when its cell was re-run); create a new Trainer.');
    checkPositiveIntegers('Trainer.fit', { epochs: options.epochs, batchSize: options.batchSize ?? 32 });
    const all = checkData(this.model, data, 'training');
    // Before any training: a folder we may not replace, or cannot write, is an error now, not after an epoch.
    const checkpoint = options.checkpoint ? new CheckpointCallback(options.checkpoint) : null;
    if (options.resumeFrom !== undefined) await this.loadCheckpoint(options.resumeFrom);
    // A custom model without predict() must return outputs from loss() for the metrics; checked on the first step.
    const { lossName } = this.objectiveFor(all.y);
    checkLabels(this.model, lossName, all.y, 'training');
    if (options.validationData !== undefined) {
      const validation = checkData(this.model, options.validationData, 'validation');
      checkLabels(this.model, lossName, validation.y, 'validation');
      return { train: all, validation, temporary: [], checkpoint };
    }
    if (options.validationSplit === undefined) return { train: all, validation: null, temporary: [], checkpoint };
    const split = options.validationSplit;
    const held = Math.round(split * all.size);
    if (!(split > 0 && split < 1) || held < 1 || held >= all.size) {
      throw new Error(`Trainer.fit: validationSplit ${split} leaves no training or no validation samples out of ${all.size}; use a fraction such as 0.1.`);
    }
    const [train, validation] = [all.take(all.size - held), all.skip(all.size - held)];
    return { train, validation, temporary: [train, validation], checkpoint };
  }

  /** Hands each callback the progress kept under its `stateKey` (previous fit or checkpoint) if it takes it. */
  private restoreCallbacks(callbacks: TrainerCallback[], plan: TrainingPlan): void {
    for (const c of callbacks) {
      const kept = c.stateKey === undefined ? undefined : this.kept.get(c.stateKey);
      if (kept === undefined) continue;
      this.kept.delete(c.stateKey as string);
      // The same callback in a second fit simply continues.
      if (kept.from !== c && c.restore && (c.canRestore?.(kept.state, plan) ?? true)) c.restore(kept.state, kept.tensors);
      else tf.dispose(kept.tensors ?? []);
    }
  }

  /** Keeps the progress of a fit's callbacks for the next fit and for checkpoints. */
  private keepStates(callbacks: TrainerCallback[]): void {
    for (const [key, state] of this.callbackStates(callbacks)) {
      tf.dispose(this.kept.get(key)?.tensors ?? []);
      this.kept.set(key, { ...state, tensors: state.tensors ? tf.tidy(() => (state.tensors as Tensor[]).map((t) => t.clone())) : null });
    }
  }

  /** The `state()` (as a JSON copy) and `stateTensors()` of the callbacks that have them, by `stateKey`. */
  private callbackStates(callbacks: TrainerCallback[]): Map<string, KeptState> {
    const states = new Map<string, KeptState>();
    for (const c of callbacks) {
      if (c.stateKey === undefined || !c.state) continue;
      if (!/^[A-Za-z0-9_-]+$/.test(c.stateKey)) throw new Error(`Trainer: a callback's stateKey "${c.stateKey}" must be letters, digits, _ or -.`);
      const state: unknown = JSON.parse(JSON.stringify(c.state() ?? null));
      states.set(c.stateKey, { state, tensors: c.stateTensors?.() ?? null, from: c });
    }
    return states;
  }

  private epochPlan(train: Dataset, options: FitOptions, callbacks: TrainerCallback[], validation: boolean): EpochPlan {
    const batchSize = options.batchSize ?? 32;
    const stepsPerEpoch = Math.ceil(train.size / batchSize);
    const syncEvery = options.syncEvery ?? (callbacks.some((c) => c.onBatchEnd) ? Math.max(1, Math.ceil(stepsPerEpoch / 4)) : stepsPerEpoch);
    const metrics = (this.objective as Objective).metrics.map((m) => m.name);
    return { epochs: options.epochs, samplesPerEpoch: train.size, stepsPerEpoch, metrics, validation, batchSize, syncEvery, shuffle: options.shuffle !== false };
  }

  /** The loss and metrics, chosen on first use from the options and the labels. */
  private objectiveFor(labels: Tensor): Objective {
    return (this.objective ??= new Objective(this.model, this.options, labels));
  }

  /** Mean loss and metrics on `data`, in inference mode. */
  evaluate(data: Dataset | { x: Tensor; y: Tensor }, options: { batchSize?: number } = {}): Record<string, number> {
    const dataset = checkData(this.model, data, 'evaluation');
    checkLabels(this.model, this.objectiveFor(dataset.y).lossName, dataset.y, 'evaluation');
    const steps = (this.objective as Objective).meanOver(dataset, options.batchSize ?? 1024);
    for (let next = steps.next(); ; next = steps.next()) if (next.done) return next.value;
  }

  /** An epoch's validation pass; an interrupt stops it between batches (and sets `this.interrupted`). */
  private async validate(data: Dataset<Tensor>, batchSize: number, epoch: number, interrupts: InterruptWatch): Promise<Record<string, number>> {
    const steps = (this.objective as Objective).meanOver(data, batchSize);
    let next = steps.next();
    for (; !next.done; next = steps.next()) {
      if (!(await interrupts.shouldStop())) continue;
      this.interrupted = { epoch: epoch + 1, step: this.step };
      steps.return({}); // frees the sums
      return {};
    }
    return next.value;
  }

  /** The model's outputs for `x`, computed in batches. */
  predict(x: Tensor, options: { batchSize?: number } = {}): Tensor {
    if (!isLayersModel(this.model) && !this.model.predict) throw new Error('Trainer.predict: this custom model has no predict(x) method; add one.');
    const parts: Tensor[] = [];
    for (const batch of new Dataset(x).batches(options.batchSize ?? 1024)) {
      parts.push(tf.tidy(() => modelOutputs(this.model, batch.x)));
      tf.dispose([batch.x, batch.y]);
    }
    if (parts.length === 1) return parts[0] as Tensor;
    const all = tf.concat(parts);
    tf.dispose(parts);
    return all;
  }

  /** Predicted class indices (argmax of the outputs) as an Int32Array. */
  predictClasses(x: Tensor, options: { batchSize?: number } = {}): Int32Array {
    const outputs = this.predict(x, options);
    const classes = tf.tidy(() => (outputs.shape[outputs.rank - 1] === 1 ? tf.greater(outputs.reshape([-1]), (this.options.fromLogits ?? outputsAreLogits(this.model)) ? 0 : 0.5).toInt() : tf.argMax(outputs, -1)));
    outputs.dispose();
    const values = Int32Array.from(classes.dataSync() as Int32Array);
    classes.dispose();
    return values;
  }

  /** Saves weights, optimiser and trainer state (epoch, history, seeds, callbacks' states) to `directory`, atomically. */
  async saveCheckpoint(directory: string): Promise<void> {
    const names = modelWeightNames(this.model);
    const model = this.weights().map((t, i) => storedTensor(names[i] as string, t));
    const optimizerWeights = await this.optimizer.getWeights();
    const optimizer = optimizerWeights.map((w) => storedTensor(w.name, w.tensor));
    for (const w of optimizerWeights) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
    const callbacks = new Map([...this.kept, ...this.callbackStates(this.running)]);
    const groups: CheckpointData['groups'] = { model, optimizer };
    for (const [key, { tensors }] of callbacks) if (tensors) groups[callbackGroup(key)] = tensors.map((t, i) => storedTensor(`${key}/${i}`, t));
    const state: TrainerCheckpointState = {
      epoch: this.epoch, step: this.step, history: this.history, shuffleSeed: this.shuffleSeed, randomState: rng().getState(),
      learningRate: this.learningRate, optimizerClass: this.optimizer.getClassName(), modelKind: isLayersModel(this.model) ? 'layers' : 'custom',
      callbacks: Object.fromEntries([...callbacks].map(([key, kept]) => [key, kept.state])),
    };
    saveCheckpointFolder(directory, { state: { ...state }, groups });
  }

  /** Restores a checkpoint of `saveCheckpoint`; the next `fit` continues from its epoch and callback states. */
  async loadCheckpoint(directory: string): Promise<void> {
    const checkpoint = loadCheckpointFolder(directory);
    const state = checkpoint.state as unknown as TrainerCheckpointState;
    const stored = checkpoint.groups['model'] ?? [];
    checkSameWeights(this.model, stored, checkpoint.path);
    if (state.optimizerClass !== this.optimizer.getClassName()) {
      throw new Error(
        `The checkpoint in ${checkpoint.path} was saved with the ${state.optimizerClass} optimiser but this trainer uses ${this.optimizer.getClassName()}; create the Trainer with the same optimiser.`,
      );
    }
    const values = stored.map(tensorFromStored);
    this.setWeights(values);
    tf.dispose(values);
    const old = await this.optimizer.getWeights();
    const restored = (checkpoint.groups['optimizer'] ?? []).map((s) => ({ name: s.name, tensor: tensorFromStored(s) }));
    await this.optimizer.setWeights(restored);
    restored.forEach((w) => w.tensor.dispose());
    for (const w of old) if (!w.tensor.isDisposed) w.tensor.dispose();
    setLearningRate(this.optimizer, state.learningRate);
    this.epoch = state.epoch;
    this.step = state.step;
    this.history = state.history;
    this.shuffleSeed = state.shuffleSeed;
    this.forgetKept();
    this.kept = callbackStatesIn(checkpoint, state, stored.length);
    if (typeof state.randomState === 'number') rng().setState(state.randomState);
  }
}
