// @ts-check
// Chapter 6's fine-tuning experiments that take longer than the chapter should: first the settings, chosen on
// validation data for each encoder separately (the shipped pre-trained mini-BERT and the same encoder from random
// weights), then, with `--compare`, the comparison of the two encoders the chapter reports.
// - The search: every setting of the grid (peak learning rate × pooling) is one fine-tuning run with dlkit's
//   `fineTune`, exactly as the chapter runs it: the chapter's first `LABEL_BUDGET` labelled training reviews, the
//   shipped tokenizer at 128 tokens (start and end of a long review), `EPOCHS` epochs, the first `VALIDATION` of the
//   chapter's validation reviews scored after every epoch (the best epoch's weights kept), seed 62. The test
//   reviews are never read. Writes notebooks/results/06-fine-tuning-search.json.
// - `--compare`: each encoder with its chosen settings, under `SEEDS` at `LABEL_BUDGET` labels and under the first
//   `CURVE_SEEDS` of them at the learning curve's smaller counts (the same steps: fewer reviews are repeated), then
//   on all 22,500 labelled reviews for one epoch (seed 62); every run scored on the chapter's first `COMPARISON`
//   test reviews (nothing is chosen on them). Writes notebooks/results/06-comparison.json with every run's
//   right/wrong answer per review, so that the chapter computes its paired tests from them.
// Both files are rewritten after every run, so an interrupted run of the script leaves the runs it finished, and
// `--compare` run again skips the runs already recorded under the same protocol.
// Usage: node scripts/chapter6-search.mjs [--prepared] [--encoder pre-trained|from-scratch] [--compare]
// (the search: 16 runs of about a minute each on 2 cores; --encoder redoes one encoder's runs and keeps the
// other's; runs recorded under the same protocol are kept, so a grid that grows runs only its new settings.
// --compare: 24 runs, about half an hour)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { buildLibrary, checkBackendVariable, checkNode, ensureDependencies, root } from './setup.mjs';

const LABEL_BUDGET = 2000;
const EPOCHS = 3;
const VALIDATION = 1000;
const SEED = 62;
const MAX_LENGTH = 128;
const LEARNING_RATES = [3e-4, 1e-3, 3e-3, 1e-2];
/** @type {('cls' | 'mean')[]} */
const POOLINGS = ['cls', 'mean'];
// --compare: 63, 64 and 67 seed other cells of the chapter
const SEEDS = [62, 65, 66, 68, 69];
const CURVE_SEEDS = 3;
const CURVE_COUNTS = [100, 500];
const ALL_LABELS = 22_500;
const ALL_EPOCHS = 1;
const COMPARISON = 5000;

checkNode();
if (!process.argv.includes('--prepared')) {
  ensureDependencies();
  buildLibrary();
}
checkBackendVariable();
const require = createRequire(join(root, 'package.json'));
/** @type {typeof import('dlkit')} */
const dlkit = require('dlkit');
const { tf } = dlkit;
await dlkit.initBackend({ workload: 'large-products' });
const started = Date.now();
const split = dlkit.splitReviews(dlkit.loadImdb(), { seed: 6 });
// the chapter's validation reviews: after the shipped encoder's corpus, less copies of its texts
const corpusEnd = dlkit.MINI_BERT_RECIPE.trainReviews;
const corpusTexts = new Set(split.train.slice(0, corpusEnd).map((r) => r.text));
const validationReviews = split.train
  .slice(corpusEnd, corpusEnd + 2500)
  .filter((r) => !corpusTexts.has(r.text))
  .slice(0, VALIDATION);
const trainReviews = split.train.slice(0, LABEL_BUDGET);
const release = dlkit.loadPretrained('mini-bert');
const shippedTokenizer = release.tokenizer;
const releaseHash = release.config.weights.sha256;
const shape = release.config.encoder;
release.mlm.dispose();
release.encoder.dispose();
/** @param {{ text: string; label: number }[]} reviews */
const labelled = (reviews) => ({
  x: dlkit.idsTensor(shippedTokenizer.encodeBatch(reviews.map((r) => r.text), { maxLength: MAX_LENGTH, keepEnd: MAX_LENGTH / 2 }).inputIds),
  y: tf.tensor1d(reviews.map((r) => r.label), 'int32'),
});
const train = labelled(trainReviews);
const validation = labelled(validationReviews);

/** @type {Record<string, () => import('dlkit').TransformerEncoder>} */
const encoders = {
  'pre-trained': () => {
    const shipped = dlkit.loadPretrained('mini-bert', { dropout: 0.1, attentionDropout: 0.1 });
    shipped.mlm.dispose();
    return shipped.encoder;
  },
  'from scratch': () => new dlkit.TransformerEncoder({ ...shape, dropout: 0.1, attentionDropout: 0.1 }),
};
/** The settings search: writes 06-fine-tuning-search.json. */
async function search() {
  const output = join(root, 'notebooks', 'results', '06-fine-tuning-search.json');
  const encoderArgument = process.argv.includes('--encoder') ? process.argv[process.argv.indexOf('--encoder') + 1] : undefined;
  // the command line's spelling (no space) to the encoder's name
  const encoderOption = encoderArgument === 'from-scratch' ? 'from scratch' : encoderArgument;
  if (encoderOption !== undefined && !(encoderOption in encoders)) {
    throw new Error(`chapter6-search: --encoder must be pre-trained or from-scratch, got ${encoderArgument}.`);
  }
  /** @type {{ encoder: string; learningRate: number; pooling: 'cls' | 'mean'; validation: number[]; best: number; bestEpoch: number; seconds: number }[]} */
  const runs = [];
  const protocol = { labelBudget: LABEL_BUDGET, epochs: EPOCHS, validationReviews: validationReviews.length, seed: SEED, maxLength: MAX_LENGTH, batchSize: 32, learningRates: LEARNING_RATES, poolings: POOLINGS };
  /** @param {Record<string, unknown>} p the protocol without its grid */
  const withoutGrid = (p) => JSON.stringify({ ...p, learningRates: undefined, poolings: undefined });
  if (existsSync(output)) {
    // the runs of the same protocol are kept (a grid that grew runs only its new settings), except --encoder's
    const previous = JSON.parse(readFileSync(output, 'utf8'));
    if (withoutGrid(previous.protocol) === withoutGrid(protocol)) {
      runs.push(...previous.runs.filter((/** @type {{ encoder: string; learningRate: number; pooling: 'cls' | 'mean' }} */ r) => r.encoder !== encoderOption && LEARNING_RATES.includes(r.learningRate) && POOLINGS.includes(r.pooling)));
      if (runs.length > 0) console.log(`${output}: ${runs.length} runs of the same protocol recorded; they are kept`);
    }
  }
  const previousSeconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  const searchStarted = Date.now();
  /** @type {Record<string, { learningRate: number; pooling: string; validationAccuracy: number }>} */
  const chosen = {};
  mkdirSync(join(root, 'notebooks', 'results'), { recursive: true });
  const names = Object.keys(encoders);
  const order = (/** @type {{ encoder: string; learningRate: number; pooling: 'cls' | 'mean' }} */ r) => [names.indexOf(r.encoder), LEARNING_RATES.indexOf(r.learningRate), POOLINGS.indexOf(r.pooling)];
  const save = () => {
    runs.sort((a, b) => {
      const [x, y] = [order(a), order(b)];
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
    });
    writeFileSync(
      output,
      `${JSON.stringify({ command: 'node scripts/chapter6-search.mjs', protocol, chosen, runs, seconds: previousSeconds + (Date.now() - searchStarted) / 1000 }, null, 1)}\n`,
    );
  };
  for (const [name, make] of Object.entries(encoders)) {
    for (const learningRate of LEARNING_RATES) {
      for (const pooling of POOLINGS) {
        if (runs.some((r) => r.encoder === name && r.learningRate === learningRate && r.pooling === pooling)) continue;
        const t0 = Date.now();
        // the encoder and the head get their random weights after the seed, as in the chapter
        dlkit.seed(SEED);
        const run = await dlkit.fineTune(make(), { train, validation, epochs: EPOCHS, padId: shippedTokenizer.padId, learningRate, pooling });
        const accuracy = Math.max(...run.validation);
        runs.push({ encoder: name, learningRate, pooling, validation: run.validation, best: accuracy, bestEpoch: run.bestEpoch, seconds: (Date.now() - t0) / 1000 });
        console.log(`${name}, learning rate ${learningRate}, ${pooling}: validation ${run.validation.map((v) => v.toFixed(3)).join(' → ')} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
        run.dispose();
        save();
      }
    }
    // the best validation accuracy of the encoder's grid; the first in grid order on a tie
    for (const r of runs.filter((run) => run.encoder === name)) {
      if (chosen[name] === undefined || r.best > chosen[name].validationAccuracy) chosen[name] = { learningRate: r.learningRate, pooling: r.pooling, validationAccuracy: r.best };
    }
    save();
  }
  console.log(`chosen: ${JSON.stringify(chosen)}; written to ${output}`);
}

/** The comparison at the chosen settings: writes 06-comparison.json (see the header). */
async function compare() {
  const searchFile = join(root, 'notebooks', 'results', '06-fine-tuning-search.json');
  if (!existsSync(searchFile)) throw new Error(`chapter6-search --compare: ${searchFile} is missing; run node scripts/chapter6-search.mjs first.`);
  /** @type {{ chosen: Record<string, { learningRate: number; pooling: 'cls' | 'mean' }> }} */
  const searched = JSON.parse(readFileSync(searchFile, 'utf8'));
  const settings = Object.fromEntries(
    Object.keys(encoders).map((name) => {
      const choice = searched.chosen[name];
      if (choice === undefined) throw new Error(`chapter6-search --compare: the search chose nothing for ${name}; run the search first.`);
      return [name, { learningRate: choice.learningRate, pooling: choice.pooling }];
    }),
  );
  const protocol = {
    labelBudget: LABEL_BUDGET, epochs: EPOCHS, validationReviews: validationReviews.length, seeds: SEEDS,
    curveSeeds: CURVE_SEEDS, curveCounts: CURVE_COUNTS, allLabels: ALL_LABELS, allEpochs: ALL_EPOCHS,
    comparisonReviews: COMPARISON, maxLength: MAX_LENGTH, settings, release: releaseHash,
  };
  const output = join(root, 'notebooks', 'results', '06-comparison.json');
  /** @type {{ encoder: string; labels: number; seed: number; epochs: number; steps: number; validation: number[]; bestEpoch: number; accuracy: number; correct: string; seconds: number }[]} */
  const runs = [];
  let previousSeconds = 0;
  if (existsSync(output)) {
    const previous = JSON.parse(readFileSync(output, 'utf8'));
    if (JSON.stringify(previous.protocol) === JSON.stringify(protocol)) {
      runs.push(...previous.runs);
      previousSeconds = previous.seconds;
      console.log(`${output}: ${runs.length} runs of the same protocol recorded; they are kept`);
    }
  }
  const allTrain = labelled(split.train.slice(0, ALL_LABELS));
  const test = labelled(split.test.slice(0, COMPARISON));
  const truth = Array.from(test.y.dataSync());
  const save = () =>
    writeFileSync(
      output,
      `${JSON.stringify({ command: 'node scripts/chapter6-search.mjs --compare', protocol, backend: tf.getBackend(), date: new Date().toISOString().slice(0, 10), runs, seconds: previousSeconds + (Date.now() - started) / 1000 }, null, 1)}\n`,
    );
  /** @type {[number, number[], number][]} label count, seeds, epochs */
  const plan = [
    [LABEL_BUDGET, SEEDS, EPOCHS],
    ...CURVE_COUNTS.map((count) => /** @type {[number, number[], number]} */ ([count, SEEDS.slice(0, CURVE_SEEDS), EPOCHS])),
    [ALL_LABELS, SEEDS.slice(0, 1), ALL_EPOCHS],
  ];
  for (const [labels, seeds, epochs] of plan) {
    for (const runSeed of seeds) {
      for (const [name, make] of Object.entries(encoders)) {
        if (runs.some((r) => r.encoder === name && r.labels === labels && r.seed === runSeed)) continue;
        const t0 = Date.now();
        // as the chapter's fineTuneOn: the seed, then the encoder, then the run on the first `labels` reviews
        dlkit.seed(runSeed);
        const trainPart = { x: allTrain.x.slice(0, labels), y: allTrain.y.slice(0, labels) };
        const run = await dlkit.fineTune(make(), {
          ...settings[name], train: trainPart, validation, epochs, padId: shippedTokenizer.padId, rowsPerEpoch: Math.max(labels, LABEL_BUDGET),
        });
        tf.dispose([trainPart.x, trainPart.y]);
        const predicted = run.trainer.predictClasses(test.x, { batchSize: 128 });
        const correct = truth.map((label, i) => (predicted[i] === label ? '1' : '0')).join('');
        const accuracy = [...correct].filter((c) => c === '1').length / truth.length;
        runs.push({ encoder: name, labels, seed: runSeed, epochs, steps: run.steps, validation: run.validation, bestEpoch: run.bestEpoch, accuracy, correct, seconds: (Date.now() - t0) / 1000 });
        run.dispose();
        save();
        console.log(`${name}, ${labels} labels, seed ${runSeed}: validation ${run.validation.map((v) => v.toFixed(3)).join(' → ')}, test ${(100 * accuracy).toFixed(1)}% (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      }
    }
  }
  tf.dispose([allTrain.x, allTrain.y, test.x, test.y]);
  console.log(`${runs.length} runs written to ${output}`);
}

if (process.argv.includes('--compare')) await compare();
else await search();
tf.dispose([train.x, train.y, validation.x, validation.y]);
