/**
 * The native rung (`npm run native`: @tensorflow/tfjs-node 4.22 on TensorFlow 2.21 from the pip wheel) against
 * the cpu backend, the reference: every op and gradient the book uses, and the book's models trained from the
 * same weights; and chapter 5 executed on the rung that is not the default. Skipped, with the reason, when the
 * native rung is not built here.
 *
 * Tolerances: single ops and their gradients agree to 1e-4 of the largest reference value (float32 with a
 * different summation order: TensorFlow's oneDNN kernels block and vectorise); training losses over 5 steps
 * to 1e-3 relative; the book's own models (mlp, lenet, resnet with batch norm) to 2e-3 after 3 Adam steps.
 */
import { after, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import * as path from 'node:path';
import { Trainer, initBackend, lenet, mlp, nativeModulesFolder, resnet, rng, tf } from 'dlkit';
import { assertSameTraining as sameTraining, compareBackends, embeddingClassifier, normal, recurrentClassifier, nativeRungForTests } from './helpers/parity';
import type { LayersModel, Scalar, Tensor, Tensor2D, Tensor3D, Tensor4D } from 'dlkit';
import { executeNotebook, repositoryRoot } from './helpers/notebooks';

const OP_TOLERANCE = 1e-4;
const TRAINING_TOLERANCE = 1e-3;
const BOOK_MODEL_TOLERANCE = 2e-3;
/** The largest difference seen, relative to the reference's scale, per kind of check: printed at the end. */
const worstSeen = { op: 0, training: 0 };

const native = nativeRungForTests(20261130);
const skipped = (t: TestContext) => native.skipped(t);

after(() => {
  if (native.reason() === null) console.log(`native vs cpu, largest relative difference: ops and gradients ${worstSeen.op.toExponential(1)}, training losses ${worstSeen.training.toExponential(1)}`);
});

/** Skips the test with the reason when the native rung cannot start. */

/** Runs `compute` on cpu and on the native backend (from the same plain numbers) and compares every output. */
async function parity(label: string, compute: () => Tensor | Tensor[], tolerance = OP_TOLERANCE): Promise<void> {
  worstSeen.op = Math.max(worstSeen.op, await compareBackends(label, compute, tolerance, 'cpu', 'tensorflow'));
}

test('the native rung shares the book\'s one TensorFlow.js and reports TensorFlow 2.21', async (t) => {
  if (skipped(t)) return;
  const report = await initBackend({ backend: 'node', quiet: true });
  assert.equal(report.tfBackend, 'tensorflow');
  const chosen = await initBackend({ backend: '', quiet: true });
  assert.ok(['node-gpu', 'node'].includes(chosen.name), `the ladder finds the native rung by itself: ${chosen.name} (${chosen.reason})`);
  const packageFolder = path.join(nativeModulesFolder(), '@tensorflow', 'tfjs-node');
  // tfjs-node registers its backend with the tfjs-core it resolves: it must be the book's copy.
  assert.equal(require.resolve('@tensorflow/tfjs-core', { paths: [packageFolder] }), require.resolve('@tensorflow/tfjs-core'));
  assert.ok(tf.engine().registryFactory['tensorflow'], "the book's engine knows the tensorflow backend");
  const binding = (tf.backend() as unknown as { binding: { TF_Version: string } }).binding;
  assert.match(binding.TF_Version, /^2\.\d+\.\d+/);
});

test('convolutions (strides, padding, 1x1, transposed, depthwise) and their gradients match cpu', async (t) => {
  if (skipped(t)) return;
  const cases: { x: [number, number, number, number]; filter: [number, number, number, number]; strides: number; pad: 'same' | 'valid' }[] = [
    { x: [2, 9, 9, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid' },
    { x: [2, 9, 9, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
    { x: [3, 8, 8, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'same' },
    { x: [2, 8, 8, 3], filter: [5, 5, 3, 2], strides: 2, pad: 'valid' },
    { x: [2, 7, 7, 4], filter: [1, 1, 4, 6], strides: 2, pad: 'valid' },
  ];
  for (const c of cases) {
    const x = normal(c.x);
    const filter = normal(c.filter);
    const label = `conv2d x=${c.x} filter=${c.filter} stride ${c.strides} ${c.pad}`;
    await parity(label, () => {
      const loss = (input: Tensor, f: Tensor) => {
        const y = tf.conv2d(input as Tensor4D, f as Tensor4D, c.strides, c.pad);
        return tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.range(0, y.size), y.shape))));
      };
      const { value, grads } = tf.valueAndGrads(loss as (...t: Tensor[]) => Scalar)([tf.tensor(x, c.x), tf.tensor(filter, c.filter)]);
      return [value, ...grads, tf.conv2d(tf.tensor4d(x, c.x), tf.tensor4d(filter, c.filter), c.strides, c.pad)];
    });
  }
  const x = normal([2, 5, 5, 4]);
  const filter = normal([3, 3, 3, 4]);
  await parity('conv2dTranspose and its gradients', () =>
    tf.grads((input: Tensor, f: Tensor) =>
      tf.sum(tf.square(tf.conv2dTranspose(input as Tensor4D, f as Tensor4D, [2, 11, 11, 3], 2, 'valid'))),
    )([tf.tensor(x, [2, 5, 5, 4]), tf.tensor(filter, [3, 3, 3, 4])]),
  );
  const depthInput = normal([2, 8, 8, 3]);
  const depthFilter = normal([3, 3, 3, 2]);
  await parity('depthwiseConv2d and its gradients', () =>
    tf.grads((input: Tensor, f: Tensor) =>
      tf.sum(tf.square(tf.depthwiseConv2d(input as Tensor4D, f as Tensor4D, 2, 'same'))),
    )([tf.tensor(depthInput, [2, 8, 8, 3]), tf.tensor(depthFilter, [3, 3, 3, 2])]),
  );
});

test('pooling, batch norm, moments, matMul with transposes, softmax and activations (values and gradients) match cpu', async (t) => {
  if (skipped(t)) return;
  const xShape: [number, number, number, number] = [2, 9, 9, 3];
  const x = normal(xShape);
  for (const [pool, stride, pad] of [
    [2, 2, 'valid'],
    [3, 2, 'same'],
  ] as const) {
    await parity(`maxPool/avgPool ${pool}x${pool} stride ${stride} ${pad}`, () => {
      const input = tf.tensor4d(x, xShape);
      const weighted = (y: Tensor) => tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.range(0, y.size), y.shape))));
      return [
        tf.grad((v: Tensor) => weighted(tf.maxPool(v as Tensor4D, pool, stride, pad)))(input),
        // avgPool's gradient only without padding: with 'same', see the next test.
        ...(pad === 'valid' ? [tf.grad((v: Tensor) => weighted(tf.avgPool(v as Tensor4D, pool, stride, pad)))(input)] : []),
        tf.avgPool(input, pool, stride, pad),
        tf.grad((v: Tensor) => weighted(tf.mean(v, [1, 2])))(input),
      ];
    });
  }
  const parameters = [normal([3]), Float32Array.from(normal([3]), (v) => 0.5 + v * v), normal([3]), normal([3])];
  const upstream = normal(xShape);
  await parity('batchNorm and moments (layer norm) forward and gradients', () => {
    const loss = (input: Tensor, m: Tensor, v: Tensor, o: Tensor, s: Tensor) => {
      const normed = tf.batchNorm(input, m, v, o, s, 1e-3);
      const { mean, variance } = tf.moments(input, -1, true);
      const layerNormed = tf.div(tf.sub(input, mean), tf.sqrt(tf.add(variance, 1e-5)));
      return tf.sum(tf.mul(tf.add(normed, layerNormed), tf.tensor(upstream, xShape)));
    };
    const { value, grads } = tf.valueAndGrads(loss as (...t: Tensor[]) => Scalar)([tf.tensor(x, xShape), ...parameters.map((p) => tf.tensor(p))]);
    return [value, ...grads];
  });
  const a = normal([3, 4, 5]);
  const b = normal([3, 6, 5]);
  const w = normal([3, 4, 6]);
  await parity('batched matMul (transposed), softmax, logSoftmax, sigmoid, tanh, elu, relu, leakyRelu', () =>
    tf.grads((p: Tensor, q: Tensor) => {
      const scores = tf.matMul(p as Tensor3D, q as Tensor3D, false, true);
      const mixed = tf.add(tf.softmax(scores), tf.mul(tf.logSoftmax(scores), 0.3));
      const activated = tf.addN([tf.sigmoid(mixed), tf.tanh(scores), tf.elu(scores), tf.relu(scores), tf.leakyRelu(scores, 0.1)]);
      return tf.sum(tf.mul(activated, tf.tensor(w, [3, 4, 6])));
    })([tf.tensor(a, [3, 4, 5]), tf.tensor(b, [3, 6, 5])]),
  );
  const m = normal([16, 12]);
  const n = normal([12, 7]);
  await parity('2-D matMul with each operand transposed (dense-layer gradients)', () => [
    tf.matMul(tf.tensor2d(m, [16, 12]), tf.tensor2d(n, [12, 7])),
    tf.matMul(tf.tensor2d(m, [16, 12]), tf.tensor2d(m, [16, 12]), true, false),
    tf.matMul(tf.tensor2d(n, [12, 7]), tf.tensor2d(n, [12, 7]), false, true),
  ]);
  // The native rung runs these through TensorFlow's 2-D MatMul (a batch of one squeezed), the rest as BatchMatMulV2.
  const bias = normal([7]);
  await parity('batch-of-one 3-D matMul with transposes, int32 matMul, fused matMul with bias and ReLU and its gradients', () => [
    tf.matMul(tf.tensor3d(m, [1, 16, 12]), tf.tensor3d(n, [1, 12, 7])),
    tf.matMul(tf.tensor3d(m, [1, 16, 12]), tf.tensor3d(m, [1, 16, 12]), true, false),
    tf.matMul(tf.tensor3d(n, [1, 12, 7]), tf.tensor3d(n, [1, 12, 7]), false, true),
    tf.matMul(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), tf.tensor2d([7, 8, 9, 10, 11, 12], [3, 2], 'int32')).toFloat(),
    ...tf.grads((x: Tensor, k: Tensor, c: Tensor) => tf.sum(tf.square(tf.fused.matMul({ a: x as Tensor2D, b: k as Tensor2D, bias: c, activation: 'relu' }))))([
      tf.tensor2d(m, [16, 12]),
      tf.tensor2d(n, [12, 7]),
      tf.tensor1d(bias),
    ]),
  ]);
});

test("ReLU's gradient (Step, rewritten on the native rung) and same-type casts match cpu; NaN stays NaN", async (t) => {
  if (skipped(t)) return;
  const x = normal([6, 7]);
  x[0] = 0;
  x[1] = -0;
  x[2] = Infinity;
  x[3] = -Infinity;
  const upstream = normal([6, 7]);
  await parity('step, leaky step, relu and its gradient, float32 and int32 casts to their own type', () => [
    tf.step(tf.tensor2d(x, [6, 7])),
    tf.step(tf.tensor2d(x, [6, 7]), 0.3),
    ...tf.grads((v: Tensor) => tf.sum(tf.mul(tf.relu(v), tf.tensor2d(upstream, [6, 7]))))([tf.tensor2d(x, [6, 7])]),
    tf.cast(tf.tensor2d(x, [6, 7]), 'float32'),
    tf.cast(tf.tensor1d([3, -4, 5], 'int32'), 'int32').toFloat(),
  ]);
  await tf.setBackend('tensorflow');
  const before = tf.memory().numTensors;
  const steps = tf.tidy(() => Array.from(tf.step(tf.tensor1d([Number.NaN, -1, 2])).dataSync()));
  assert.ok(Number.isNaN(steps[0]) && steps[1] === 0 && steps[2] === 1, `step of [NaN, -1, 2] is ${steps.join(', ')}`);
  assert.equal(tf.memory().numTensors, before);
});

test('initBackend chooses TensorFlow\'s threads per workload before it starts, the reader\'s TF_NUM_INTRAOP_THREADS wins, nativeThreadCount reports it', (t) => {
  if (skipped(t)) return;
  const threadsIn = (value: string | undefined, workload: string): string => {
    const env = { ...process.env };
    delete env['TF_NUM_INTRAOP_THREADS'];
    if (value !== undefined) env['TF_NUM_INTRAOP_THREADS'] = value;
    const script =
      `require('dlkit').initBackend({ backend: 'node', quiet: true, workload: '${workload}' }).then((r) => ` +
      "console.log('threads=' + process.env.TF_NUM_INTRAOP_THREADS + ',' + require('dlkit').nativeThreadCount() + ',' + r.nativeThreads.source))";
    const run = spawnSync(process.execPath, ['-e', script], { cwd: repositoryRoot, env, encoding: 'utf8' });
    return /threads=(\S+)/.exec(run.stdout)?.[1] ?? `no output (${run.stderr.slice(-300)})`;
  };
  const cores = availableParallelism();
  assert.equal(threadsIn(undefined, 'throughput'), cores > 1 ? '1,1,dlkit' : `undefined,${cores},tensorflow`);
  assert.equal(threadsIn(undefined, 'large-products'), `undefined,${cores},tensorflow`);
  assert.equal(threadsIn('2', 'throughput'), '2,2,environment');
});

test("avgPool with 'same' padding: native's gradient is the true one (tfjs' cpu kernel divides border windows by the full size)", async (t) => {
  if (skipped(t)) return;
  await tf.setBackend('tensorflow');
  const shape: [number, number, number, number] = [1, 5, 5, 1];
  const x = normal(shape);
  const upstream = tf.range(1, 10).reshape([1, 3, 3, 1]);
  const f = (v: Tensor) => tf.sum(tf.mul(tf.avgPool(v as Tensor4D, 3, 2, 'same'), upstream)) as Scalar;
  const gradient = tf.tidy(() => tf.grad(f)(tf.tensor4d(x, shape)).dataSync());
  // avgPool is linear, so a central difference with step 1 is exact up to float32 rounding.
  const numeric = Array.from(x, (_, i) =>
    tf.tidy(() => {
      const plus = Float32Array.from(x);
      const minus = Float32Array.from(x);
      plus[i] = (plus[i] as number) + 1;
      minus[i] = (minus[i] as number) - 1;
      return ((f(tf.tensor4d(plus, shape)).dataSync()[0] as number) - (f(tf.tensor4d(minus, shape)).dataSync()[0] as number)) / 2;
    }),
  );
  numeric.forEach((expected, i) => assert.ok(Math.abs((gradient[i] as number) - expected) < 1e-4, `element ${i}: ${gradient[i]} vs ${expected}`));
  upstream.dispose();
});

test('gather (embeddings) and its gradient, oneHot, cumsum, tile, concat, and the losses the book trains with match cpu', async (t) => {
  if (skipped(t)) return;
  const table = normal([30, 8]);
  const ids = Array.from({ length: 24 }, () => rng().int(30));
  const logits = normal([12, 5]);
  const labels = Array.from({ length: 12 }, (_, i) => i % 5);
  const targets = normal([12, 5]);
  const predictions = normal([12, 5]);
  await parity('gather + its gradient (UnsortedSegmentSum)', () =>
    tf.grad((e: Tensor) => tf.sum(tf.square(tf.gather(e, tf.tensor1d(ids, 'int32')))))(tf.tensor2d(table, [30, 8])),
  );
  await parity('oneHot, cumsum, tile, concat, slice, transpose', () => {
    const x = tf.tensor2d(logits, [12, 5]);
    return [
      tf.oneHot(tf.tensor1d(labels, 'int32'), 5),
      tf.cumsum(x, 1),
      tf.tile(x, [2, 3]),
      tf.concat([x, tf.slice(x, [0, 1], [12, 3])], 1),
      tf.transpose(x),
    ];
  });
  await parity('softmax/sigmoid cross-entropy, mean squared error, Huber loss, and their gradients', () =>
    tf.grads((l: Tensor, p: Tensor) => {
      const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), 5);
      return tf.addN([
        tf.losses.softmaxCrossEntropy(oneHot, l),
        tf.metrics.categoricalCrossentropy(oneHot, tf.softmax(l)).mean(),
        tf.losses.sigmoidCrossEntropy(tf.sigmoid(tf.tensor2d(targets, [12, 5])), l),
        tf.losses.meanSquaredError(tf.tensor2d(targets, [12, 5]), p),
        tf.losses.huberLoss(tf.tensor2d(targets, [12, 5]), p),
      ]) as Scalar;
    })([tf.tensor2d(logits, [12, 5]), tf.tensor2d(predictions, [12, 5])]),
  );
});

/** Trains from the same weights on cpu and on native and compares the losses (test/helpers/parity.ts). */
async function assertSameTraining(label: string, build: () => LayersModel, data: () => [Tensor, Tensor], steps: number, tolerance: number): Promise<void> {
  worstSeen.training = Math.max(worstSeen.training, await sameTraining(label, build, data, steps, tolerance, 'cpu', 'tensorflow'));
}

test("the book's models (mlp, lenet, resnet) train the same on native and cpu from the same weights", async (t) => {
  if (skipped(t)) return;
  const images = normal([8, 28, 28, 1]);
  const labels = Array.from({ length: 8 }, (_, i) => i % 10);
  const data = (): [Tensor, Tensor] => [tf.tensor4d(images, [8, 28, 28, 1]), tf.oneHot(tf.tensor1d(labels, 'int32'), 10)];
  const compiled = (model: LayersModel): LayersModel => {
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    return model;
  };
  await assertSameTraining('mlp', () => compiled(mlp({ inputShape: [28, 28, 1], hidden: [32, 16], outputs: 10 })), data, 3, BOOK_MODEL_TOLERANCE);
  await assertSameTraining('lenet', () => compiled(lenet()), data, 3, BOOK_MODEL_TOLERANCE);
  await assertSameTraining('resnet', () => compiled(resnet({ stages: [8, 16], blocksPerStage: 1 })), data, 3, BOOK_MODEL_TOLERANCE);
});

test('an embedding model and an LSTM + GRU model train the same on native and cpu', async (t) => {
  if (skipped(t)) return;
  const tokens = Array.from({ length: 16 * 6 }, () => rng().int(30));
  const classes = Array.from({ length: 16 }, (_, i) => i % 3);
  await assertSameTraining(
    'embedding model',
    embeddingClassifier,
    () => [tf.tensor2d(tokens, [16, 6], 'int32'), tf.oneHot(tf.tensor1d(classes, 'int32'), 3)],
    5,
    TRAINING_TOLERANCE,
  );
  const sequences = normal([8, 5, 3]);
  await assertSameTraining(
    'LSTM + GRU',
    recurrentClassifier,
    () => [tf.tensor3d(sequences, [8, 5, 3]), tf.oneHot(tf.tensor1d(classes.slice(0, 8).map((c) => c % 2), 'int32'), 2)],
    5,
    TRAINING_TOLERANCE,
  );
});

test("TensorFlow 2.21's int32 round bug does not reach the book: the Trainer's label check rounds float32", async (t) => {
  if (skipped(t)) return;
  await tf.setBackend('tensorflow');
  const model = mlp({ inputShape: [4], hidden: [8], outputs: 3 });
  const trainer = new Trainer(model, { learningRate: 0.1 });
  const x = tf.tensor2d(normal([4, 4]), [4, 4]);
  const whole = tf.tensor1d([0, 1, 2, 1], 'int32');
  const fractional = tf.tensor1d([0, 1.5, 2, 1]);
  // Fails if the label check ever rounds the int32 labels themselves (round of int32 gives zeros on TensorFlow 2.21).
  assert.ok(Number.isFinite(trainer.evaluate({ x, y: whole })['loss']));
  assert.throws(() => trainer.evaluate({ x, y: fractional }), /fractional/);
  const roundedFloat = tf.tidy(() => tf.round(tf.tensor1d([1.4, 2.6, -0.6])).arraySync());
  assert.deepEqual(roundedFloat, [1, 3, -1]);
  tf.dispose([x, whole, fractional]);
  model.dispose();
});

test('a training chapter (5, quick mode) also executes on the other fast rung than the default', async (t) => {
  // notebooks.test.ts runs every chapter on the default rung (native once `npm run native` has built it, else wasm);
  // this runs chapter 5 once more on the other one, so both rungs run a real chapter in every `npm test`.
  const defaultRung = (await initBackend({ backend: '', quiet: true })).name;
  const other = defaultRung === 'wasm' ? 'node' : 'wasm';
  if (other === 'node' && skipped(t)) return;
  const run = await executeNotebook('05_deep_learning_mlp.ipynb', {
    outDir: path.join(repositoryRoot, 'test-results', `notebooks-${other}`),
    env: { DLKIT_QUICK: '1', DLKIT_BACKEND: other },
  });
  assert.ok(run.ok, `chapter 5 on ${other}: ${run.failure ?? 'failed'}`);
});

test('npm run native stops with what to install when g++, make and Python are missing, before touching .native/', () => {
  // A PATH holding only node: no g++, make, python3 or sh.
  const bin = mkdtempSync(path.join(tmpdir(), 'dlkit-native-path-'));
  symlinkSync(process.execPath, path.join(bin, 'node'));
  const stamp = path.join(repositoryRoot, '.native', 'build.json');
  const before = existsSync(stamp) ? readFileSync(stamp, 'utf8') : null;
  try {
    const run = spawnSync(process.execPath, [path.join(repositoryRoot, 'scripts', 'native.mjs'), '--force'], {
      cwd: repositoryRoot,
      encoding: 'utf8',
      env: { ...process.env, PATH: bin, DLKIT_PYTHON: '' },
    });
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /needs g\+\+, make, python3, which are not installed/);
    assert.match(run.stderr, /apt-get install --no-install-recommends g\+\+ make python3 python3-pip/);
    assert.ok(!/^\s+at /m.test(run.stderr), `no stack trace: ${run.stderr}`);
    assert.equal(existsSync(stamp) ? readFileSync(stamp, 'utf8') : null, before, 'the built rung is left as it was');
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
});
