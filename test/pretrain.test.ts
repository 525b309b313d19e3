/**
 * Pre-training that resumes and a release that loads (chapter 6): float16
 * weights round-trip, `loadPretrained` restores what `savePretrained` wrote and
 * refuses a damaged release with an error naming the command that remakes it,
 * and a run stopped after a checkpoint and resumed ends with the same weights
 * as an uninterrupted one.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MaskedLanguageModel,
  PRETRAINED_VERSION,
  Random,
  TransformerEncoder,
  WordPieceTokenizer,
  fromFloat16,
  imdbPretrainingTexts,
  initBackend,
  loadImdb,
  loadPretrained,
  namedWeights,
  pretrain,
  MINI_BERT_RECIPE,
  savePretrained,
  seed,
  splitReviews,
  tf,
  toFloat16,
  type PretrainingRecipe,
} from 'dlkit';

before(async () => {
  await initBackend({ quiet: true });
});

/** Sentences from a tiny grammar: the masked words are guessable from their neighbours. */
function sentences(count: number, seedValue: number): string[] {
  const random = new Random(seedValue);
  const pick = (words: string[]) => words[random.int(words.length)] as string;
  return Array.from({ length: count }, () =>
    [pick(['the', 'a']), pick(['good', 'bad', 'long']), pick(['film', 'movie', 'story']), pick(['was', 'is']), pick(['great', 'awful', 'fine']), '.'].join(' '),
  );
}

const TINY: PretrainingRecipe = {
  name: 'tiny-test',
  splitSeed: 6,
  trainReviews: 120,
  heldOutReviews: 20,
  vocabularySize: 40,
  maxLength: 12,
  hiddenSize: 16,
  layers: 1,
  heads: 2,
  intermediateSize: 32,
  dropout: 0.1,
  maskProbability: 0.15,
  batchSize: 16,
  learningRate: 3e-3,
  warmupFraction: 0.1,
  epochs: 3,
  clipNorm: 1,
  outputBias: 'log-frequency',
  seed: 11,
};
const TEXTS = { train: sentences(120, 1), heldOut: sentences(20, 2) };

function temporaryFolder(): string {
  return fs.mkdtempSync(join(tmpdir(), 'dlkit-pretrain-'));
}

test('float16: exact for representable values, nearest for the others, and float32 again on the way back', () => {
  const exact = [0, -0, 1, -2, 0.5, 65504, 2 ** -14, 2 ** -24, 3 * 2 ** -24, 1 + 2 ** -10, Infinity, -Infinity];
  assert.deepEqual(Array.from(fromFloat16(toFloat16(exact))), exact);
  assert.ok(Number.isNaN(fromFloat16(toFloat16([Number.NaN]))[0]));
  assert.equal(fromFloat16(toFloat16([1e6]))[0], Infinity, 'too large');
  assert.equal(fromFloat16(toFloat16([2 ** -26]))[0], 0, 'too small');
  // Ties go to the even neighbour: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10.
  assert.equal(fromFloat16(toFloat16([1 + 2 ** -11]))[0], 1);
  assert.equal(fromFloat16(toFloat16([1 + 3 * 2 ** -11]))[0], 1 + 2 ** -9);
  const random = new Random(3);
  const values = Float32Array.from({ length: 10_000 }, () => (random.next() - 0.5) * 2 ** (random.int(20) - 10));
  const back = fromFloat16(toFloat16(values));
  values.forEach((v, i) => assert.ok(Math.abs((back[i] as number) - v) <= Math.abs(v) * 2 ** -11 + 2 ** -25, `${v} came back as ${back[i]}`));
  assert.deepEqual(fromFloat16(toFloat16(back)), back, 'a second round trip changes nothing');
});

function tinyModel(): MaskedLanguageModel {
  seed(5);
  const tokenizer = WordPieceTokenizer.train(TEXTS.train, { vocabularySize: 40 });
  const encoder = new TransformerEncoder({ vocabularySize: tokenizer.vocabularySize, hiddenSize: 16, layers: 2, heads: 2, intermediateSize: 32, maxPositions: 12 });
  return new MaskedLanguageModel(encoder, tokenizer);
}

test('savePretrained then loadPretrained gives back every weight (as float16 rounds it), the vocabulary and the config', () => {
  const before = tf.memory().numTensors;
  const mlm = tinyModel();
  const tokenizer = mlm.tokens as WordPieceTokenizer;
  const folder = join(temporaryFolder(), 'tiny');
  const config = savePretrained(folder, { name: 'tiny', mlm, tokenizer, recipe: { any: 'thing' }, log: [{ epoch: 1 }], summary: { steps: 3 } });
  const loaded = loadPretrained('tiny', { directory: folder });
  assert.deepEqual(loaded.tokenizer.vocabulary, tokenizer.vocabulary);
  assert.deepEqual(loaded.encoder.config, mlm.encoder.config);
  assert.equal(loaded.config.weights.sha256, config.weights.sha256);
  assert.match(config.weights.sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(JSON.parse(fs.readFileSync(join(folder, 'recipe.json'), 'utf8')), { any: 'thing' });
  const original = namedWeights(mlm);
  const restored = namedWeights(loaded.mlm);
  assert.equal(restored.length, original.length);
  assert.equal(fs.statSync(join(folder, 'weights.bin')).size, 2 * mlm.countParams(), 'two bytes a weight');
  original.forEach(([name, variable], i) => {
    const [restoredName, restoredVariable] = restored[i] as [string, typeof variable];
    assert.equal(restoredName, name);
    assert.equal(restoredVariable.dtype, 'float32');
    assert.deepEqual(Array.from(restoredVariable.dataSync()), Array.from(fromFloat16(toFloat16(variable.dataSync()))), name);
  });
  // The loaded model predicts as the original does, within float16's rounding.
  const ids = tf.tensor2d([[2, 7, 9, 11, 3, 0]], undefined, 'int32');
  const [a, b] = [mlm, loaded.mlm].map((m) => tf.tidy(() => m.logits(m.encoder.apply({ inputIds: ids }).hidden.reshape([6, 16])).dataSync()));
  a!.forEach((v, i) => assert.ok(Math.abs(v - (b![i] as number)) < 2e-2, `logit ${i}: ${v} vs ${b![i]}`));
  ids.dispose();
  for (const m of [mlm, loaded.mlm]) {
    m.dispose();
    m.encoder.dispose();
  }
  assert.equal(tf.memory().numTensors, before, 'no tensor left');
});

test('a damaged release is a clear error naming `npm run pretrain`: checksum, missing file, truncated file, wrong version', () => {
  const mlm = tinyModel();
  const base = temporaryFolder();
  const fresh = (name: string) => {
    const folder = join(base, name);
    savePretrained(folder, { name, mlm, tokenizer: mlm.tokens as WordPieceTokenizer, recipe: {}, log: [], summary: {} });
    return folder;
  };
  const before = tf.memory().numTensors;
  const load = (folder: string) => () => loadPretrained('tiny', { directory: folder });
  let folder = fresh('flipped');
  const bytes = fs.readFileSync(join(folder, 'weights.bin'));
  bytes[10] = (bytes[10] as number) ^ 0xff;
  fs.writeFileSync(join(folder, 'weights.bin'), bytes);
  assert.throws(load(folder), /weights\.bin does not match its SHA-256.*npm run pretrain/);
  folder = fresh('vocabulary');
  fs.appendFileSync(join(folder, 'vocab.txt'), 'extra\n');
  assert.throws(load(folder), /vocab\.txt does not match its SHA-256.*npm run pretrain/);
  folder = fresh('missing');
  fs.rmSync(join(folder, 'vocab.txt'));
  assert.throws(load(folder), /vocab\.txt is missing.*npm run pretrain/);
  folder = fresh('truncated');
  fs.truncateSync(join(folder, 'weights.bin'), 100);
  assert.throws(load(folder), /weights\.bin has 100 bytes, config\.json says \d+ \(truncated\?\).*npm run pretrain/);
  folder = fresh('version');
  const config = JSON.parse(fs.readFileSync(join(folder, 'config.json'), 'utf8'));
  fs.writeFileSync(join(folder, 'config.json'), JSON.stringify({ ...config, version: PRETRAINED_VERSION + 1 }));
  assert.throws(load(folder), new RegExp(`format version ${PRETRAINED_VERSION + 1}, but this dlkit reads version ${PRETRAINED_VERSION}.*npm run pretrain`));
  folder = fresh('cut-config');
  fs.writeFileSync(join(folder, 'config.json'), fs.readFileSync(join(folder, 'config.json'), 'utf8').slice(0, 50));
  assert.throws(load(folder), /config\.json is not valid JSON.*npm run pretrain/);
  assert.throws(load(join(base, 'nowhere')), /there is no release folder.*npm run pretrain/);
  assert.throws(() => loadPretrained('Not A Name'), /lower-case letters/);
  assert.equal(tf.memory().numTensors, before, 'a failed load leaves no tensor');
  fs.writeFileSync(join(base, 'flipped', 'notes.txt'), 'mine');
  assert.throws(() => savePretrained(join(base, 'flipped'), { name: 'x', mlm, tokenizer: mlm.tokens as WordPieceTokenizer, recipe: {}, log: [], summary: {} }), /not part of a release \(notes\.txt\)/);
  mlm.dispose();
  mlm.encoder.dispose();
});

test('a run stopped after its first pass and resumed ends with the weights of an uninterrupted run (within 1e-5)', async () => {
  const before = tf.memory().numTensors;
  const whole = await pretrain(TINY, { runDirectory: temporaryFolder(), texts: TEXTS, log: false });
  assert.equal(whole.finished, true);
  assert.equal(whole.history.length, 3);
  const accuracy = whole.history.map((h) => h['heldOutMaskedAccuracy'] as number);
  assert.ok(accuracy.every((a) => a >= 0 && a <= 1), `held-out masked accuracy is logged: ${accuracy}`);
  const runDirectory = temporaryFolder();
  const releaseDirectory = join(temporaryFolder(), 'tiny-test');
  const first = await pretrain(TINY, { runDirectory, releaseDirectory, texts: TEXTS, log: false, stopAfterEpochs: 1 });
  assert.equal(first.finished, false);
  assert.equal(fs.existsSync(releaseDirectory), false, 'no release before the last pass');
  first.mlm.dispose();
  first.mlm.encoder.dispose();
  seed(999); // whatever happened in between
  const rest = await pretrain(TINY, { runDirectory, releaseDirectory, texts: TEXTS, log: false });
  assert.equal(rest.finished, true);
  // Equal up to float rounding, not byte for byte: tfjs' Adam.setWeights recomputes its running β^t as a power,
  // which can differ from the running product in the last bit.
  assert.equal(rest.history.length, whole.history.length);
  rest.history.forEach((h, i) => {
    for (const key of ['loss', 'maskedAccuracy', 'heldOutLoss', 'heldOutMaskedAccuracy', 'learningRate', 'step', 'tokens']) {
      const [a, b] = [h[key] as number, whole.history[i]![key] as number];
      assert.ok(Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b)), `pass ${i + 1} ${key}: resumed ${a}, uninterrupted ${b}`);
    }
  });
  const weights = (r: typeof whole) => r.mlm.trainableVariables.map((v) => v.dataSync());
  const [resumed, straight] = [weights(rest), weights(whole)];
  let largest = 0;
  straight.forEach((w, i) => w.forEach((v, j) => (largest = Math.max(largest, Math.abs(v - (resumed[i]![j] as number))))));
  assert.ok(largest < 1e-5, `largest difference of a weight: ${largest}`);
  // The release holds those weights, and loads.
  const loaded = loadPretrained('tiny-test', { directory: releaseDirectory });
  assert.equal(loaded.config.summary['steps'], whole.history[2]!['step']);
  assert.deepEqual(JSON.parse(fs.readFileSync(join(releaseDirectory, 'recipe.json'), 'utf8')), TINY);
  assert.equal(JSON.parse(fs.readFileSync(join(releaseDirectory, 'training-log.json'), 'utf8')).length, 3);
  for (const m of [whole.mlm, rest.mlm, loaded.mlm]) {
    m.dispose();
    m.encoder.dispose();
  }
  await assert.rejects(pretrain({ ...TINY, batchSize: 8 }, { runDirectory, texts: TEXTS, log: false }), /holds a run of another recipe/);
  assert.equal(tf.memory().numTensors, before, 'no tensor left');
});

test('a run killed (SIGKILL) in its second pass resumes from its checkpoint and ends as an uninterrupted run does (within 1e-5)', async () => {
  const runDirectory = temporaryFolder();
  const job = join(temporaryFolder(), 'job.json');
  fs.writeFileSync(job, JSON.stringify({ recipe: TINY, texts: TEXTS, runDirectory }));
  const script = `const fs = require('fs'); const d = require(${JSON.stringify(require.resolve('dlkit'))});
    (async () => { await d.initBackend({ quiet: true }); const j = JSON.parse(fs.readFileSync(process.argv[1], 'utf8'));
    await d.pretrain(j.recipe, { runDirectory: j.runDirectory, texts: j.texts, log: false }); })();`;
  const child = spawn(process.execPath, ['-e', script, job], { stdio: 'ignore' });
  let exited = false;
  child.on('exit', () => (exited = true));
  const checkpoint = join(runDirectory, 'checkpoint', 'checkpoint.json');
  const began = Date.now();
  while (!fs.existsSync(checkpoint) && !exited && Date.now() - began < 120_000) await new Promise((r) => setTimeout(r, 50));
  // Killed as soon as the first pass is saved: in the second pass (on an idle machine a fixed delay
  // here let the child finish the second pass as well).
  assert.equal(exited, false, 'the child was still training when it was killed');
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const saved = JSON.parse(fs.readFileSync(checkpoint, 'utf8'));
  assert.ok(saved.state.epoch >= 1 && saved.state.epoch < TINY.epochs, `killed before the last pass (checkpoint after pass ${saved.state.epoch} of ${TINY.epochs})`);
  const resumed = await pretrain(TINY, { runDirectory, texts: TEXTS, log: false });
  const whole = await pretrain(TINY, { runDirectory: temporaryFolder(), texts: TEXTS, log: false });
  assert.equal(resumed.finished, true);
  let largest = 0;
  const straight = whole.mlm.trainableVariables.map((v) => v.dataSync());
  resumed.mlm.trainableVariables.forEach((v, i) => v.dataSync().forEach((x, j) => (largest = Math.max(largest, Math.abs(x - (straight[i]![j] as number))))));
  assert.ok(largest < 1e-5, `largest difference of a weight: ${largest}`);
  for (const m of [whole.mlm, resumed.mlm]) {
    m.dispose();
    m.encoder.dispose();
  }
});

test("the book's recipe reads the chapter's 22,500 training reviews and holds out 500 others; no test review, no repeat", () => {
  const texts = imdbPretrainingTexts(MINI_BERT_RECIPE);
  const { train, test: testReviews } = splitReviews(loadImdb(), { seed: MINI_BERT_RECIPE.splitSeed });
  assert.deepEqual(texts.train, train.slice(0, 22_500).map((r) => r.text), "the chapter's training reviews, in its order");
  assert.equal(texts.heldOut.length, 500);
  const corpus = new Set(texts.train);
  const tested = new Set(testReviews.map((r) => r.text));
  assert.equal(texts.heldOut.filter((t) => corpus.has(t)).length, 0, 'no held-out text is in the corpus');
  assert.equal([...texts.train, ...texts.heldOut].filter((t) => tested.has(t)).length, 0, 'no test review is read');
});
