/**
 * GPT-2's byte-level BPE tokenizer (chapter 13): GPT-2's pre-tokenisation, UTF-8 bytes as printable characters,
 * learned merges; every text encodes and decodes back. Reads and writes GPT-2's `vocab.json` + `merges.txt`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { checkPositiveIntegers } from '../util/validate';
import { Heap, PAIR, mergeFrequentPairs, mergeSymbols } from './merges';
import { join } from 'node:path';

/**
 * GPT-2's `bytes_to_unicode`, by byte: printable Latin-1 bytes stand for themselves, the other 68 are shifted to
 * U+0100 and up in byte order (a space is `Ġ`, a newline `Ċ`).
 */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const characters = new Array<string>(256);
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    characters[b] = String.fromCodePoint(printable.includes(b) ? b : 256 + shifted++);
  }
  return characters;
}

const BYTE_CHARACTERS = bytesToUnicode();
const BYTE_OF_CHARACTER = new Map(BYTE_CHARACTERS.map((ch, b) => [ch, b]));

/**
 * GPT-2's pre-tokenisation: contractions, runs of letters, digits or other symbols (each with at most one leading
 * space), whitespace. `\p{White_Space}` is what GPT-2's `regex` means by `\s` (JavaScript's `\s` differs on U+FEFF, U+0085).
 */
export const GPT2_PRETOKENIZE_PATTERN =
  /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\p{White_Space}\p{L}\p{N}]+|\p{White_Space}+(?!\P{White_Space})|\p{White_Space}+/gu;

/** Cuts a text into GPT-2's pre-tokens; joined, they give the text back. */
export function gpt2PreTokens(text: string): string[] {
  if (typeof text !== 'string') throw new Error(`gpt2PreTokens: expected a string, got ${text === null ? 'null' : typeof text}.`);
  return text.match(GPT2_PRETOKENIZE_PATTERN) ?? [];
}

const utf8 = new TextEncoder();
// fatal: false writes U+FFFD for each invalid sequence (its maximal subpart), as Python's errors='replace'.
const utf8Decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** A text's UTF-8 bytes as GPT-2's byte characters; a lone surrogate becomes U+FFFD, as `TextEncoder` does. */
export function toByteCharacters(text: string): string {
  let out = '';
  for (const b of utf8.encode(text)) out += BYTE_CHARACTERS[b];
  return out;
}

/** Options of `ByteLevelBPETokenizer.train`. */
export interface ByteLevelBPETrainingOptions {
  /** Size of the vocabulary to learn: special tokens, the 256 bytes and the merges (GPT-2 has 50,257). */
  vocabularySize: number;
  /** Pairs seen fewer times than this are not merged, even if the vocabulary is not full (default 2, as Hugging Face). */
  minimumFrequency?: number;
  /** Tokens that get the first ids and are never merged, e.g. `['<|endoftext|>']` (default none). */
  specialTokens?: string[];
}

/** Largest vocabulary a tokenizer may have (pairs of ids are packed in one number). */
const MAX_VOCABULARY = PAIR;
/** Pieces of more bytes than this are merged with a heap (`mergeLongPiece`). */
const LONG_PIECE = 64;
/** Positions in a piece are below this (2^31), so rank * POSITION + position stays below 2^52. */
const POSITION = 2 ** 31;
/** Distinct pieces remembered by `encode` before the cache starts again. */
const CACHE_LIMIT = 1_000_000;

/**
 * GPT-2's byte-level BPE tokenizer: `train`, `fromFiles`, `encode`, `decode`.
 * - Training merges the most frequent neighbour pair inside pre-tokens; ties go to the smaller left id, then right id
 *   (specials, the 256 bytes in code point order, merges in order made): Hugging Face's `BpeTrainer` rule.
 * - Encoding merges lowest rank first (GPT-2's `bpe`); special tokens in the text are not looked for (use `idOf`).
 * - Decoding reads the bytes as UTF-8, broken sequences as U+FFFD (Python's `errors='replace'`).
 */
export class ByteLevelBPETokenizer {
  /** Token text for each id. */
  readonly tokens: readonly string[];
  /** The merges in rank order, as the pairs of token texts joined. */
  readonly merges: readonly (readonly [string, string])[];
  /** The special tokens (never produced by `encode`). */
  readonly specialTokens: readonly string[];
  private readonly ids: Map<string, number>;
  /** packed (left id, right id) -> rank * PAIR + merged id. */
  private readonly mergeRanks = new Map<number, number>();
  private readonly byteIds: Int32Array;
  private readonly specialIds: Set<number>;
  private readonly cache = new Map<string, readonly number[]>();

  private constructor(tokens: readonly string[], merges: readonly (readonly [string, string])[], specialTokens: readonly string[], source: string) {
    if (tokens.length > MAX_VOCABULARY) {
      throw new Error(`ByteLevelBPETokenizer: ${source} has ${tokens.length} tokens, more than the ${MAX_VOCABULARY} this tokenizer supports.`);
    }
    this.tokens = tokens;
    this.merges = merges;
    this.specialTokens = specialTokens;
    this.ids = new Map();
    tokens.forEach((token, id) => {
      if (this.ids.has(token)) {
        throw new Error(`ByteLevelBPETokenizer: ${source} has the token ${JSON.stringify(token)} twice (ids ${this.ids.get(token)} and ${id}); each token may appear once.`);
      }
      this.ids.set(token, id);
    });
    this.byteIds = new Int32Array(256);
    const missing: string[] = [];
    BYTE_CHARACTERS.forEach((ch, b) => {
      const id = this.ids.get(ch);
      if (id === undefined) missing.push(`${JSON.stringify(ch)} (byte ${b})`);
      else this.byteIds[b] = id;
    });
    if (missing.length > 0) {
      throw new Error(
        `ByteLevelBPETokenizer: ${source} lacks ${missing.length} of the 256 byte tokens, e.g. ${missing.slice(0, 3).join(', ')}; a byte-level vocabulary holds every byte so that any text can be encoded.`,
      );
    }
    this.specialIds = new Set();
    for (const token of specialTokens) {
      const id = this.ids.get(token);
      if (id === undefined) throw new Error(`ByteLevelBPETokenizer: the special token ${JSON.stringify(token)} is not in ${source}.`);
      this.specialIds.add(id);
    }
    merges.forEach(([left, right], rank) => {
      const a = this.ids.get(left);
      const b = this.ids.get(right);
      const merged = this.ids.get(left + right);
      if (a === undefined || b === undefined || merged === undefined) {
        const absent = [left, right, left + right].filter((t) => !this.ids.has(t));
        throw new Error(
          `ByteLevelBPETokenizer: merge ${rank + 1} of ${source} ("${left} ${right}") uses ${absent.map((t) => JSON.stringify(t)).join(', ')}, which the vocabulary lacks. Give the vocab.json and merges.txt saved together.`,
        );
      }
      const key = a * PAIR + b;
      // A repeated merge keeps its first (lowest) rank, as GPT-2's dict of ranks does.
      if (!this.mergeRanks.has(key)) this.mergeRanks.set(key, rank * PAIR + merged);
    });
  }

  /** A tokenizer from a vocabulary (token -> id, ids 0..n-1 once each, specials included) and merges in rank order. */
  static fromVocabularyAndMerges(
    vocabulary: Record<string, number> | ReadonlyMap<string, number>,
    merges: readonly (readonly [string, string])[],
    options: { specialTokens?: string[]; source?: string } = {},
  ): ByteLevelBPETokenizer {
    const source = options.source ?? 'the vocabulary';
    const entries = vocabulary instanceof Map ? [...vocabulary.entries()] : Object.entries(vocabulary as Record<string, number>);
    const tokens = new Array<string | undefined>(entries.length).fill(undefined);
    for (const [token, id] of entries) {
      if (!Number.isInteger(id) || id < 0 || id >= entries.length) {
        throw new Error(`ByteLevelBPETokenizer: ${source} gives ${JSON.stringify(token)} the id ${id}; ids must be the whole numbers 0 to ${entries.length - 1}, each used once.`);
      }
      if (tokens[id] !== undefined) {
        throw new Error(`ByteLevelBPETokenizer: ${source} gives the id ${id} to both ${JSON.stringify(tokens[id])} and ${JSON.stringify(token)}; each id may be used once.`);
      }
      tokens[id] = token;
    }
    return new ByteLevelBPETokenizer(tokens as string[], merges.map(([a, b]) => [a, b] as const), options.specialTokens ?? [], source);
  }

  /** Reads GPT-2's `vocab.json` (token -> id) and `merges.txt` (optional `#version` line, then one merge per line). */
  static fromFiles(vocabularyPath: string, mergesPath: string, options: { specialTokens?: string[] } = {}): ByteLevelBPETokenizer {
    for (const path of [vocabularyPath, mergesPath]) {
      if (!existsSync(path)) {
        throw new Error(`ByteLevelBPETokenizer: no file at ${path}. Save a tokenizer with tokenizer.save(folder), which writes vocab.json and merges.txt, and give their paths.`);
      }
    }
    let vocabulary: unknown;
    try {
      vocabulary = JSON.parse(readFileSync(vocabularyPath, 'utf8'));
    } catch (error) {
      throw new Error(`ByteLevelBPETokenizer: ${vocabularyPath} is not valid JSON (${(error as Error).message}); vocab.json is one object of token: id.`);
    }
    if (typeof vocabulary !== 'object' || vocabulary === null || Array.isArray(vocabulary)) {
      throw new Error(`ByteLevelBPETokenizer: ${vocabularyPath} should hold one JSON object of token: id, as GPT-2's vocab.json.`);
    }
    const merges: [string, string][] = [];
    const lines = readFileSync(mergesPath, 'utf8').split('\n');
    lines.forEach((raw, i) => {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line === '' || (i === 0 && line.startsWith('#version'))) return;
      const parts = line.split(' ');
      if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
        throw new Error(`ByteLevelBPETokenizer: line ${i + 1} of ${mergesPath} is ${JSON.stringify(line)}; each line of merges.txt is two tokens separated by one space.`);
      }
      merges.push([parts[0] as string, parts[1] as string]);
    });
    return ByteLevelBPETokenizer.fromVocabularyAndMerges(vocabulary as Record<string, number>, merges, {
      specialTokens: options.specialTokens,
      source: vocabularyPath,
    });
  }

  /** Learns a vocabulary until it is full or no pair is seen `minimumFrequency` times (merge order: the class comment). */
  static train(texts: Iterable<string>, options: ByteLevelBPETrainingOptions): ByteLevelBPETokenizer {
    const specialTokens = [...(options.specialTokens ?? [])];
    const minimumFrequency = options.minimumFrequency ?? 2;
    const { vocabularySize } = options;
    if (!Number.isInteger(vocabularySize) || vocabularySize < 256 + specialTokens.length || vocabularySize > MAX_VOCABULARY) {
      throw new Error(
        `ByteLevelBPETokenizer.train: vocabularySize must be a whole number from ${256 + specialTokens.length} (the 256 bytes and ${specialTokens.length} special tokens) to ${MAX_VOCABULARY}, got ${vocabularySize}.`,
      );
    }
    checkPositiveIntegers('ByteLevelBPETokenizer.train', { minimumFrequency });
    if (new Set(specialTokens).size !== specialTokens.length || specialTokens.some((t) => typeof t !== 'string' || t === '')) {
      throw new Error(`ByteLevelBPETokenizer.train: specialTokens must be distinct non-empty strings, got ${JSON.stringify(specialTokens)}.`);
    }
    const pieceCounts = new Map<string, number>();
    for (const text of texts) {
      if (typeof text !== 'string') throw new Error(`ByteLevelBPETokenizer.train: every text must be a string, got ${text === null ? 'null' : typeof text}.`);
      for (const piece of gpt2PreTokens(text)) pieceCounts.set(piece, (pieceCounts.get(piece) ?? 0) + 1);
    }
    // Two pieces can share bytes (lone surrogates both become U+FFFD), so words are counted again.
    const wordCounts = new Map<string, number>();
    for (const [piece, count] of pieceCounts) {
      const word = toByteCharacters(piece);
      wordCounts.set(word, (wordCounts.get(word) ?? 0) + count);
    }
    const tokens: string[] = [...specialTokens];
    const ids = new Map<string, number>(tokens.map((t, i) => [t, i]));
    for (const ch of [...BYTE_CHARACTERS].sort((a, b) => (a.codePointAt(0) as number) - (b.codePointAt(0) as number))) {
      if (ids.has(ch)) continue; // a special token spelled as one byte character keeps its special id
      ids.set(ch, tokens.length);
      tokens.push(ch);
    }
    const words: number[][] = [];
    const counts: number[] = [];
    for (const [word, count] of wordCounts) {
      words.push(Array.from(word, (ch) => ids.get(ch) as number));
      counts.push(count);
    }
    const merges: [string, string][] = [];
    mergeFrequentPairs(words, counts, {
      tieBefore: (a, b) => a < b, // the smaller (left id, right id)
      minimumCount: minimumFrequency,
      full: () => tokens.length >= vocabularySize,
      merge: (left, right) => {
        const text = (tokens[left] as string) + (tokens[right] as string);
        merges.push([tokens[left] as string, tokens[right] as string]);
        let merged = ids.get(text);
        if (merged === undefined) {
          merged = tokens.length;
          ids.set(text, merged);
          tokens.push(text);
        }
        return merged;
      },
    });
    return new ByteLevelBPETokenizer(tokens, merges, specialTokens, 'the trained vocabulary');
  }

  /** Number of tokens, special tokens included. */
  get vocabularySize(): number {
    return this.tokens.length;
  }

  /** The id of a token's text, e.g. `idOf('<|endoftext|>')`. */
  idOf(token: string): number {
    const id = this.ids.get(token);
    if (id === undefined) throw new Error(`ByteLevelBPETokenizer: ${JSON.stringify(token)} is not a token of this vocabulary.`);
    return id;
  }

  /** The text of a token id as stored in vocab.json (bytes as GPT-2's characters). */
  tokenOf(id: number): string {
    const token = this.tokens[id];
    if (token === undefined || !Number.isInteger(id)) {
      throw new Error(`ByteLevelBPETokenizer: id ${id} is not in the vocabulary (ids run from 0 to ${this.tokens.length - 1}).`);
    }
    return token;
  }

  /** The ids of one pre-token's byte characters after the merges, lowest rank first (GPT-2's `bpe`). */
  private encodePiece(piece: string): readonly number[] {
    const cached = this.cache.get(piece);
    if (cached) return cached;
    let symbols: number[] = Array.from(utf8.encode(piece), (b) => this.byteIds[b] as number);
    if (symbols.length > LONG_PIECE) symbols = this.mergeLongPiece(symbols);
    while (symbols.length > 1) {
      let best = Infinity;
      let at = -1;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const merge = this.mergeRanks.get((symbols[i] as number) * PAIR + (symbols[i + 1] as number));
        if (merge !== undefined && merge < best) {
          best = merge;
          at = i;
        }
      }
      if (at < 0) break;
      symbols = mergeSymbols(symbols, symbols[at] as number, symbols[at + 1] as number, best % PAIR);
    }
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(piece, symbols);
    return symbols;
  }

  /**
   * The merges of a long piece in O(n log n) (GPT-2's is O(n²)): a linked list of symbols, pairs in a heap by (rank,
   * position); each rank merged left to right before the next, as GPT-2's `bpe`.
   */
  private mergeLongPiece(symbols: readonly number[]): number[] {
    const n = symbols.length;
    const ids = Int32Array.from(symbols);
    const next = Int32Array.from({ length: n }, (_, i) => (i + 1 < n ? i + 1 : -1));
    const previous = Int32Array.from({ length: n }, (_, i) => i - 1);
    const heap = new Heap<number>((a, b) => a < b); // rank * POSITION + position, smallest first
    const pushPair = (i: number): void => {
      const j = next[i] as number;
      if (i < 0 || j < 0) return;
      const merge = this.mergeRanks.get((ids[i] as number) * PAIR + (ids[j] as number));
      if (merge !== undefined) heap.push(Math.floor(merge / PAIR) * POSITION + i);
    };
    for (let i = 0; i + 1 < n; i++) pushPair(i);
    while (heap.size > 0) {
      const rank = Math.floor((heap.peek() as number) / POSITION);
      const batch: number[] = [];
      while (heap.size > 0 && Math.floor((heap.peek() as number) / POSITION) === rank) batch.push((heap.pop() as number) - rank * POSITION);
      batch.sort((a, b) => a - b);
      for (const i of batch) {
        const j = next[i] as number;
        if (ids[i] === -1 || j < 0) continue;
        const merge = this.mergeRanks.get((ids[i] as number) * PAIR + (ids[j] as number));
        if (merge === undefined || Math.floor(merge / PAIR) !== rank) continue; // this pair has changed since
        ids[i] = merge % PAIR;
        ids[j] = -1;
        next[i] = next[j] as number;
        if ((next[j] as number) >= 0) previous[next[j] as number] = i;
        pushPair(previous[i] as number);
        pushPair(i);
      }
    }
    const out: number[] = [];
    for (let i = 0; i >= 0; i = next[i] as number) out.push(ids[i] as number);
    return out;
  }

  /** A text's token ids. Any string is accepted; lone surrogates become U+FFFD. */
  encode(text: string): number[] {
    if (typeof text !== 'string') {
      throw new Error(`ByteLevelBPETokenizer.encode: expected a string, got ${text === null ? 'null' : typeof text}.`);
    }
    const ids: number[] = [];
    for (const piece of gpt2PreTokens(text)) {
      const pieceIds = this.encodePiece(piece);
      for (let i = 0; i < pieceIds.length; i++) ids.push(pieceIds[i] as number);
    }
    return ids;
  }

  /** The tokens' texts as stored in vocab.json, e.g. `['Hello', 'Ġworld']`. */
  tokenize(text: string): string[] {
    return this.encode(text).map((id) => this.tokens[id] as string);
  }

  /** The text of token ids: their bytes read as UTF-8, broken sequences as U+FFFD. */
  decode(ids: Iterable<number>): string {
    let out = '';
    let bytes: number[] = [];
    const flush = (): void => {
      if (bytes.length > 0) out += utf8Decoder.decode(Uint8Array.from(bytes));
      bytes = [];
    };
    for (const id of ids) {
      const token = this.tokenOf(id);
      if (this.specialIds.has(id)) {
        flush();
        out += token;
        continue;
      }
      for (const ch of token) {
        const b = BYTE_OF_CHARACTER.get(ch);
        if (b === undefined) throw new Error(`ByteLevelBPETokenizer.decode: token ${id} (${JSON.stringify(token)}) holds ${JSON.stringify(ch)}, which is no byte character; was it declared a special token?`);
        bytes.push(b);
      }
    }
    flush();
    return out;
  }

  /** Writes `vocab.json` (in id order) and `merges.txt` in GPT-2's format into a folder; returns their paths. */
  save(folder: string): { vocabularyPath: string; mergesPath: string } {
    mkdirSync(folder, { recursive: true });
    const vocabularyPath = join(folder, 'vocab.json');
    const mergesPath = join(folder, 'merges.txt');
    // Written by hand: JSON.stringify of an object would put integer-like keys ("0", "1") first.
    const entries = this.tokens.map((token, id) => `${JSON.stringify(token)}:${id}`);
    writeFileSync(vocabularyPath, `{${entries.join(',')}}`);
    writeFileSync(mergesPath, `#version: 0.2\n${this.merges.map(([a, b]) => `${a} ${b}`).join('\n')}\n`);
    return { vocabularyPath, mergesPath };
  }
}
