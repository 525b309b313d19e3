// The book's workloads, each a function (dlkit, tf, size) => { unit, ... } or
// { skipped: reason }. `size` is 'full' or 'smoke' (tiny, one repetition, for
// the test suite). A workload whose chapter has not landed is skipped with a note.
import { measureRate } from './measure.mjs';

const reps = (size) => (size === 'smoke' ? { warmup: 1, repetitions: 1 } : { warmup: 1, repetitions: 3 });

function syntheticClassification(tf, count, shape, classes) {
  return tf.tidy(() => ({
    x: tf.randomNormal([count, ...shape]),
    y: tf.oneHot(tf.randomUniform([count], 0, classes, 'int32'), classes).toFloat(),
  }));
}

function mlpModel(tf) {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 256, activation: 'relu' }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

async function fitRate(tf, model, data, batchSize, steps, size) {
  const count = batchSize * steps;
  return measureRate(async () => {
    await model.fit(data.x, data.y, { batchSize, epochs: 1, shuffle: false, verbose: 0 });
    return count;
  }, reps(size));
}

export const workloads = [
  {
    name: 'matmul-1024',
    description: 'float32 1024x1024 matrix product',
    unit: 'GFLOP/s',
    run: async (dlkit, tf, size) => {
      const n = size === 'smoke' ? 128 : 1024;
      const a = tf.randomNormal([n, n]);
      const b = tf.randomNormal([n, n]);
      const inner = size === 'smoke' ? 2 : 5;
      const result = await measureRate(async () => {
        for (let i = 0; i < inner; i++) {
          const c = tf.matMul(a, b);
          await c.data();
          c.dispose();
        }
        return (inner * 2 * n ** 3) / 1e9;
      }, reps(size));
      tf.dispose([a, b]);
      return result;
    },
  },
  {
    name: 'mlp-fit',
    description: 'MLP 784-256-128-10, batch 128, raw model.fit',
    unit: 'samples/s',
    run: async (dlkit, tf, size) => {
      const steps = size === 'smoke' ? 2 : 40;
      const data = syntheticClassification(tf, 128 * steps, [784], 10);
      const model = mlpModel(tf);
      const result = await fitRate(tf, model, data, 128, steps, size);
      model.optimizer.dispose();
      model.dispose();
      tf.dispose(data);
      return result;
    },
  },
  {
    name: 'mlp-trainer',
    description: "MLP 784-256-128-10, batch 128, dlkit's Trainer (its overhead is this over mlp-fit)",
    unit: 'samples/s',
    run: async (dlkit, tf, size) => {
      if (typeof dlkit.measureTrainingThroughput !== 'function') return { skipped: 'dlkit has no Trainer throughput measure yet (chapter 5)' };
      return dlkit.measureTrainingThroughput({ model: 'mlp', size, ...reps(size) });
    },
  },
  {
    name: 'lenet-train',
    description: 'LeNet-style CNN on 28x28x1, batch 64',
    unit: 'samples/s',
    run: async (dlkit, tf, size) => {
      if (typeof dlkit.measureTrainingThroughput !== 'function') return { skipped: 'dlkit has no Trainer throughput measure yet (chapter 7)' };
      return dlkit.measureTrainingThroughput({ model: 'lenet', size, ...reps(size) });
    },
  },
  {
    name: 'resnet-train',
    description: "the book's small ResNet on 28x28x1, batch 64",
    unit: 'samples/s',
    run: async (dlkit, tf, size) => {
      if (typeof dlkit.measureTrainingThroughput !== 'function') return { skipped: 'dlkit has no Trainer throughput measure yet (chapter 7)' };
      return dlkit.measureTrainingThroughput({ model: 'resnet', size, ...reps(size) });
    },
  },
  {
    name: 'dqn-update',
    description: 'DQN update step, MLP 4-128-128-2, batch 64',
    unit: 'steps/s',
    run: async (dlkit, tf, size) => {
      if (typeof dlkit.measureDqnThroughput !== 'function') return { skipped: 'dlkit has no DQN throughput measure yet (chapter 9)' };
      return dlkit.measureDqnThroughput({ what: 'update', size, ...reps(size) });
    },
  },
  {
    name: 'dqn-act-latency',
    description: 'DQN single-observation action selection latency',
    unit: 'µs',
    lowerIsBetter: true,
    run: async (dlkit, tf, size) => {
      if (typeof dlkit.measureDqnThroughput !== 'function') return { skipped: 'dlkit has no DQN throughput measure yet (chapter 9)' };
      return dlkit.measureDqnThroughput({ what: 'act', size, ...reps(size) });
    },
  },
  {
    name: 'cartpole-env',
    description: 'CartPole-v1 raw environment steps (random actions)',
    unit: 'steps/s',
    backendIndependent: true,
    run: async (dlkit, tf, size) => {
      if (typeof dlkit.make !== 'function') return { skipped: 'the gym module has not landed (chapter 9)' };
      const env = dlkit.make('CartPole-v1');
      env.reset({ seed: 0 });
      const steps = size === 'smoke' ? 1000 : 200_000;
      return measureRate(() => {
        for (let i = 0; i < steps; i++) {
          const [, , terminated, truncated] = env.step(i & 1);
          if (terminated || truncated) env.reset();
        }
        return steps;
      }, reps(size));
    },
  },
  {
    name: 'cartpole-dqn-agent',
    description: 'CartPole-v1 steps with the DQN agent acting and learning',
    unit: 'steps/s',
    run: async (dlkit, tf, size) => {
      if (typeof dlkit.measureDqnThroughput !== 'function') return { skipped: 'dlkit has no DQN throughput measure yet (chapter 9)' };
      return dlkit.measureDqnThroughput({ what: 'agent', size, ...reps(size) });
    },
  },
  {
    name: 'mini-bert-train',
    description: 'mini-BERT training tokens/s',
    unit: 'tokens/s',
    run: async () => ({ skipped: 'the NLP chapter (mini-BERT) has not landed yet' }),
  },
  {
    name: 'matrix-factorisation-train',
    description: 'matrix factorisation ratings/s',
    unit: 'ratings/s',
    run: async () => ({ skipped: 'the recommender chapter has not landed yet' }),
  },
];
