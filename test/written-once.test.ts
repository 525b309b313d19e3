// What the library writes once (issue 25, "written once"): one positive-integer validator, one
// cross-entropy from logits, one set of summary statistics, one precision convention (scikit-learn's:
// 0 with a warning when nothing is predicted positive), so every caller answers the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  tf, seed, accuracyAndF1, metricsAtThreshold, mlp, GPT, sparseCategoricalCrossentropy, summaryStatistics,
  summariseReturns, describeColumns, MixtureOfExpertsClassifier, ReplayBuffer, walkForwardFolds,
} from 'dlkit';
import * as danfo from 'danfojs-node';
import { repositoryRoot } from './helpers/notebooks';

const SOURCE = join(repositoryRoot, 'lib', 'src');

function sourceFiles(folder = SOURCE): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function withWarnings<T>(run: () => T): { value: T; warnings: string[] } {
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (message: string) => warnings.push(String(message));
  try {
    return { value: run(), warnings };
  } finally {
    console.warn = warn;
  }
}

test('one positive-integer validator: util/validate.ts alone writes the message, and every caller words it alike', () => {
  const inline = sourceFiles()
    .filter((file) => /must be (a positive integer|positive integers)/.test(readFileSync(file, 'utf8')))
    .map((file) => relative(SOURCE, file));
  assert.deepEqual(inline, ['util/validate.ts'], 'the message is written in one place');
  const validators = sourceFiles().filter((file) => /function checkPositiveIntegers\b/.test(readFileSync(file, 'utf8')));
  assert.deepEqual(validators.map((file) => relative(SOURCE, file)), ['util/validate.ts']);
  assert.throws(() => mlp({ inputShape: [4], hidden: [8, 2.5], outputs: 2 }), /^Error: mlp: hidden\[1\] must be a positive integer, got 2\.5\.$/);
  assert.throws(() => new ReplayBuffer({ capacity: 10, observationSize: 0 }), /^Error: ReplayBuffer: observationSize must be a positive integer, got 0\.$/);
  assert.throws(() => walkForwardFolds(100, { initialTrain: -1, testSize: 5 }), /^Error: walkForwardFolds: initialTrain must be a positive integer, got -1\.$/);
  assert.throws(
    () => new MixtureOfExpertsClassifier({ inputs: 4, outputs: 4, experts: 2, expertHidden: 4, topK: 1, classes: 0 }),
    /^Error: MixtureOfExpertsClassifier: classes must be a positive integer, got 0\.$/,
  );
});

test('one cross-entropy from logits: the Trainer\'s loss and the GPT\'s are the same number, bit for bit', () => {
  seed(25);
  const gpt = new GPT({ vocabularySize: 11, hiddenSize: 8, layers: 1, heads: 2, contextLength: 6 });
  const before = tf.memory().numTensors;
  const x = tf.tensor2d([[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]], undefined, 'int32');
  const y = tf.tensor2d([[2, 3, 4, 5, 6, 7], [5, 4, 3, 2, 1, 0]], undefined, 'int32');
  const [ours, trainer] = tf.tidy(() => {
    const logits = gpt.logits(x).reshape([-1, 11]);
    return [gpt.loss({ x, y }, false).dataSync()[0], sparseCategoricalCrossentropy(true)(y.flatten(), logits).dataSync()[0]];
  });
  assert.equal(trainer, ours);
  tf.dispose([x, y]);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  gpt.dispose();
  const copies = sourceFiles()
    .filter((file) => /logSoftmax\([^)]*\)[^;]*oneHot|softmaxCrossEntropy\(\s*tf\.oneHot/.test(readFileSync(file, 'utf8')))
    .map((file) => relative(SOURCE, file));
  assert.deepEqual(copies, ['util/cross-entropy.ts'], 'the sparse cross-entropy is written in one place');
});

test('one sample standard deviation: chapter 1\'s statistics, the column summary and chapter 9\'s returns agree', () => {
  const values = [0.1, 0.7, 0.2, 0.9, 0.35, 0.6, 0.15];
  const frame = new danfo.DataFrame({ v: values });
  const column = describeColumns(frame)[0];
  const returns = summariseReturns(values);
  const sample = summaryStatistics(values);
  assert.equal(column?.std, sample.std);
  assert.equal(returns.std, sample.std);
  assert.equal(column?.mean, sample.mean);
  assert.equal(column?.median, 0.35);
  // numpy: np.std([...], ddof=1)
  assert.ok(Math.abs(sample.std - 0.30802751886958474) < 1e-15);
});

test('one precision convention: nothing predicted positive gives 0 with a warning, as scikit-learn does', () => {
  const flagged = withWarnings(() => metricsAtThreshold([0, 1, 1], [0.1, 0.2, 0.3], 0.9));
  assert.equal(flagged.value.precision, 0);
  assert.match(flagged.warnings.join('\n'), /metricsAtThreshold: precision is undefined when nothing is predicted positive/);
  const scored = withWarnings(() => accuracyAndF1([0, 1, 1], [0, 0, 0]));
  assert.equal(scored.value.precision, 0);
  assert.equal(scored.value.f1, 0);
  assert.match(scored.warnings.join('\n'), /accuracyAndF1: precision is undefined/);
  const quiet = withWarnings(() => metricsAtThreshold([0, 1, 1], [0.1, 0.2, 0.3], 0.2));
  assert.equal(quiet.value.precision, 1);
  assert.deepEqual(quiet.warnings, [], 'no warning when something is flagged');
});
