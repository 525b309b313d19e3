// @ts-check
// `npm run pretrain`: pre-trains chapter 6's mini-BERT with masked-language
// modelling on the chapter's training reviews and writes the release
// datasets/pretrained/mini-bert/ (weights, vocabulary, config with SHA-256,
// recipe, training log). The run keeps its checkpoint in a folder outside the
// repository (default ~/.cache/dlkit-pretrain/mini-bert), saved after every
// pass over the corpus; running the command again resumes from it, so a run
// that is stopped or killed loses at most one pass and ends with the same
// weights as one that never stopped.
// Options: --run DIR (the run folder), --release DIR (default
// datasets/pretrained/NAME), --fresh (start over: refuses if DIR holds a run,
// delete it yourself), --prepared (do not rebuild lib first).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fail, root, startCommandLine } from './setup.mjs';

const { flag, option, dlkit } = startCommandLine('pretrain', { flags: ['--fresh'], valued: ['--run', '--release'] });
const recipe = dlkit.MINI_BERT_RECIPE;
const runDirectory = option('--run') ?? join(homedir(), '.cache', 'dlkit-pretrain', recipe.name);
const releaseDirectory = option('--release') ?? join(root, 'datasets', 'pretrained', recipe.name);
if (flag('--fresh') && existsSync(join(runDirectory, 'recipe.json'))) {
  fail(`pretrain: --fresh, but ${runDirectory} holds a run; delete that folder first, or leave out --fresh to resume it.`);
}
// a Transformer's large matrix products: TensorFlow may use every core inside one operation
const backend = await dlkit.initBackend({ workload: 'large-products' });
console.log(`pretrain: backend ${backend.name}; run folder ${runDirectory}; release ${releaseDirectory}`);
const result = await dlkit.pretrain(recipe, { runDirectory, releaseDirectory });
result.mlm.dispose();
result.mlm.encoder.dispose();
if (!result.finished) {
  console.log(`pretrain: stopped after pass ${result.epochs} of ${recipe.epochs}; run \`npm run pretrain\` again to resume.`);
  process.exitCode = 1;
}
