// @ts-check
// Chooses chapter 6's fine-tuning settings on validation data, for each encoder separately: the
// shipped pre-trained mini-BERT and the same encoder from random weights. Every setting of the grid
// (peak learning rate × pooling) is one fine-tuning run with dlkit's `fineTune`, exactly as the
// chapter runs it: the chapter's first `LABEL_BUDGET` labelled training reviews, the shipped
// tokenizer at 128 tokens (start and end of a long review), `EPOCHS` epochs, the first
// `VALIDATION` of the chapter's validation reviews scored after every epoch (the best epoch's
// weights kept), seed 62. The test reviews are never read. Writes
// notebooks/results/06-fine-tuning-search.json, which the chapter reads and shows; it is rewritten
// after every run, so an interrupted search leaves the runs it finished.
// Usage: node scripts/chapter6-search.mjs [--prepared] [--encoder pre-trained|from-scratch]
// (12 runs, minutes each on 2 cores; --encoder redoes one encoder's runs and keeps the other's)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { buildLibrary, checkBackendVariable, checkNode, ensureDependencies, root } from './setup.mjs';

const LABEL_BUDGET = 2000;
const EPOCHS = 3;
const VALIDATION = 1000;
const SEED = 62;
const MAX_LENGTH = 128;
const LEARNING_RATES = [3e-4, 1e-3, 3e-3];
/** @type {('cls' | 'mean')[]} */
const POOLINGS = ['cls', 'mean'];

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
const output = join(root, 'notebooks', 'results', '06-fine-tuning-search.json');
const encoderArgument = process.argv.includes('--encoder') ? process.argv[process.argv.indexOf('--encoder') + 1] : undefined;
// the command line's spelling (no space) to the encoder's name
const encoderOption = encoderArgument === 'from-scratch' ? 'from scratch' : encoderArgument;
if (encoderOption !== undefined && !(encoderOption in encoders)) {
  throw new Error(`chapter6-search: --encoder must be pre-trained or from-scratch, got ${encoderArgument}.`);
}
/** @type {{ encoder: string; learningRate: number; pooling: string; validation: number[]; best: number; bestEpoch: number; seconds: number }[]} */
const runs = [];
/** @type {Record<string, { learningRate: number; pooling: string; validationAccuracy: number }>} */
const chosen = {};
let previousSeconds = 0;
if (encoderOption !== undefined && existsSync(output)) {
  // keep the other encoder's runs and choice
  const previous = JSON.parse(readFileSync(output, 'utf8'));
  previousSeconds = previous.runs
    .filter((/** @type {{ encoder: string }} */ r) => r.encoder !== encoderOption)
    .reduce((/** @type {number} */ sum, /** @type {{ seconds: number }} */ r) => sum + r.seconds, 0);
  runs.push(...previous.runs.filter((/** @type {{ encoder: string }} */ r) => r.encoder !== encoderOption));
  for (const [name, choice] of Object.entries(previous.chosen)) if (name !== encoderOption) chosen[name] = /** @type {any} */ (choice);
}
mkdirSync(join(root, 'notebooks', 'results'), { recursive: true });
const save = () =>
  writeFileSync(
    output,
    `${JSON.stringify(
      {
        command: 'node scripts/chapter6-search.mjs',
        protocol: { labelBudget: LABEL_BUDGET, epochs: EPOCHS, validationReviews: validationReviews.length, seed: SEED, maxLength: MAX_LENGTH, batchSize: 32, learningRates: LEARNING_RATES, poolings: POOLINGS },
        chosen,
        runs,
        seconds: previousSeconds + (Date.now() - started) / 1000,
      },
      null,
      1,
    )}\n`,
  );
for (const [name, make] of Object.entries(encoders)) {
  if (encoderOption !== undefined && name !== encoderOption) continue;
  // the encoder and the head get their random weights after the seed, as in the chapter
  /** @type {{ learningRate: number; pooling: string; validationAccuracy: number } | undefined} */
  let best;
  for (const learningRate of LEARNING_RATES) {
    for (const pooling of POOLINGS) {
      const t0 = Date.now();
      dlkit.seed(SEED);
      const run = await dlkit.fineTune(make(), { train, validation, epochs: EPOCHS, padId: shippedTokenizer.padId, learningRate, pooling });
      const accuracy = Math.max(...run.validation);
      runs.push({ encoder: name, learningRate, pooling, validation: run.validation, best: accuracy, bestEpoch: run.bestEpoch, seconds: (Date.now() - t0) / 1000 });
      console.log(`${name}, learning rate ${learningRate}, ${pooling}: validation ${run.validation.map((v) => v.toFixed(3)).join(' → ')} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      run.dispose();
      if (best === undefined || accuracy > best.validationAccuracy) best = { learningRate, pooling, validationAccuracy: accuracy };
      chosen[name] = best;
      save();
    }
  }
}
tf.dispose([train.x, train.y, validation.x, validation.y]);
console.log(`chosen: ${JSON.stringify(chosen)}; written to ${output}`);
