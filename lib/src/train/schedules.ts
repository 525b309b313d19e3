/**
 * Learning-rate schedules (chapter 5): functions from the position in
 * training to a learning rate, which the Trainer applies before every step.
 */

/** Where training is when the schedule is asked (chapter 5). */
export interface SchedulePosition {
  /** Optimisation steps (batches) done so far, over all epochs. */
  step: number;
  /** The current epoch, counted from 0. */
  epoch: number;
  /** Batches per epoch. */
  stepsPerEpoch: number;
  /** Batches in the whole run (epochs * stepsPerEpoch). */
  totalSteps: number;
}

/** A learning-rate schedule: position in, learning rate out (chapter 5). */
export type LearningRateSchedule = (position: SchedulePosition) => number;

function checkRate(name: string, value: number): void {
  if (!(value >= 0) || !Number.isFinite(value)) throw new Error(`${name}: the learning rate must be a finite number >= 0, got ${value}.`);
}

/**
 * Step decay (chapter 5): start at `initial` and multiply by `factor` every
 * `everyEpochs` epochs: `initial * factor^floor(epoch / everyEpochs)`.
 */
export function stepDecay(options: { initial: number; factor?: number; everyEpochs: number }): LearningRateSchedule {
  const factor = options.factor ?? 0.1;
  checkRate('stepDecay', options.initial);
  if (!(options.everyEpochs >= 1)) throw new Error(`stepDecay: everyEpochs must be at least 1, got ${options.everyEpochs}.`);
  return ({ epoch }) => options.initial * factor ** Math.floor(epoch / options.everyEpochs);
}

/**
 * Cosine decay (chapter 5): from `initial` down to `final` (default 0) along
 * half a cosine over the whole run (or over `steps` steps):
 * `final + (initial - final) * (1 + cos(pi * t)) / 2`, with t from 0 to 1.
 */
export function cosineDecay(options: { initial: number; final?: number; steps?: number }): LearningRateSchedule {
  const final = options.final ?? 0;
  checkRate('cosineDecay', options.initial);
  checkRate('cosineDecay', final);
  return ({ step, totalSteps }) => {
    const span = Math.max(1, options.steps ?? totalSteps);
    const t = Math.min(1, step / span);
    return final + ((options.initial - final) * (1 + Math.cos(Math.PI * t))) / 2;
  };
}

/**
 * Linear decay (chapter 6): from `initial` down to `final` (default 0) in a
 * straight line over the whole run (or over `steps` steps), then `final`:
 * `initial + (final - initial) * t`, with t from 0 to 1. After a `warmup`, this is
 * the schedule BERT was fine-tuned with (Devlin et al. 2019; Hugging Face's
 * `get_linear_schedule_with_warmup`).
 */
export function linearDecay(options: { initial: number; final?: number; steps?: number }): LearningRateSchedule {
  const final = options.final ?? 0;
  checkRate('linearDecay', options.initial);
  checkRate('linearDecay', final);
  if (options.steps !== undefined && !(options.steps >= 1)) throw new Error(`linearDecay: steps must be at least 1 (or left out for the whole run), got ${options.steps}.`);
  return ({ step, totalSteps }) => {
    const span = Math.max(1, options.steps ?? totalSteps);
    const t = Math.min(1, step / span);
    return options.initial + (final - options.initial) * t;
  };
}

/**
 * Linear warm-up (chapter 5): grow from `start` (default 0) to the rate of
 * `then` over the first `steps` steps, then follow `then` (shifted so that it
 * starts where the warm-up ends).
 */
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
