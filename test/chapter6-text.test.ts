// Chapter 6 says what its code does: the claims a close reading found wrong (issue 24) stay fixed. Reads the
// notebook's cells; where a claim is about the library (GELU), checks the library.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { geluTanh, tf } from 'dlkit';
import { repositoryRoot } from './helpers/notebooks';

interface Cell {
  cell_type: string;
  id?: string;
  source: string[] | string;
  metadata?: { tags?: string[] };
}
const cells: Cell[] = JSON.parse(readFileSync(join(repositoryRoot, 'notebooks', '06_nlp_bert.ipynb'), 'utf8')).cells;
const text = (cell: Cell): string => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);
const markdown = cells.filter((c) => c.cell_type === 'markdown').map(text).join('\n');
const code = cells.filter((c) => c.cell_type === 'code').map(text).join('\n');
const everything = `${markdown}\n${code}`;
/** The markdown cell that holds `marker`. */
const markdownWith = (marker: string): string => {
  const cell = cells.find((c) => c.cell_type === 'markdown' && text(c).includes(marker));
  assert.ok(cell, `a markdown cell contains ${JSON.stringify(marker)}`);
  return text(cell);
};
const codeWith = (marker: string): string => {
  const cell = cells.find((c) => c.cell_type === 'code' && text(c).includes(marker));
  assert.ok(cell, `a code cell contains ${JSON.stringify(marker)}`);
  return text(cell);
};

test('no number that a run or chapter 2 produces is typed into the prose', () => {
  assert.doesNotMatch(everything, /over a thousand times/, 'the BERT-base/ours ratio is printed, not typed');
  assert.doesNotMatch(everything, /11 GFLOP/, 'a forward pass is computed from the parameter count');
  assert.doesNotMatch(everything, /40 passes/, "BERT's passes follow from chapter 2's token count");
  assert.doesNotMatch(everything, /\b418\b/, 'the repeated reviews are counted from the loaded corpus');
  assert.match(code, /BERT_TRAINING_TOKENS \//, "the passes over BERT's corpus are computed");
  const flops = codeWith('GFLOP');
  assert.match(flops, /transformerEncoderParameters\(BERT_BASE\)/);
  assert.match(flops, /2 \* multiplyingWeights \* reviewTokens/, '2 FLOPs per weight per token (chapter 2)');
});

test("the article's flow is described as it is: a random head that must be fine-tuned, four bugs", () => {
  const opening = text(cells[0] as Cell);
  assert.doesNotMatch(opening, /three bugs/);
  assert.match(opening, /four bugs/);
  assert.match(opening, /random weights/);
  assert.match(opening, /fine-tuned/);
  const corrected = markdownWith("## The article's code, corrected");
  for (const piece of ['AdamW', 'lr=2e-5', 'get_linear_schedule_with_warmup', 'model.train()', 'model.eval()', 'with torch.no_grad():', 'loss.backward()']) {
    assert.ok(corrected.includes(piece), `the corrected code fine-tunes and evaluates: ${piece}`);
  }
  assert.doesNotMatch(corrected, /told to attend to nothing/, 'an all-zero mask lets attention reach padding');
  assert.match(corrected, /every token attends to every position, \*\*padding included\*\*/);
  assert.match(corrected, /rounded away/);
  assert.doesNotMatch(corrected, /comparing with `\[CLS\]` puts the first token alone in segment 1/, 'fix 3 agrees with fix 2');
  assert.match(corrected, /`torch\.mean` of a boolean tensor raises/);
  assert.match(codeWith('all-zero mask'), /paddingShare\(zeroMaskAttention\) > 0\.05/, 'the cell asserts that the article\'s mask lets attention reach padding');
});

test('fine-tuning: warm-up then linear decay, settings searched on validation per encoder, several seeds, a paired test', () => {
  const library = readFileSync(join(repositoryRoot, 'lib', 'src', 'pretrain', 'fine-tune.ts'), 'utf8');
  assert.match(library, /linearDecay\(/);
  assert.doesNotMatch(library, /cosineDecay\(/, 'BERT fine-tunes with linear decay after warm-up');
  assert.doesNotMatch(markdownWith('## Fine-tuning for sentiment'), /cosine/);
  assert.doesNotMatch(code, /FineTuning(Settings)? = \{ learningRate:/, 'no hard-coded recipe said to be chosen on validation');
  const fineTuning = codeWith('async function fineTuneOn(');
  assert.match(fineTuning, /await fineTune\(/, "dlkit's fineTune");
  assert.match(fineTuning, /searched\.chosen\['pre-trained'\]/);
  assert.match(fineTuning, /searched\.chosen\['from scratch'\]/, 'each encoder its own settings');
  assert.match(markdownWith('## Fine-tuning for sentiment'), /scripts\/chapter6-search\.mjs/, 'the chapter names the search script');
  const script = readFileSync(join(repositoryRoot, 'scripts', 'chapter6-search.mjs'), 'utf8');
  const search = script.slice(0, script.indexOf('async function compare('));
  assert.match(search, /async function search\(/);
  assert.match(search, /validationReviews/);
  assert.doesNotMatch(search, /split\.test/, 'the search never reads the test reviews');
  const seeds = /const SEEDS = \[([^\]]*)\]/.exec(script);
  assert.ok(seeds && (seeds[1] as string).split(',').length >= 3, 'the comparison: at least 3 seeds per arm');
  const record = codeWith('const compared = JSON.parse(');
  assert.match(record, /recordedProtocol\.release !== shipped\.config\.weights\.sha256/, 'a record of another release is refused');
  assert.match(record, /made\.learningRate !== chosen\.learningRate \|\| made\.pooling !== chosen\.pooling/, "a record of other settings than the search's is refused");
  assert.match(record, /checkAgainstRecord\('pre-trained', trainReviews\.length/, 'the chapter repeats a recorded run and compares');
  assert.match(markdownWith('One run per encoder is one draw'), /scripts\/chapter6-search\.mjs --compare/, 'the chapter names the command that made the record');
  const results = codeWith('pairedBootstrap(');
  assert.match(results, /mcnemarTest\(/);
  assert.match(results, /shareRight\(pretrainedCorrect\), shareRight\(scratchCorrect\)/, 'paired on the same test reviews');
  assert.doesNotMatch(results, /fewBert\.accuracy > fewFromScratch\.accuracy/, 'the verdict is not two unpaired accuracies');
});

test('the chapter pre-trains briefly, then loads the shipped release: same tokenizer for both arms, held-out accuracy side by side', () => {
  const load = codeWith("loadPretrained('mini-bert')");
  assert.match(load, /const tokenizer = shipped\.tokenizer;/, 'every model reads the shipped tokenizer');
  assert.match(codeWith('const encoderOptions = {'), /vocabularySize: tokenizer\.vocabularySize/);
  assert.match(codeWith("'from scratch': (): TransformerEncoder =>"), /new TransformerEncoder\(encoderOptions\)/);
  const heldOut = codeWith('shipped.mlm.evaluate(');
  assert.match(heldOut, /mlm\.evaluate\(heldOutIds, \{ seed: recipe\.seed \}\)/, 'the brief run on the same held-out reviews and masks');
  assert.match(heldOut, /heldOutMaskedAccuracy/, "the release's own measurement is printed next to it");
  assert.match(codeWith('const pretrainingSteps ='), /MLM pre-training, the brief run/);
  assert.match(codeWith('function fillIn('), /fillIn\(shipped\.mlm, text\)/, 'the fill-in demo uses the shipped model');
});

test('repeated reviews are counted, and no text is both in training and in validation', () => {
  assert.match(code, /repeatedTexts\(reviews\)/);
  const split = codeWith('const validationReviews =');
  assert.match(split, /const validationReviews = heldOut\.filter\(\(r\) => !trainingTexts\.has\(r\.text\)\)/);
  assert.match(split, /copies of training reviews left out/, 'the cell prints how many');
});

test('GELU: Φ is defined, original BERT and the library both use the tanh approximation', () => {
  const encoder = markdownWith('## The Transformer encoder');
  assert.match(encoder, /\\Phi\(x\) = P\(Z \\le x\)/);
  assert.match(encoder, /cumulative distribution function of a standard normal/);
  assert.match(encoder, /tanh approximation/);
  assert.doesNotMatch(markdown, /BERT uses the exact GELU/);
  assert.doesNotMatch(markdown, /unlike ours/);
  const value = tf.tidy(() => geluTanh(tf.tensor1d([1])).dataSync()[0] as number);
  const tanhForm = 0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (1 + 0.044715)));
  assert.ok(Math.abs(value - tanhForm) < 1e-6, `geluTanh(1) = ${value} is the tanh approximation ${tanhForm}`);
});

test('tokenizer, LayerNorm and bag-of-words text say what the code does', () => {
  const vocabulary = markdownWith('The vocabulary is **learned**');
  assert.match(vocabulary, /byte-pair encoding/, 'merging the most frequent pair is named as BPE’s rule');
  assert.match(vocabulary, /likelihood/, "Google's WordPiece score is named");
  assert.match(vocabulary, /WordPiece trainer runs its BPE trainer/);
  const encoder = markdownWith('## The Transformer encoder');
  assert.match(encoder, /\\gamma/);
  assert.match(encoder, /\\beta/);
  assert.match(markdownWith('## The baseline: a bag of words'), /`maxWords` distinct words/);
  assert.match(codeWith('const maxWords = 400;'), /words\.bag\(r\.text\)\.length > maxWords/, 'the cut bags are counted');
  assert.doesNotMatch(markdown, /While preparing the chapter|in our trials/, 'no claim from runs that are not in the chapter');
});

test('exercise 4 changes one thing, and solutions that print numbers answer their question', () => {
  const solutions = cells.filter((c) => c.metadata?.tags?.includes('solution')).map(text);
  const fourth = solutions.find((s) => s.startsWith('// Exercise 4')) as string;
  assert.doesNotMatch(fourth, /logitsFromHidden\([^)]*onesLike/, 'the pooling keeps the real-token mask');
  assert.match(fourth, /mcnemarTest\(/);
  const second = solutions.find((s) => s.startsWith('// Exercise 2')) as string;
  assert.match(second, /mcnemarTest\(/);
  assert.match(second, /says more/);
});
