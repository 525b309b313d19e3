/** Learning-rate schedules (chapters 5 and 6): the position in training in, a learning rate out, applied before every step. */

/** Where training is when the schedule is asked. */
export interface SchedulePosition {
  /** Optimisation steps (batches) done so far, over all epochs. */
  step: number;
  /** The current epoch, counted from 0. */
  epoch: number;
  stepsPerEpoch: number;
  /** Batches in the whole run (epochs * stepsPerEpoch). */
  totalSteps: number;
}

export type LearningRateSchedule = (position: SchedulePosition) => number;

function checkRate(name: string, value: number): void {
  if (!(value >= 0) || !Number.isFinite(value)) throw new Error(`${name}: the learning rate must be a finite number >= 0, got ${value}.`);
}

/** Step decay: `initial * factor^floor(epoch / everyEpochs)`. */
export function stepDecay(options: { initial: number; factor?: number; everyEpochs: number }): LearningRateSchedule {
  const factor = options.factor ?? 0.1;
  checkRate('stepDecay', options.initial);
  if (!(options.everyEpochs >= 1)) throw new Error(`stepDecay: everyEpochs must be at least 1, got ${options.everyEpochs}.`);
  return ({ epoch }) => options.initial * factor ** Math.floor(epoch / options.everyEpochs);
}

/** Cosine decay over the run (or `steps`): `final + (initial - final) * (1 + cos(pi * t)) / 2`, t from 0 to 1. */
export function cosineDecay(options: { initial: number; final?: number; steps?: number }): LearningRateSchedule {
  const final = options.final ?? 0;
  checkRate('cosineDecay', options.initial);
  checkRate('cosineDecay', final);
  return ({ step, totalSteps }) => {
    const t = Math.min(1, step / Math.max(1, options.steps ?? totalSteps));
    return final + ((options.initial - final) * (1 + Math.cos(Math.PI * t))) / 2;
  };
}

/** Linear decay to `final` over the run (or `steps`); after a `warmup`, BERT's fine-tuning schedule (Devlin et al.). */
export function linearDecay(options: { initial: number; final?: number; steps?: number }): LearningRateSchedule {
  const final = options.final ?? 0;
  checkRate('linearDecay', options.initial);
  checkRate('linearDecay', final);
  if (options.steps !== undefined && !(options.steps >= 1)) throw new Error(`linearDecay: steps must be at least 1 (or left out for the whole run), got ${options.steps}.`);
  return ({ step, totalSteps }) => {
    const t = Math.min(1, step / Math.max(1, options.steps ?? totalSteps));
    return options.initial + (final - options.initial) * t;
  };
}

/** Linear warm-up from `start` (default 0) over `steps` steps, then `then`, shifted to start where the warm-up ends. */
export function warmup(options: { steps: number; then: LearningRateSchedule; start?: number }): LearningRateSchedule {
  if (!(options.steps >= 1)) throw new Error(`warmup: steps must be at least 1, got ${options.steps}.`);
  const start = options.start ?? 0;
  return (position) => {
    const after = { ...position, step: Math.max(0, position.step - options.steps), totalSteps: Math.max(1, position.totalSteps - options.steps) };
    const target = options.then(after);
    if (position.step >= options.steps) return target;
    return start + ((target - start) * (position.step + 1)) / options.steps;
  };
}
