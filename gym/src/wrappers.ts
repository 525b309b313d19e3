/** Wrappers (chapter 9): environments around an environment that change one thing, as in Gymnasium. */
import { Env, checkResetArguments, type EnvMetadata, type EnvSpec, type ResetArguments, type ResetResult, type StepResult } from './env';
import type { Space } from './spaces';

/** The observation type of an environment type. */
export type ObservationOf<E> = E extends Env<infer Observation, unknown> ? Observation : never;
/** The action type of an environment type. */
export type ActionOf<E> = E extends Env<unknown, infer Action> ? Action : never;

/** The base wrapper: forwards everything to `env`; `unwrapped` reaches the innermost environment with its own type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class Wrapper<Inner extends Env<any, any>> extends Env<ObservationOf<Inner>, ActionOf<Inner>> {
  constructor(readonly env: Inner) {
    super();
    if (!(env instanceof Env)) {
      throw new Error(`${new.target.name}: expected an Env to wrap, got ${String(env)}.`);
    }
  }

  get actionSpace(): Space<ActionOf<Inner>> {
    return this.env.actionSpace as Space<ActionOf<Inner>>;
  }

  get observationSpace(): Space<ObservationOf<Inner>> {
    return this.env.observationSpace as Space<ObservationOf<Inner>>;
  }

  override get spec(): EnvSpec | null {
    return this.env.spec;
  }

  override set spec(value: EnvSpec | null) {
    this.env.spec = value;
  }

  override get metadata(): EnvMetadata {
    return this.env.metadata;
  }

  override set metadata(value: EnvMetadata) {
    this.env.metadata = value;
  }

  reset(args?: ResetArguments): ResetResult<ObservationOf<Inner>> {
    return this.env.reset(checkResetArguments(args, `${this.toString()}.reset`)) as ResetResult<ObservationOf<Inner>>;
  }

  step(action: ActionOf<Inner>): StepResult<ObservationOf<Inner>> {
    return this.env.step(action) as StepResult<ObservationOf<Inner>>;
  }

  override get random() {
    return this.env.random;
  }

  override get unwrapped(): Inner['unwrapped'] {
    return this.env.unwrapped;
  }

  override render(): string {
    return this.env.render();
  }

  override close(): void {
    this.env.close();
  }

  override toString(): string {
    return `${this.constructor.name}<${this.env.toString()}>`;
  }
}

/** Gymnasium's `TimeLimit`: `truncated = true` after `maxEpisodeSteps` steps (`make('CartPole-v1')` adds 500). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class TimeLimit<Inner extends Env<any, any>> extends Wrapper<Inner> {
  private elapsed: number | null = null;

  constructor(
    env: Inner,
    readonly maxEpisodeSteps: number,
  ) {
    super(env);
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0) {
      throw new Error(`TimeLimit: maxEpisodeSteps must be a positive integer, got ${maxEpisodeSteps}.`);
    }
  }

  /** Steps taken in the current episode, or null before the first reset. */
  get elapsedSteps(): number | null {
    return this.elapsed;
  }

  override reset(args: ResetArguments = {}): ResetResult<ObservationOf<Inner>> {
    this.elapsed = 0;
    return super.reset(args);
  }

  override step(action: ActionOf<Inner>): StepResult<ObservationOf<Inner>> {
    const result = super.step(action);
    this.elapsed = (this.elapsed ?? 0) + 1;
    if (this.elapsed >= this.maxEpisodeSteps) result[3] = true;
    return result;
  }
}

/** Gymnasium's `info.episode`: return `r`, length `l` and wall time `t` in seconds of a finished episode. */
export interface EpisodeStatistics {
  r: number;
  l: number;
  t: number;
}

/** Gymnasium's `RecordEpisodeStatistics`: `info.episode = { r, l, t }` at an episode's end, the last `bufferLength` kept. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class RecordEpisodeStatistics<Inner extends Env<any, any>> extends Wrapper<Inner> {
  /** Returns of the last `bufferLength` finished episodes, oldest first. */
  readonly returnQueue: number[] = [];
  /** Lengths of the last `bufferLength` finished episodes. */
  readonly lengthQueue: number[] = [];
  /** Wall times (seconds) of the last `bufferLength` finished episodes. */
  readonly timeQueue: number[] = [];
  /** Episodes finished since the wrapper was made. */
  episodeCount = 0;
  private episodeReturn = 0;
  private episodeLength = 0;
  private episodeStart = performance.now();

  constructor(
    env: Inner,
    readonly bufferLength = 100,
  ) {
    super(env);
    if (!Number.isInteger(bufferLength) || bufferLength <= 0) {
      throw new Error(`RecordEpisodeStatistics: bufferLength must be a positive integer, got ${bufferLength}.`);
    }
  }

  override reset(args: ResetArguments = {}): ResetResult<ObservationOf<Inner>> {
    const result = super.reset(args);
    this.episodeStart = performance.now();
    this.episodeReturn = 0;
    this.episodeLength = 0;
    return result;
  }

  override step(action: ActionOf<Inner>): StepResult<ObservationOf<Inner>> {
    const result = super.step(action);
    this.episodeReturn += result[1];
    this.episodeLength += 1;
    if (result[2] || result[3]) {
      if ('episode' in result[4]) {
        throw new Error('RecordEpisodeStatistics: info already has an "episode" key; wrap the environment only once.');
      }
      const seconds = Math.round((performance.now() - this.episodeStart) * 1000) / 1e6;
      const statistics: EpisodeStatistics = { r: this.episodeReturn, l: this.episodeLength, t: seconds };
      result[4] = { ...result[4], episode: statistics };
      const push = (queue: number[], value: number) => {
        queue.push(value);
        if (queue.length > this.bufferLength) queue.shift();
      };
      push(this.returnQueue, statistics.r);
      push(this.lengthQueue, statistics.l);
      push(this.timeQueue, statistics.t);
      this.episodeCount += 1;
      this.episodeStart = performance.now();
    }
    return result;
  }
}
