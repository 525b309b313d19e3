// @ts-check
// The book's workloads, each a function (dlkit, tf, size) => { median, min,
// max, repetitions } or { skipped: reason }. `size` is 'full' or 'smoke' (tiny,
// one repetition, for the test suite). A workload whose chapter has not landed
// is skipped with a note.

/** @typedef {typeof import('dlkit')} Dlkit */
/** @typedef {'full' | 'smoke'} Size */
/** @typedef {{ median: number, min: number, max: number, repetitions: number, skipped?: undefined }} Measurement */
/**
 * One workload of `npm run bench`.
 * @typedef {object} Workload
 * @property {string} name
 * @property {string} description
 * @property {string} unit
 * @property {boolean} [slowOnCpu] skipped on the pure-JavaScript cpu backend in full size
 * @property {boolean} [backendIndependent] measured once, not per backend
 * @property {(dlkit: Dlkit, tf: Dlkit['tf'], size: Size) => Promise<Measurement | { skipped: string }>} run
 */

const reps = (/** @type {Size} */ size) => (size === 'smoke' ? { warmup: 1, repetitions: 1 } : { warmup: 1, repetitions: 3 });

// The DQN workloads' network: larger than the chapter's (DQN_HIDDEN_UNITS), the one
// bench/torch_reference.py builds and the earlier results in README.md measured.
const DQN_BENCH = { hiddenUnits: [128, 128] };

/**
 * A Transformer workload of chapters 6 and 13: `measure` runs `what` on the chapter's full shape.
 * @param {string} name
 * @param {string} description
 * @param {(dlkit: Dlkit, options: { size: Size, warmup: number, repetitions: number }) => Promise<Measurement>} measure
 * @returns {Workload}
 */
const transformerWorkload = (name, description, measure) => ({
  name,
  description,
  unit: 'tokens/s',
  slowOnCpu: true,
  run: (dlkit, tf, size) => measure(dlkit, { size, ...reps(size) }),
});

/** @type {Workload[]} */
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
      try {
        return await dlkit.measureRate(async () => {
          for (let i = 0; i < inner; i++) {
            const c = tf.matMul(a, b);
            await c.data();
            c.dispose();
          }
          return (inner * 2 * n ** 3) / 1e9;
        }, reps(size));
      } finally {
        tf.dispose([a, b]);
      }
    },
  },
  {
    name: 'mlp-fit',
    description: 'MLP 784-256-128-10, batch 128, raw tfjs model.fit',
    unit: 'samples/s',
    run: (dlkit, tf, size) => dlkit.measureTrainingThroughput({ model: 'mlp', method: 'fit', size, ...reps(size) }),
  },
  {
    name: 'mlp-trainer',
    description: "MLP 784-256-128-10, batch 128, dlkit's Trainer (its overhead is the gap to mlp-fit)",
    unit: 'samples/s',
    run: (dlkit, tf, size) => dlkit.measureTrainingThroughput({ model: 'mlp', method: 'trainer', size, ...reps(size) }),
  },
  {
    name: 'lenet-train',
    description: 'LeNet-style CNN on 28x28x1, batch 64, Trainer',
    unit: 'samples/s',
    // Two batches a repetition on the cpu backend, which trains this at about 15 samples/s.
    run: (dlkit, tf, size) => dlkit.measureTrainingThroughput({ model: 'lenet', size, ...reps(size), ...(tf.getBackend() === 'cpu' && size === 'full' ? { samples: 128 } : {}) }),
  },
  {
    name: 'resnet-train',
    description: "the book's small ResNet (chapter 7) on 28x28x1, batch 64, Trainer",
    unit: 'samples/s',
    slowOnCpu: true,
    run: (dlkit, tf, size) => dlkit.measureTrainingThroughput({ model: 'resnet', size, ...reps(size) }),
  },
  {
    name: 'dqn-update',
    description: 'DQN update step, MLP 4-128-128-2, batch 64, accelerateDqn',
    unit: 'steps/s',
    run: (dlkit, tf, size) => dlkit.measureDqnThroughput({ what: 'update', size, ...DQN_BENCH, ...reps(size) }),
  },
  {
    name: 'dqn-act-latency',
    description: 'DQN greedy action for one observation (latency, lower is better), MLP 4-128-128-2: accelerateDqn\'s plain TypeScript pass on cached weights',
    unit: 'µs',
    run: (dlkit, tf, size) => dlkit.measureDqnThroughput({ what: 'act', size, ...DQN_BENCH, ...reps(size) }),
  },
  {
    name: 'dqn-act-tensor-latency',
    description: 'the same greedy action through the agent\'s own tensor code (no accelerator)',
    unit: 'µs',
    run: (dlkit, tf, size) => dlkit.measureDqnThroughput({ what: 'act', size, ...DQN_BENCH, accelerate: false, ...reps(size) }),
  },
  {
    name: 'cartpole-env',
    description: 'CartPole-v1 raw environment steps',
    unit: 'steps/s',
    backendIndependent: true,
    run: async (dlkit, tf, size) => {
      const env = dlkit.make('CartPole-v1');
      env.reset({ seed: 0 });
      const steps = size === 'smoke' ? 1000 : 200_000;
      return dlkit.measureRate(() => {
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
    description: 'CartPole-v1 steps with the DQN agent (MLP 4-128-128-2, accelerateDqn) acting and learning every step',
    unit: 'steps/s',
    run: (dlkit, tf, size) => dlkit.measureDqnThroughput({ what: 'agent', size, ...DQN_BENCH, ...reps(size) }),
  },
  transformerWorkload(
    'mini-bert-train',
    'mini-BERT (chapter 6: vocab 8000, hidden 64, 2 layers, 4 heads, length 128, batch 32) masked-LM pre-training, Trainer',
    (dlkit, options) => dlkit.measureMiniBertThroughput({ what: 'pretrain', ...options }),
  ),
  transformerWorkload(
    'mini-bert-finetune',
    'mini-BERT (same shape) fine-tuning the [CLS] classifier, Trainer',
    (dlkit, options) => dlkit.measureMiniBertThroughput({ what: 'finetune', ...options }),
  ),
  transformerWorkload(
    'small-gpt-train',
    'small GPT (chapter 13: vocab 2000, hidden 96, 3 layers, 4 heads, context 128, batch 16) next-token training, Trainer',
    (dlkit, options) => dlkit.measureGptThroughput({ what: 'train', ...options }),
  ),
  transformerWorkload(
    'small-gpt-generate',
    'small GPT (same shape) greedy generation of 127 tokens with the key-value cache, batch 1',
    (dlkit, options) => dlkit.measureGptThroughput({ what: 'generate', ...options }),
  ),
  {
    name: 'matrix-factorisation-train',
    description: 'matrix factorisation ratings/s',
    unit: 'ratings/s',
    // Chapter 8's model on MovieLens: one epoch of the Trainer per repetition, batch 1024, 32 dimensions.
    run: async (dlkit, tf, size) => {
      const ratings = dlkit.loadMovieLens().ratings;
      const table = size === 'smoke' ? ratings.subset(Array.from({ length: 5000 }, (_, k) => k)) : ratings;
      const model = new dlkit.MatrixFactorisation(table, { dimensions: 32, regularisation: 0.05 });
      const trainer = new dlkit.Trainer(model, { learningRate: 0.002, metrics: [] });
      const data = model.dataset(table);
      try {
        return await dlkit.measureFitRate(trainer, data, { batchSize: 1024, units: table.size, caller: 'matrix-factorisation-train', ...reps(size) });
      } finally {
        data.dispose();
        model.dispose();
        trainer.optimizer.dispose();
      }
    },
  },
];
