/**
 * Chapter 6's Transformer encoder: padding does not change a sequence's
 * outputs, attention rows are distributions that ignore padding, the MLM
 * masking has BERT's statistics, loss and gradients agree on wasm and cpu,
 * the classifier learns a tiny synthetic task with the Trainer, and the
 * parameter count matches chapter 2's arithmetic.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BagOfWordsClassifier,
  LayerNorm,
  LinearLayer,
  MaskedLanguageModel,
  MultiHeadSelfAttention,
  Random,
  SequenceClassifier,
  Trainer,
  TransformerEncoder,
  accuracyAndF1,
  geluTanh,
  idsTensor,
  initBackend,
  maskTokens,
  seed,
  sequenceTransformer,
  tf,
  transformerEncoderParameters,
  type TransformerEncoderOptions,
} from 'dlkit';
import type { Scalar, Tensor } from 'dlkit';

type Variable = ReturnType<typeof tf.variable>;

const PAD = 0;
const MASK = 4;
/** A stand-in for a tokenizer's special ids: [PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, [MASK] 4. */
function tokens(vocabularySize: number): { padId: number; maskId: number; vocabularySize: number; specialIds: () => Set<number> } {
  return { padId: PAD, maskId: MASK, vocabularySize, specialIds: () => new Set([0, 1, 2, 3, 4]) };
}

const SMALL: TransformerEncoderOptions = { vocabularySize: 40, hiddenSize: 16, layers: 2, heads: 4, intermediateSize: 32, maxPositions: 24, dropout: 0, attentionDropout: 0 };

before(async () => {
  await initBackend({ quiet: true });
  seed(6);
});

test('a sequence gives the same outputs and attention whatever the amount of padding (within 1e-5)', () => {
  const encoder = new TransformerEncoder(SMALL);
  const sentence = [2, 17, 9, 33, 12, 3];
  const before = tf.memory().numTensors;
  const run = (padding: number): { hidden: Float32Array; attention: Float32Array; padWeight: number } =>
    tf.tidy(() => {
      const ids = idsTensor([[...sentence, ...new Array(padding).fill(PAD)]]);
      const mask = tf.cast(tf.notEqual(ids, PAD), 'int32');
      const out = encoder.apply({ inputIds: ids, attentionMask: mask }, { returnAttention: true });
      const length = sentence.length;
      const hidden = tf.slice(out.hidden, [0, 0, 0], [1, length, SMALL.hiddenSize]).dataSync() as Float32Array;
      const weights = out.attentions?.[1] as Tensor;
      const attention = tf.slice(weights, [0, 0, 0, 0], [1, SMALL.heads, length, length]).dataSync() as Float32Array;
      const padWeight = padding > 0 ? tf.sum(tf.slice(weights, [0, 0, 0, length], [1, SMALL.heads, length + padding, padding])).dataSync()[0] as number : 0;
      return { hidden: Float32Array.from(hidden), attention: Float32Array.from(attention), padWeight };
    });
  const reference = run(0);
  for (const padding of [1, 5, 18]) {
    const padded = run(padding);
    const worst = Math.max(...reference.hidden.map((v, i) => Math.abs(v - (padded.hidden[i] as number))));
    assert.ok(worst <= 1e-5, `hidden states change by ${worst} with ${padding} padding tokens`);
    const worstAttention = Math.max(...reference.attention.map((v, i) => Math.abs(v - (padded.attention[i] as number))));
    assert.ok(worstAttention <= 1e-5, `attention changes by ${worstAttention} with ${padding} padding tokens`);
    assert.equal(padded.padWeight, 0, 'no weight at all on padding keys');
  }
  // Without the mask, padding does change the outputs: the test would catch an encoder that ignored it.
  const unmasked = tf.tidy(() => {
    const ids = idsTensor([[...sentence, ...new Array(5).fill(PAD)]]);
    return Float32Array.from(tf.slice(encoder.apply({ inputIds: ids }).hidden, [0, 0, 0], [1, sentence.length, SMALL.hiddenSize]).dataSync() as Float32Array);
  });
  assert.ok(Math.max(...reference.hidden.map((v, i) => Math.abs(v - (unmasked[i] as number)))) > 1e-3);
  assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
});

test('mean pooling: the class scores of a sequence do not depend on its padding, and differ from [CLS] pooling', () => {
  const encoder = new TransformerEncoder(SMALL);
  const mean = new SequenceClassifier(encoder, 2, PAD, 'mean');
  const cls = new SequenceClassifier(encoder, 2, PAD, 'cls');
  const sentence = [2, 17, 9, 33, 12, 3];
  const before = tf.memory().numTensors;
  const scores = (model: SequenceClassifier, padding: number): number[] =>
    tf.tidy(() => Array.from(model.logits(idsTensor([[...sentence, ...new Array(padding).fill(PAD)]]), false).dataSync()));
  const reference = scores(mean, 0);
  for (const padding of [1, 7, 18]) {
    const worst = Math.max(...scores(mean, padding).map((v, i) => Math.abs(v - (reference[i] as number))));
    assert.ok(worst <= 1e-5, `mean-pooled scores change by ${worst} with ${padding} padding tokens`);
  }
  // The mean pools the real tokens only: averaging the padding too would change the scores.
  const withPaddingAveraged = tf.tidy(() => {
    const ids = idsTensor([[...sentence, ...new Array(7).fill(PAD)]]);
    const { hidden } = encoder.apply({ inputIds: ids, attentionMask: tf.cast(tf.notEqual(ids, PAD), 'int32') });
    return Array.from(mean.logitsFromHidden(hidden, tf.onesLike(ids)).dataSync());
  });
  assert.ok(Math.max(...withPaddingAveraged.map((v, i) => Math.abs(v - (reference[i] as number)))) > 1e-6, 'the mask decides what is averaged');
  const clsScores = scores(cls, 0);
  assert.ok(Math.max(...clsScores.map((v, i) => Math.abs(v - (reference[i] as number)))) > 1e-6, '[CLS] and mean pooling read different vectors');
  assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
  assert.throws(() => new SequenceClassifier(encoder, 2, PAD, 'max' as 'mean'), /pooling must be 'cls' or 'mean', got "max"/);
  tf.dispose([...encoder.variables, ...mean.pooler.variables, ...mean.classifier.variables, ...cls.pooler.variables, ...cls.classifier.variables]);
});

test("GELU is BERT's tanh approximation, x·½(1 + tanh(√(2/π)(x + 0.044715x³)))", () => {
  const xs = [-3, -1, -0.5, 0, 0.5, 1, 3];
  const values = tf.tidy(() => Array.from(geluTanh(tf.tensor1d(xs)).dataSync()));
  xs.forEach((x, i) => {
    const expected = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    assert.ok(Math.abs((values[i] as number) - expected) < 1e-5, `geluTanh(${x}) = ${values[i]}, expected ${expected}`);
  });
  const slopes = tf.tidy(() => Array.from(tf.grad((x: Tensor) => tf.sum(geluTanh(x)))(tf.tensor1d([-3, 0, 3])).dataSync()));
  assert.ok(Math.abs((slopes[1] as number) - 0.5) < 1e-5 && Math.abs(slopes[0] as number) < 0.02 && Math.abs((slopes[2] as number) - 1) < 0.02, `slopes ${slopes}`);
});

test('attention rows are probability distributions', () => {
  const encoder = new TransformerEncoder(SMALL);
  const sums = tf.tidy(() => {
    const out = encoder.apply({ inputIds: idsTensor([[2, 5, 6, 7, 3]]) }, { returnAttention: true });
    assert.equal(out.attentions?.length, SMALL.layers);
    assert.deepEqual(out.attentions?.[0]?.shape, [1, SMALL.heads, 5, 5]);
    return Array.from(tf.sum(out.attentions?.[0] as Tensor, -1).dataSync());
  });
  for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-5);
});

test("MLM masking: 15% of ordinary tokens chosen, 80% [MASK] / 10% random / 10% kept, specials never touched", () => {
  const random = new Random(11);
  const vocabularySize = 1000;
  const specialIds = new Set([0, 1, 2, 3, 4]);
  const ids: number[] = [];
  for (let i = 0; i < 200_000; i++) ids.push(i % 50 === 0 ? 2 : i % 50 === 49 ? 0 : 5 + random.int(vocabularySize - 5));
  const masked = maskTokens(ids, { maskId: MASK, specialIds, vocabularySize, random });
  const ordinary = ids.filter((id) => !specialIds.has(id)).length;
  const chosen = masked.positions.length;
  // Binomial(n, 0.15): the standard deviation of the fraction is about 0.0009 here; allow 5 of them.
  assert.ok(Math.abs(chosen / ordinary - 0.15) < 0.005, `chosen fraction ${chosen / ordinary}`);
  let asMask = 0;
  let kept = 0;
  let replaced = 0;
  masked.positions.forEach((p, k) => {
    assert.ok(!specialIds.has(ids[p] as number), 'a special token was chosen');
    assert.equal(masked.labels[k], ids[p], 'the label is the original id');
    const now = masked.inputIds[p] as number;
    if (now === MASK) asMask++;
    else if (now === ids[p]) kept++;
    else {
      replaced++;
      assert.ok(!specialIds.has(now), 'a random replacement is never a special token');
    }
  });
  // Random replacements that happen to draw the same id count as kept: 1 in 995.
  assert.ok(Math.abs(asMask / chosen - 0.8) < 0.01, `[MASK] fraction ${asMask / chosen}`);
  assert.ok(Math.abs(replaced / chosen - 0.1) < 0.01, `random fraction ${replaced / chosen}`);
  assert.ok(Math.abs(kept / chosen - 0.1) < 0.01, `kept fraction ${kept / chosen}`);
  ids.forEach((id, i) => {
    if (i % 997 === 0 && !masked.positions.includes(i)) assert.equal(masked.inputIds[i], id, 'an unchosen token is unchanged');
  });
  // A short sequence still gets one prediction; a sequence of only special tokens gets none.
  assert.equal(maskTokens([2, 9, 3], { maskId: MASK, specialIds, vocabularySize, probability: 0.01, random }).positions.length, 1);
  assert.equal(maskTokens([2, 3, 0], { maskId: MASK, specialIds, vocabularySize, random }).positions.length, 0);
});

test('loss and gradients of MLM and classification agree on wasm and cpu', async () => {
  await initBackend({ backend: 'wasm', quiet: true }); // registers wasm even where the native rung is the default
  const results: Record<string, number[][]> = {};
  const batch = [
    [2, 10, 11, 12, 13, 14, 3, 0],
    [2, 20, 21, 22, 3, 0, 0, 0],
  ];
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    seed(7);
    const encoder = new TransformerEncoder({ ...SMALL, dropout: 0.1, attentionDropout: 0.1 });
    const mlm = new MaskedLanguageModel(encoder, tokens(SMALL.vocabularySize));
    const classifier = new SequenceClassifier(encoder, 2, PAD);
    const before = tf.memory().numTensors;
    const outputs: number[][] = [];
    for (const model of [mlm, classifier] as const) {
      seed(8); // the same masks and dropout on both backends
      const { value, grads } = tf.variableGrads(() => {
        const x = idsTensor(batch);
        const y = tf.tensor1d([1, 0], 'int32');
        const loss = model.loss({ x, y }, true);
        return ('loss' in loss ? loss.loss : loss) as Scalar;
      }, model.trainableVariables);
      outputs.push([value.dataSync()[0] as number]);
      for (const v of model.trainableVariables) outputs.push(Array.from(grads[v.name]?.dataSync() ?? []));
      tf.dispose([value, ...Object.values(grads)]);
    }
    assert.equal(tf.memory().numTensors, before, `${backend}: no tensors left behind`);
    tf.dispose([...mlm.trainableVariables, ...classifier.pooler.variables, ...classifier.classifier.variables]);
    results[backend] = outputs;
  }
  await initBackend({ quiet: true });
  const cpu = results['cpu'] as number[][];
  const wasm = results['wasm'] as number[][];
  assert.equal(wasm.length, cpu.length);
  cpu.forEach((expected, i) => {
    const actual = wasm[i] as number[];
    assert.equal(actual.length, expected.length, `output ${i}: size`);
    const scale = Math.max(1e-3, ...expected.map(Math.abs));
    const worst = Math.max(0, ...expected.map((v, j) => Math.abs(v - (actual[j] as number))));
    assert.ok(worst <= 1e-4 * scale + 1e-6, `output ${i} (0 is a loss, the rest gradients): wasm differs from cpu by ${worst} (scale ${scale})`);
  });
  assert.ok(cpu.slice(1).some((g) => g.some((v) => v !== 0)), 'the gradients are not all zero');
});

test('the classifier learns a tiny synthetic task with the Trainer: does the sequence contain token 7?', async () => {
  seed(9);
  const random = new Random(21);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < 384; i++) {
    const length = 3 + random.int(8);
    const words = Array.from({ length }, () => 8 + random.int(30));
    const positive = i % 2 === 0;
    if (positive) words[random.int(length)] = 7;
    rows.push([2, ...words, 3, ...new Array(10 - length).fill(PAD)]);
    labels.push(positive ? 1 : 0);
  }
  const encoder = new TransformerEncoder({ ...SMALL, vocabularySize: 40, dropout: 0, attentionDropout: 0 });
  const classifier = new SequenceClassifier(encoder, 2, PAD);
  const x = idsTensor(rows);
  const y = tf.tensor1d(labels, 'int32');
  const trainer = new Trainer(classifier, { learningRate: 3e-3 });
  const chance = accuracyAndF1(labels, Array.from(trainer.predictClasses(x)));
  await trainer.fit({ x, y }, { epochs: 12, batchSize: 32, plot: false });
  const result = accuracyAndF1(labels, Array.from(trainer.predictClasses(x)));
  assert.ok(result.accuracy >= 0.95, `accuracy ${result.accuracy} after training (before: ${chance.accuracy})`);
  assert.ok(result.f1 >= 0.95, `F1 ${result.f1}`);
  tf.dispose([x, y, ...classifier.trainableVariables]);
});

test('MLM pre-training lowers the masked-token loss on a tiny repetitive corpus', async () => {
  seed(10);
  const rows = Array.from({ length: 64 }, (_, i) => [2, 10 + (i % 5), 20 + (i % 5), 30 + (i % 5), 3, PAD]);
  const encoder = new TransformerEncoder({ ...SMALL, dropout: 0, attentionDropout: 0 });
  const mlm = new MaskedLanguageModel(encoder, tokens(SMALL.vocabularySize), 0.3);
  const x = idsTensor(rows);
  const y = tf.zeros([64]);
  const trainer = new Trainer(mlm, { learningRate: 3e-3 });
  const result = await trainer.fit({ x, y }, { epochs: 30, batchSize: 16, plot: false });
  const first = result.history[0]?.loss as number;
  const last = result.history[result.history.length - 1]?.loss as number;
  assert.ok(last < first / 2, `MLM loss went from ${first} to ${last}`);
  tf.dispose([x, y, ...mlm.trainableVariables]);
});

test("the masked-LM head's log-frequency bias: log((count + 1) / (total + V)) per token, specials skipped; the untrained model then scores at the unigram entropy, far below a zero bias", () => {
  seed(12);
  // token 10 nine times, 11 twice, 12 once; specials (2, 3, 0) never counted
  const rows = [
    [2, 10, 10, 11, 10, 3, PAD],
    [2, 10, 12, 11, 10, 3, PAD],
    [2, 10, 10, 10, 10, 3, PAD],
  ];
  const encoder = new TransformerEncoder(SMALL);
  const mlm = new MaskedLanguageModel(encoder, tokens(SMALL.vocabularySize), 0.5);
  const ids = idsTensor(Array.from({ length: 48 }, (_, i) => rows[i % 3] as number[]));
  const zeroBias = mlm.evaluate(ids, { seed: 3 });
  const entropy = mlm.setOutputBiasToLogFrequencies(rows);
  const counts = new Map([[10, 9], [11, 2], [12, 1]]);
  const total = 12;
  const bias = mlm.outputBias.dataSync();
  for (let id = 0; id < SMALL.vocabularySize; id++) {
    const expected = Math.log(((counts.get(id) ?? 0) + 1) / (total + SMALL.vocabularySize));
    assert.ok(Math.abs((bias[id] as number) - expected) < 1e-6, `bias of token ${id}: ${bias[id]} vs ${expected}`);
  }
  const expectedEntropy = -[...counts.values()].reduce((s, c) => s + (c / total) * Math.log((c + 1) / (total + SMALL.vocabularySize)), 0);
  assert.ok(Math.abs(entropy - expectedEntropy) < 1e-9);
  const logFrequency = mlm.evaluate(ids, { seed: 3 });
  assert.ok(logFrequency.loss < zeroBias.loss - 1, `masked loss ${zeroBias.loss} with a zero bias, ${logFrequency.loss} with log frequencies`);
  assert.ok(Math.abs(logFrequency.loss - entropy) < 1, `an untrained encoder with the bias scores near the unigram entropy ${entropy}: ${logFrequency.loss}`);
  assert.throws(() => mlm.setOutputBiasToLogFrequencies([[2, 3, PAD]]), /no ordinary token/);
  assert.throws(() => mlm.setOutputBiasToLogFrequencies([[2, 40, 3]]), /token id 40 is outside the vocabulary 0..39/);
  tf.dispose([ids, ...mlm.trainableVariables]);
});

test('the encoder has the parameter count of chapter 2 (pooler excluded); bad options are clear errors', () => {
  const options = { vocabularySize: 100, hiddenSize: 32, layers: 3, heads: 4, intermediateSize: 64, maxPositions: 50, typeVocabularySize: 2 };
  const before = tf.memory().numTensors;
  const encoder = new TransformerEncoder(options);
  assert.equal(encoder.countParams(), transformerEncoderParameters({ ...options, pooler: false }).total);
  assert.equal(tf.memory().numTensors - before, encoder.variables.length, 'building an encoder makes its variables and nothing else');
  tf.dispose(encoder.variables);
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => new TransformerEncoder({ ...options, heads: 5 }), /heads \(5\) must divide hiddenSize \(32\)/);
  assert.throws(() => new TransformerEncoder({ ...options, dropout: 1 }), /dropout must be in \[0, 1\)/);
  const small = new TransformerEncoder(SMALL);
  assert.throws(() => small.apply({ inputIds: tf.zeros([1, 30], 'int32') }), /longer than maxPositions 24/);
  assert.throws(() => small.apply({ inputIds: tf.zeros([1, 5]) }), /inputIds must be an int32 tensor/);
  assert.throws(() => new MaskedLanguageModel(small, tokens(41)), /41 tokens but the encoder was built for 40/);
  tf.dispose(small.variables);
});

test('bag-of-words logistic regression learns which words mean positive; accuracy and F1', async () => {
  seed(12);
  // Word 1 means positive, word 2 negative, 3-9 are noise.
  const random = new Random(5);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < 200; i++) {
    const positive = i % 2;
    rows.push([positive ? 1 : 2, 3 + random.int(7), 0]);
    labels.push(positive);
  }
  const model = new BagOfWordsClassifier(10);
  const trainer = new Trainer(model, { learningRate: 0.1 });
  await trainer.fit({ x: idsTensor(rows), y: tf.tensor1d(labels, 'int32') }, { epochs: 20, batchSize: 20, plot: false });
  const w = model.weights.dataSync();
  assert.ok((w[1] as number) > 1 && (w[2] as number) < -1, `weights of the telling words: ${w[1]}, ${w[2]}`);
  assert.equal(w[0], 0, 'the padding word gets no weight');
  const scores = accuracyAndF1([1, 1, 0, 0], [1, 0, 0, 1]);
  assert.deepEqual(scores, { accuracy: 0.5, f1: 0.5, precision: 0.5, recall: 0.5 });
  assert.deepEqual(accuracyAndF1([0, 0], [0, 0]).f1, 0);
  assert.throws(() => accuracyAndF1([1], []), /as many predictions as labels/);
});

test('every Transformer-family model counts its weights with countParams() and frees them with dispose()', () => {
  const before = tf.memory().numTensors;
  const encoder = new TransformerEncoder(SMALL);
  const afterEncoder = tf.memory().numTensors;
  const mlm = new MaskedLanguageModel(encoder, tokens(SMALL.vocabularySize));
  const classifier = new SequenceClassifier(encoder, 2, PAD);
  const bag = new BagOfWordsClassifier(30);
  const series = sequenceTransformer({ length: 5 });
  const sizes = (model: { trainableVariables: { size: number }[] }) => model.trainableVariables.reduce((n, v) => n + v.size, 0);
  assert.equal(encoder.countParams(), encoder.variables.reduce((n, v) => n + v.size, 0));
  for (const model of [encoder, mlm, classifier, bag]) {
    assert.ok(!('parameterCount' in model) && !('parameters' in model), 'one name for the number of weights: countParams()');
  }
  assert.equal(mlm.countParams(), sizes(mlm));
  assert.equal(classifier.countParams(), sizes(classifier));
  assert.equal(classifier.countParams() - encoder.countParams(), 16 * 16 + 16 + 16 * 2 + 2, 'pooler and classifier');
  assert.equal(bag.countParams(), 31);
  assert.equal(series.countParams(), sizes(series));
  // Heads free their own weights and leave the encoder, which other heads may share.
  mlm.dispose();
  classifier.dispose();
  assert.equal(tf.memory().numTensors, afterEncoder + bag.trainableVariables.length + series.trainableVariables.length);
  encoder.dispose();
  bag.dispose();
  series.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensor left');
});

test("chapter 11's Transformer is built from chapter 6's layers: same attention and layer norm", () => {
  seed(3);
  const series = sequenceTransformer({ length: 4, width: 8, hidden: 8 });
  // Rebuilt by hand from the shared layers and its own variables, in the order it lists them.
  const [embed, embedBias, position, query, key, value, mix, up, upBias, down, downBias, head, headBias] = series.trainableVariables as Variable[];
  const linear = (kernel: Variable, bias: Variable | null) => new LinearLayer(kernel.shape[0] as number, kernel.shape[1] as number, { kernel, bias });
  const attention = new MultiHeadSelfAttention(8, 1, 0, { query: linear(query!, null), key: linear(key!, null), value: linear(value!, null), output: linear(mix!, null) });
  const norm = new LayerNorm(8, 1e-5, { learned: false });
  const x = tf.randomNormal([3, 4, 1], 0, 1, 'float32', 1);
  const expected = tf.tidy(() => {
    let h = tf.add(linear(embed!, embedBias!).apply(x), position!);
    h = norm.apply(tf.add(h, attention.apply(h, null, false).output));
    h = norm.apply(tf.add(h, linear(down!, downBias!).apply(tf.relu(linear(up!, upBias!).apply(h)))));
    return linear(head!, headBias!).apply(tf.reshape(tf.slice(h, [0, 3, 0], [-1, 1, -1]), [-1, 8]));
  });
  const got = series.predict(x);
  assert.deepEqual(Array.from(got.dataSync()), Array.from(expected.dataSync()));
  tf.dispose([x, expected, got]);
  series.dispose();
});
