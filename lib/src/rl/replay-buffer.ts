/** Experience replay (chapter 9): a ring buffer of transitions in typed arrays, sampled uniformly. */
import { Random, rng } from '../util/random';
import { checkPositiveIntegers } from '../util/validate';

/** A batch of transitions, row-major. */
export interface TransitionBatch {
  size: number;
  /** `size * observationSize` numbers. */
  observations: Float32Array;
  actions: Int32Array;
  rewards: Float32Array;
  nextObservations: Float32Array;
  /** 1 where the episode terminated at this transition (no bootstrapping), else 0. Truncation is not termination. */
  terminated: Float32Array;
}

export interface ReplayBufferOptions {
  /** How many transitions to keep; the oldest are overwritten first. */
  capacity: number;
  /** Length of one observation vector (4 for CartPole). */
  observationSize: number;
  /** The generator for sampling; defaults to the shared `rng()` at sampling time. */
  random?: Random;
}

/** A ring buffer of transitions with uniform sampling. */
export class ReplayBuffer {
  readonly capacity: number;
  readonly observationSize: number;
  private readonly observations: Float32Array;
  private readonly nextObservations: Float32Array;
  private readonly actions: Int32Array;
  private readonly rewards: Float32Array;
  private readonly terminated: Uint8Array;
  private readonly random: Random | null;
  private position = 0;
  private count = 0;
  private added = 0;

  constructor(options: ReplayBufferOptions) {
    const { capacity, observationSize } = options;
    checkPositiveIntegers('ReplayBuffer', { capacity, observationSize });
    this.capacity = capacity;
    this.observationSize = observationSize;
    this.observations = new Float32Array(capacity * observationSize);
    this.nextObservations = new Float32Array(capacity * observationSize);
    this.actions = new Int32Array(capacity);
    this.rewards = new Float32Array(capacity);
    this.terminated = new Uint8Array(capacity);
    this.random = options.random ?? null;
  }

  /** Transitions currently stored (at most `capacity`). */
  get size(): number {
    return this.count;
  }

  /** Transitions ever added. */
  get totalAdded(): number {
    return this.added;
  }

  /** The slot the next `add` writes to. */
  get nextIndex(): number {
    return this.position;
  }

  /** Stores one transition, overwriting the oldest once the buffer is full. */
  add(observation: ArrayLike<number>, action: number, reward: number, nextObservation: ArrayLike<number>, terminated: boolean): void {
    const size = this.observationSize;
    if (observation.length !== size || nextObservation.length !== size) {
      throw new Error(
        `ReplayBuffer.add: observations must have ${size} numbers, got ${observation.length} and ${nextObservation.length}.`,
      );
    }
    if (!Number.isInteger(action)) throw new Error(`ReplayBuffer.add: the action must be an integer, got ${action}.`);
    const offset = this.position * size;
    for (let i = 0; i < size; i++) {
      this.observations[offset + i] = observation[i] as number;
      this.nextObservations[offset + i] = nextObservation[i] as number;
    }
    this.actions[this.position] = action;
    this.rewards[this.position] = reward;
    this.terminated[this.position] = terminated ? 1 : 0;
    this.position = (this.position + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
    this.added += 1;
  }

  /** The transition in slot `index` (0 <= index < size), for inspection and tests. */
  get(index: number): { observation: Float32Array; action: number; reward: number; nextObservation: Float32Array; terminated: boolean } {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) {
      throw new Error(`ReplayBuffer.get: index must be an integer in [0, ${this.count}), got ${index}.`);
    }
    const size = this.observationSize;
    return {
      observation: this.observations.slice(index * size, (index + 1) * size),
      action: this.actions[index] as number,
      reward: this.rewards[index] as number,
      nextObservation: this.nextObservations.slice(index * size, (index + 1) * size),
      terminated: this.terminated[index] === 1,
    };
  }

  /** Copies the transitions in slots `indices` into a batch. */
  gather(indices: ArrayLike<number>): TransitionBatch {
    const size = this.observationSize;
    const n = indices.length;
    const batch: TransitionBatch = {
      size: n,
      observations: new Float32Array(n * size),
      actions: new Int32Array(n),
      rewards: new Float32Array(n),
      nextObservations: new Float32Array(n * size),
      terminated: new Float32Array(n),
    };
    for (let row = 0; row < n; row++) {
      const index = indices[row] as number;
      if (!(index >= 0 && index < this.count)) {
        throw new Error(`ReplayBuffer.gather: index ${index} is outside [0, ${this.count}).`);
      }
      batch.observations.set(this.observations.subarray(index * size, (index + 1) * size), row * size);
      batch.nextObservations.set(this.nextObservations.subarray(index * size, (index + 1) * size), row * size);
      batch.actions[row] = this.actions[index] as number;
      batch.rewards[row] = this.rewards[index] as number;
      batch.terminated[row] = this.terminated[index] as number;
    }
    return batch;
  }

  /** `batchSize` transitions drawn uniformly with replacement. */
  sample(batchSize: number): TransitionBatch {
    checkPositiveIntegers('ReplayBuffer.sample', { batchSize });
    if (this.count === 0) {
      throw new Error('ReplayBuffer.sample: the buffer is empty; add transitions (play some steps) before sampling.');
    }
    const random = this.random ?? rng();
    const indices = new Int32Array(batchSize);
    for (let i = 0; i < batchSize; i++) indices[i] = random.int(this.count);
    return this.gather(indices);
  }

  clear(): void {
    this.position = 0;
    this.count = 0;
    this.added = 0;
  }
}
