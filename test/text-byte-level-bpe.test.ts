// Chapter 13's byte-level BPE tokenizer against GPT-2: the ids Hugging Face's tokenizers and a copy
// of GPT-2's encoder.py give for tricky strings with the same vocab.json and merges.txt
// (scripts/reference/bpe_cases.py, test/fixtures/bpe/), the merges Hugging Face's trainer learns
// from the same corpus, merges derived by hand, a fuzzed round trip, files and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ByteLevelBPETokenizer, Random, bytesToUnicode, gpt2PreTokens, imdbFile, loadImdb } from 'dlkit';
import { repositoryRoot } from './helpers/notebooks';

const FOLDER = join(repositoryRoot, 'test', 'fixtures', 'bpe');
const cases = JSON.parse(readFileSync(join(FOLDER, 'cases.json'), 'utf8')) as {
  vocabularySize: number;
  minimumFrequency: number;
  specialTokens: string[];
  merges: string[];
  encode: { text: string; ids: number[]; tokens: string[] }[];
  decode: { bytes: number[]; ids: number[]; gpt2: string; huggingFace: string }[];
  imdb: { reviews: number; vocabularySize: number; minimumFrequency: number; merges: string[]; encode: { text: string; ids: number[] }[] };
};
const corpus = readFileSync(join(FOLDER, 'corpus.txt'), 'utf8').split('\n');

function reference(): ByteLevelBPETokenizer {
  return ByteLevelBPETokenizer.fromFiles(join(FOLDER, 'vocab.json'), join(FOLDER, 'merges.txt'), { specialTokens: cases.specialTokens });
}

function temporaryFolder(): { folder: string; done: () => void } {
  const folder = mkdtempSync(join(tmpdir(), 'dlkit-bpe-'));
  return { folder, done: () => rmSync(folder, { recursive: true, force: true }) };
}

test('bytesToUnicode is GPT-2 table: printable bytes stay, the others move to U+0100 and up', () => {
  const table = bytesToUnicode();
  assert.equal(table.length, 256);
  assert.equal(new Set(table).size, 256);
  assert.equal(table[0x21], '!');
  assert.equal(table[0x41], 'A');
  assert.equal(table[0xe9], 'é');
  assert.equal(table[0x00], '\u0100');
  assert.equal(table[0x20], 'Ġ');
  assert.equal(table[0x0a], 'Ċ');
  assert.equal(table[0xa0], 'ł');
  assert.equal(table[0xad], 'Ń'); // the soft hyphen, the last of the 68 moved bytes
});

test('pre-tokens follow GPT-2 pattern, with White_Space for \\s', () => {
  assert.deepEqual(gpt2PreTokens("It's  a test!!  \n"), ['It', "'s", ' ', ' a', ' test', '!!', '  \n']);
  assert.deepEqual(gpt2PreTokens("CAN'T"), ['CAN', "'", 'T']);
  // U+0085 is White_Space (JavaScript's \s says no), U+FEFF is not (JavaScript's \s says yes).
  assert.deepEqual(gpt2PreTokens('a\u0085!'), ['a', '\u0085', '!']);
  assert.deepEqual(gpt2PreTokens('a\ufeff!'), ['a', '\ufeff!']);
  assert.deepEqual(gpt2PreTokens(''), []);
});

test('encoding equals GPT-2 and Hugging Face for the same vocab.json and merges.txt', () => {
  const tokenizer = reference();
  for (const c of cases.encode) {
    assert.deepEqual(tokenizer.encode(c.text), c.ids, `ids of ${JSON.stringify(c.text)}`);
    assert.deepEqual(tokenizer.tokenize(c.text), c.tokens, `tokens of ${JSON.stringify(c.text)}`);
    assert.equal(tokenizer.decode(c.ids), c.text, `round trip of ${JSON.stringify(c.text)}`);
    // The cache must not change anything: the same text again gives the same ids.
    assert.deepEqual(tokenizer.encode(c.text), c.ids);
  }
});

test('decoding broken UTF-8 gives U+FFFD as GPT-2 errors="replace" and Hugging Face do', () => {
  const tokenizer = reference();
  for (const c of cases.decode) {
    assert.equal(c.gpt2, c.huggingFace);
    assert.equal(tokenizer.decode(c.ids), c.gpt2, `bytes ${c.bytes.join(' ')}`);
  }
});

test('training learns the merges of Hugging Face BpeTrainer and writes the same files', () => {
  const tokenizer = ByteLevelBPETokenizer.train(corpus, {
    vocabularySize: cases.vocabularySize,
    minimumFrequency: cases.minimumFrequency,
    specialTokens: cases.specialTokens,
  });
  assert.deepEqual(tokenizer.merges.map(([a, b]) => `${a} ${b}`), cases.merges);
  const { folder, done } = temporaryFolder();
  try {
    const { vocabularyPath, mergesPath } = tokenizer.save(folder);
    assert.equal(readFileSync(vocabularyPath, 'utf8'), readFileSync(join(FOLDER, 'vocab.json'), 'utf8'));
    assert.equal(readFileSync(mergesPath, 'utf8'), readFileSync(join(FOLDER, 'merges.txt'), 'utf8'));
    const loaded = ByteLevelBPETokenizer.fromFiles(vocabularyPath, mergesPath, { specialTokens: cases.specialTokens });
    for (const c of cases.encode) assert.deepEqual(loaded.encode(c.text), c.ids);
  } finally {
    done();
  }
});

test('merges on a tiny corpus, derived by hand: counts, ties, overlaps, the frequency floor', () => {
  // "ab ab abc": words ab, Ġab, Ġabc. (a,b) is seen 3 times, then (Ġ,ab) twice, then (Ġab,c) once.
  const three = ByteLevelBPETokenizer.train(['ab ab abc'], { vocabularySize: 300, minimumFrequency: 1 });
  assert.deepEqual(three.merges, [['a', 'b'], ['Ġ', 'ab'], ['Ġab', 'c']]);
  assert.equal(three.vocabularySize, 259);
  assert.deepEqual(three.tokenize('abc ab'), ['ab', 'c', 'Ġab']);
  // A floor of 2 stops before the pair seen once; a vocabulary of 257 allows only one merge.
  assert.deepEqual(ByteLevelBPETokenizer.train(['ab ab abc'], { vocabularySize: 300 }).merges, [['a', 'b'], ['Ġ', 'ab']]);
  assert.deepEqual(ByteLevelBPETokenizer.train(['ab ab abc'], { vocabularySize: 257, minimumFrequency: 1 }).merges, [['a', 'b']]);
  // "xy yx": (x,y), (Ġ,y) and (y,x) are each seen once; the smaller left id wins (x < y < Ġ by code point).
  const ties = ByteLevelBPETokenizer.train(['xy yx'], { vocabularySize: 300, minimumFrequency: 1 });
  assert.deepEqual(ties.merges, [['x', 'y'], ['y', 'x'], ['Ġ', 'yx']]);
  // "aaaa" has (a,a) three times; merged left to right it becomes aa aa, then aaaa.
  const runs = ByteLevelBPETokenizer.train(['aaaa'], { vocabularySize: 300, minimumFrequency: 1 });
  assert.deepEqual(runs.merges, [['a', 'a'], ['aa', 'aa']]);
  assert.deepEqual(runs.tokenize('aaaaa aaa'), ['aaaa', 'a', 'Ġ', 'aa', 'a']);
  // A special token gets id 0 and is never merged or produced by encode.
  const special = ByteLevelBPETokenizer.train(['ab ab'], { vocabularySize: 300, specialTokens: ['<|endoftext|>'] });
  assert.equal(special.idOf('<|endoftext|>'), 0);
  assert.ok(!special.encode('<|endoftext|>').includes(0));
  assert.equal(special.decode([...special.encode('ab'), 0, ...special.encode(' ab')]), 'ab<|endoftext|> ab');
});

test('training on 400 IMDB reviews learns the same 944 merges as Hugging Face, long pieces encode as GPT-2', () => {
  const reviews = JSON.parse(readFileSync(imdbFile(), 'utf8')) as { t: string }[];
  const texts = reviews.slice(0, cases.imdb.reviews).map((r) => r.t);
  const tokenizer = ByteLevelBPETokenizer.train(texts, { vocabularySize: cases.imdb.vocabularySize, minimumFrequency: cases.imdb.minimumFrequency });
  assert.equal(cases.imdb.merges.length, 944);
  assert.deepEqual(tokenizer.merges.map(([a, b]) => `${a} ${b}`), cases.imdb.merges);
  // Pieces of thousands of bytes (merged with a heap, not GPT-2's quadratic loop) get GPT-2's ids.
  for (const c of cases.imdb.encode) {
    assert.ok(c.text.length > 300);
    assert.deepEqual(tokenizer.encode(c.text), c.ids);
  }
});

/** A random string of Unicode scalar values: ASCII, Latin, combining marks, CJK, spaces, astral. */
function randomText(random: Random): string {
  const ranges: [number, number][] = [
    [0x00, 0x7f], [0x80, 0x24f], [0x300, 0x36f], [0x370, 0x4ff], [0x600, 0x6ff], [0x900, 0x97f],
    [0x2000, 0x206f], [0x3000, 0x30ff], [0x4e00, 0x9fff], [0xac00, 0xd7a3], [0xe000, 0xf8ff],
    [0xfe00, 0xffff], [0x10000, 0x1ffff], [0x1f300, 0x1faff], [0x20000, 0x2a6df], [0xe0000, 0x10ffff],
  ];
  const length = random.int(40);
  let text = '';
  for (let i = 0; i < length; i++) {
    if (random.next() < 0.3) {
      text += [' ', '  ', '\n', '\t', "'s", "'ll", '0', '!'][random.int(8)];
      continue;
    }
    const [low, high] = ranges[random.int(ranges.length)] as [number, number];
    text += String.fromCodePoint(low + random.int(high - low + 1));
  }
  return text;
}

test('fuzzed round trip: any Unicode text (astral included) decodes back to itself', () => {
  const tokenizer = ByteLevelBPETokenizer.train(corpus, { vocabularySize: 400 });
  const random = new Random(13);
  for (let i = 0; i < 3000; i++) {
    const text = randomText(random);
    const ids = tokenizer.encode(text);
    assert.equal(tokenizer.decode(ids), text, `round trip of ${JSON.stringify(text)}`);
    assert.equal(gpt2PreTokens(text).join(''), text);
  }
});

test('lone surrogates are encoded as U+FFFD, as TextEncoder does', () => {
  const tokenizer = reference();
  assert.equal(tokenizer.decode(tokenizer.encode('a\ud800b\udc00')), 'a\ufffdb\ufffd');
  assert.deepEqual(tokenizer.encode('\ud83d'), tokenizer.encode('\ufffd'));
});

test('bad files and bad input get errors that say what to do', () => {
  const { folder, done } = temporaryFolder();
  try {
    const tokenizer = reference();
    const vocab = join(folder, 'vocab.json');
    const merges = join(folder, 'merges.txt');
    assert.throws(() => ByteLevelBPETokenizer.fromFiles(vocab, merges), /no file at .*tokenizer\.save/);
    writeFileSync(vocab, '{"a": 0');
    writeFileSync(merges, '#version: 0.2\n');
    assert.throws(() => ByteLevelBPETokenizer.fromFiles(vocab, merges), /not valid JSON/);
    writeFileSync(vocab, '{"a": 0, "b": 1}');
    assert.throws(() => ByteLevelBPETokenizer.fromFiles(vocab, merges), /lacks 254 of the 256 byte tokens/);
    tokenizer.save(folder);
    writeFileSync(merges, '#version: 0.2\nĠ t\nq z\n');
    assert.throws(() => ByteLevelBPETokenizer.fromFiles(vocab, merges), /merge 2 .*"qz"/);
    writeFileSync(merges, 'Ġ t h\n');
    assert.throws(() => ByteLevelBPETokenizer.fromFiles(vocab, merges), /line 1 .*two tokens/);
    assert.throws(() => tokenizer.decode([tokenizer.vocabularySize]), /ids run from 0 to 383/);
    assert.throws(() => tokenizer.encode(null as unknown as string), /expected a string, got null/);
    assert.throws(() => ByteLevelBPETokenizer.train(['ab'], { vocabularySize: 100 }), /from 256/);
    assert.throws(() => ByteLevelBPETokenizer.train(['ab'], { vocabularySize: 300, minimumFrequency: 0 }), /minimumFrequency/);
    assert.throws(() => ByteLevelBPETokenizer.fromVocabularyAndMerges({ a: 0, b: 5 }, []), /ids must be the whole numbers 0 to 1/);
  } finally {
    done();
  }
});

test('BPE training gives the same merges as before its merge loop was shared with WordPiece (many ties at low counts)', () => {
  // Pinned from the code before text/merges.ts: 300 IMDB reviews, every pair seen once kept, 2,000 tokens.
  const reviews = loadImdb().slice(0, 300).map((r) => r.text);
  const tokenizer = ByteLevelBPETokenizer.train(reviews, { vocabularySize: 2000, minimumFrequency: 1 });
  assert.equal(tokenizer.vocabularySize, 2000);
  const hash = createHash('sha256').update(JSON.stringify(tokenizer.merges)).digest('hex');
  assert.equal(hash, '59ca0d13b647fa0d55a5b84239fc7aab3d87cb700c71cad5fad8e42dde9bfec2');
});
