/**
 * Adam over all of a model's variables at once (chapter 5): the small variables' gradients, moments and weights
 * end to end in one vector, one pass of tfjs' fourteen operations instead of one per variable; large ones
 * (`JOINED_ADAM_OWN_GROUP_SIZE`) keep their own. Bit for bit `tf.train.adam`; checkpoints load into either.
 */
import { tf } from '../backend/tf';
import type { NamedTensorMap, Tensor, Variable } from '@tensorflow/tfjs';

/** A tensor with a name, as optimisers save their state (tfjs' `NamedTensor`, not exported by the package). */
interface NamedTensor {
  name: string;
  tensor: Tensor;
}

/** tfjs' AdamOptimizer fields this subclass reads (they are protected or private in its typings). */
interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: Variable;
  accBeta2: Variable;
  iterations_: number;
  saveIterations(): Promise<NamedTensor>;
  extractIterations(weights: NamedTensor[]): Promise<NamedTensor[]>;
}

/** Variables of at least this many numbers keep their own moments: joining would only add copies (the MLP's 784x256 kernel). */
export const JOINED_ADAM_OWN_GROUP_SIZE = 100_000;

/** Moments for some of the variables: one joined vector of several (small) ones, or one variable's own. */
interface MomentGroup {
  /** Positions of its variables in the step's list. */
  members: number[];
  firstMoment: Variable;
  secondMoment: Variable;
}

/** The moments and what they cover: the variables' names (as gradients are keyed), sizes and shapes. */
interface JoinedState {
  names: string[];
  /** The moments' names in checkpoints, per variable (`NAME/m`, `NAME/v` as tfjs writes them). */
  savedNames: { first: string; second: string }[];
  sizes: number[];
  /** The variables' shapes, which the moments take again in tfjs' format. */
  shapes: number[][];
  groups: MomentGroup[];
}

/** The groups for variables of these sizes: each large one alone, the small ones joined (in their order). */
function groupMembers(sizes: number[]): number[][] {
  const small = sizes.map((_, i) => i).filter((i) => (sizes[i] as number) < JOINED_ADAM_OWN_GROUP_SIZE);
  const large = sizes.map((_, i) => i).filter((i) => (sizes[i] as number) >= JOINED_ADAM_OWN_GROUP_SIZE);
  return [...(small.length > 0 ? [small] : []), ...large.map((i) => [i])];
}

/** One tensor of the members' values end to end (flat), or the one member as it is. */
function joinedOf(tensors: Tensor[], members: number[]): Tensor {
  if (members.length === 1) return tensors[members[0] as number] as Tensor;
  return tf.concat(members.map((i) => tf.reshape(tensors[i] as Tensor, [-1])));
}

/**
 * Adam (Kingma and Ba 2015) with tfjs' settings and arithmetic; use it where `tf.train.adam(learningRate)` would go.
 * Every step must bring gradients for the same variables in the same order.
 */
export class JoinedAdam extends tf.AdamOptimizer {
  private joined: JoinedState | null = null;

  constructor(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null) {
    if (!(typeof learningRate === 'number' && learningRate > 0 && Number.isFinite(learningRate))) {
      throw new Error(`JoinedAdam: learningRate must be a positive finite number, got ${String(learningRate)}.`);
    }
    super(learningRate, beta1, beta2, epsilon as number);
  }

  private get internals(): AdamInternals {
    return this as unknown as AdamInternals;
  }

  /** One Adam step over every variable named in `variableGradients`. */
  override applyGradients(variableGradients: NamedTensorMap | NamedTensor[]): void {
    const entries: [string, Tensor | null][] = Array.isArray(variableGradients)
      ? variableGradients.map((g) => [g.name, g.tensor])
      : Object.entries(variableGradients);
    const present = entries.filter((e): e is [string, Tensor] => e[1] != null);
    if (present.length === 0) return;
    const names = present.map(([name]) => name);
    const variables = names.map((name) => {
      const v = tf.engine().registeredVariables[name];
      if (!v) throw new Error(`JoinedAdam: no variable named "${name}"; pass gradients keyed by variable names, as tf.variableGrads returns them.`);
      return v;
    });
    const gradients = present.map(([, g]) => g);
    const state = this.stateFor(names, variables);
    const { beta1, beta2, epsilon, learningRate, accBeta1, accBeta2 } = this.internals;
    tf.tidy(() => {
      const oneMinusAccumulatedBeta1 = tf.sub(1, accBeta1);
      const oneMinusAccumulatedBeta2 = tf.sub(1, accBeta2);
      for (const group of state.groups) {
        const gradient = joinedOf(gradients, group.members);
        const value = joinedOf(variables, group.members);
        // tfjs' AdamOptimizer.applyGradients, operation for operation.
        const newFirstMoment = tf.add(tf.mul(group.firstMoment, beta1), tf.mul(gradient, 1 - beta1));
        const newSecondMoment = tf.add(tf.mul(group.secondMoment, beta2), tf.mul(tf.square(gradient), 1 - beta2));
        const biasCorrectedFirstMoment = tf.div(newFirstMoment, oneMinusAccumulatedBeta1);
        const biasCorrectedSecondMoment = tf.div(newSecondMoment, oneMinusAccumulatedBeta2);
        group.firstMoment.assign(newFirstMoment);
        group.secondMoment.assign(newSecondMoment);
        const newValue = tf.add(tf.mul(tf.div(biasCorrectedFirstMoment, tf.add(tf.sqrt(biasCorrectedSecondMoment), epsilon)), -learningRate), value);
        if (group.members.length === 1) {
          (variables[group.members[0] as number] as Variable).assign(newValue);
          continue;
        }
        // One slice per variable (tf.split's wasm kernel copies the whole vector out for each part).
        let offset = 0;
        for (const i of group.members) {
          const v = variables[i] as Variable;
          v.assign(tf.reshape(tf.slice(newValue, offset, v.size), v.shape));
          offset += v.size;
        }
      }
      accBeta1.assign(tf.mul(accBeta1, beta1));
      accBeta2.assign(tf.mul(accBeta2, beta2));
    });
    this.incrementIterations();
  }

  /** The moments for these variables: made (zeros) on the first step, checked on every later one. */
  private stateFor(names: string[], variables: Variable[]): JoinedState {
    const sizes = variables.map((v) => v.size);
    const state = this.joined;
    if (state === null) {
      const shapes = variables.map((v) => v.shape);
      this.joined = {
        names, sizes, shapes, groups: this.makeGroups(shapes, sizes, null),
        savedNames: names.map((n) => ({ first: `${n}/m`, second: `${n}/v` })),
      };
      return this.joined;
    }
    // A checkpoint's moments come without the variables' names: take them from the first step after loading.
    if (state.names.length === 0 && state.sizes.length === sizes.length) state.names = names;
    const same = state.names.length === names.length && names.every((n, i) => n === state.names[i]);
    const sameSizes = state.sizes.length === sizes.length && sizes.every((s, i) => s === state.sizes[i]);
    if (!same || !sameSizes) {
      throw new Error(
        `JoinedAdam: this step brings gradients for ${names.length} variables (${sizes.reduce((a, b) => a + b, 0)} numbers) but its moments cover ` +
          `${state.sizes.length} variables (${state.sizes.reduce((a, b) => a + b, 0)} numbers); it trains one fixed set of variables. ` +
          'Use a new optimiser for another model, or tf.train.adam when the set of variables changes from step to step.',
      );
    }
    return state;
  }

  /** Moment variables per group: zeros, or joined from per-variable `moments` (first, second) in tfjs' format. */
  private makeGroups(shapes: number[][], sizes: number[], moments: { first: Tensor[]; second: Tensor[] } | null): MomentGroup[] {
    return groupMembers(sizes).map((members) =>
      tf.tidy(() => {
        const single = members.length === 1;
        const total = members.reduce((sum, i) => sum + (sizes[i] as number), 0);
        const start = (parts: Tensor[] | undefined): Variable => {
          if (!parts) return tf.variable(single ? tf.zeros(shapes[members[0] as number] as number[]) : tf.zeros([total]), false);
          const float = parts.map((p) => p.toFloat());
          return tf.variable(single ? tf.reshape(float[members[0] as number] as Tensor, shapes[members[0] as number] as number[]) : joinedOf(float, members), false);
        };
        return { members, firstMoment: start(moments?.first), secondMoment: start(moments?.second) };
      }),
    );
  }

  /** tfjs' format: the iteration count, every variable's first moment (`NAME/m`), then every second (`NAME/v`); new tensors. */
  override async getWeights(): Promise<NamedTensor[]> {
    const iterations = await this.internals.saveIterations();
    const state = this.joined;
    if (state === null) return [iterations];
    const parts = (which: 'firstMoment' | 'secondMoment'): Tensor[] =>
      tf.tidy(() => {
        const out: Tensor[] = new Array<Tensor>(state.sizes.length);
        for (const group of state.groups) {
          let offset = 0;
          for (const i of group.members) {
            const size = state.sizes[i] as number;
            out[i] = group.members.length === 1 ? tf.clone(group[which]) : tf.reshape(tf.slice(group[which], offset, size), state.shapes[i] as number[]);
            offset += size;
          }
        }
        return out;
      });
    const first = parts('firstMoment').map((tensor, i) => ({ name: state.savedNames[i]!.first, tensor }));
    const second = parts('secondMoment').map((tensor, i) => ({ name: state.savedNames[i]!.second, tensor }));
    return [iterations, ...first, ...second];
  }

  /** Loads state in tfjs' format (from `getWeights` of this class or of `tf.train.adam`); the tensors stay the caller's. */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const moments = await this.internals.extractIterations(weightValues);
    const { beta1, beta2, iterations_, accBeta1, accBeta2 } = this.internals;
    tf.tidy(() => {
      accBeta1.assign(tf.pow(beta1, iterations_ + 1));
      accBeta2.assign(tf.pow(beta2, iterations_ + 1));
    });
    if (moments.length % 2 !== 0) throw new Error(`JoinedAdam.setWeights: expected first and second moments in pairs, got ${moments.length} tensors after the iteration count.`);
    this.disposeMoments();
    if (moments.length === 0) return;
    const count = moments.length / 2;
    const first = moments.slice(0, count);
    const second = moments.slice(count);
    const sizes = first.map((w) => w.tensor.size);
    second.forEach((w, i) => {
      if (w.tensor.size !== sizes[i]) throw new Error(`JoinedAdam.setWeights: moments ${first[i]!.name} and ${w.name} differ in size (${sizes[i]} and ${w.tensor.size}).`);
    });
    const shapes = first.map((w) => w.tensor.shape);
    this.joined = {
      names: [], sizes, shapes, groups: this.makeGroups(shapes, sizes, { first: first.map((w) => w.tensor), second: second.map((w) => w.tensor) }),
      savedNames: first.map((w, i) => ({ first: w.name, second: second[i]!.name })),
    };
  }

  private disposeMoments(): void {
    if (this.joined) tf.dispose(this.joined.groups.flatMap((g) => [g.firstMoment, g.secondMoment]));
    this.joined = null;
  }

  /** Frees the moments and the accumulated powers of beta. */
  override dispose(): void {
    this.disposeMoments();
    super.dispose();
  }
}
