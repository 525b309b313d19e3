/**
 * BERT's WordPiece tokenizer (chapter 6): basic tokens (cleaned, lower-cased, accents stripped, split on spaces
 * and punctuation) cut into the longest vocabulary pieces, `##` after the first, else `[UNK]`. The vocabulary is
 * learned by merging the most frequent neighbour pairs (as Hugging Face's trainer) or read from a `vocab.txt`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { PAIR, mergeFrequentPairs } from './merges';

/** The five special tokens of BERT. */
export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** What `encode` returns for one text: three rows of equal length. */
export interface Encoding {
  /** Vocabulary ids, starting with [CLS], each segment ended by [SEP], then [PAD]s. */
  inputIds: number[];
  /** 1 for a real token (special tokens included), 0 for padding. */
  attentionMask: number[];
  /** 0 for the first segment (with its [CLS] and [SEP]), 1 for the second, 0 for padding. */
  tokenTypeIds: number[];
  /** How many word pieces were cut off to fit `maxLength` (0 if none). */
  truncated: number;
}

export interface EncodeOptions {
  /** Longest encoding, special tokens included. Without it nothing is truncated or padded. */
  maxLength?: number;
  /** Pad with [PAD] up to `maxLength` (default true when `maxLength` is given). */
  padding?: boolean;
  /** Cut a text that is too long (default true); false makes a too-long text an error. */
  truncation?: boolean;
  /** A single text too long keeps its last `keepEnd` pieces and its start (default 0: the start only); reviews end with their verdict. */
  keepEnd?: number;
}

export interface WordPieceTrainingOptions {
  /** Size of the vocabulary to learn, the 5 special tokens included (e.g. 8000; bert-base-uncased has 30,522). */
  vocabularySize: number;
  /** Words seen fewer times than this are not used for merging (default 2). */
  minimumFrequency?: number;
  /** Characters seen fewer times than this are left out of the vocabulary and become [UNK] (default 5). */
  minimumCharacterFrequency?: number;
}

/** Words longer than this many characters become [UNK], as in BERT. */
export const MAX_WORD_CHARACTERS = 100;

function isPunctuation(ch: string): boolean {
  const c = ch.codePointAt(0) as number;
  // BERT treats every non-letter, non-digit ASCII symbol as punctuation, and Unicode's P* categories.
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
  return /\p{P}/u.test(ch);
}

function isChinese(c: number): boolean {
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x20000 && c <= 0x2a6df) || (c >= 0xf900 && c <= 0xfaff);
}

/** BERT's basic tokenisation: no control characters or HTML breaks, lower case, no accents, split around punctuation and CJK. */
export function basicTokens(text: string): string[] {
  if (typeof text !== 'string') throw new Error(`basicTokens: expected a string, got ${text === null ? 'null' : typeof text}.`);
  const cleaned = text.replace(/<br\s*\/?>/gi, ' ').toLowerCase();
  // Accents are stripped only where there are any (NFD splits a letter from its accent marks).
  const plain = /[^\x00-\x7f]/.test(cleaned) ? cleaned.normalize('NFD').replace(/\p{Mn}/gu, '') : cleaned;
  const tokens: string[] = [];
  let word = '';
  const flush = (): void => {
    if (word) tokens.push(word);
    word = '';
  };
  for (const ch of plain) {
    const c = ch.codePointAt(0) as number;
    if (c < 128) {
      // ASCII fast path: letters and digits build words, space and control characters split, the rest is punctuation.
      if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) word += ch;
      else if (c === 32 || (c >= 9 && c <= 13)) flush();
      else if (c < 32 || c === 127) continue;
      else {
        flush();
        tokens.push(ch);
      }
    } else if (/\s/u.test(ch)) flush();
    else if (c === 0xfffd || /\p{Cc}|\p{Cf}/u.test(ch)) continue;
    else if (isPunctuation(ch) || isChinese(c)) {
      flush();
      tokens.push(ch);
    } else word += ch;
  }
  flush();
  return tokens;
}

/** Splits a text around special tokens written in it (the capture group keeps them at odd indices). */
const SPECIAL_TOKEN_PATTERN = /(\[PAD\]|\[UNK\]|\[CLS\]|\[SEP\]|\[MASK\])/;

/** WordPiece tokenizer: `train` it or load a `vocab.txt`; `encode` into ids, attention mask and token types; `decode`. */
export class WordPieceTokenizer {
  /** Tokens in id order: `vocabulary[id]` is the token with that id. */
  readonly vocabulary: readonly string[];
  private readonly ids: Map<string, number>;
  /** Ids of the special tokens. */
  readonly padId: number;
  readonly unknownId: number;
  readonly clsId: number;
  readonly sepId: number;
  readonly maskId: number;

  /** Builds a tokenizer from a vocabulary (tokens in id order); it must hold the five special tokens, each token once. */
  constructor(vocabulary: readonly string[], source = 'the vocabulary') {
    if (!Array.isArray(vocabulary) || vocabulary.length === 0) {
      throw new Error(`WordPieceTokenizer: ${source} is empty. A vocabulary has one token per line and must contain ${SPECIAL_TOKENS.join(' ')}.`);
    }
    const ids = new Map<string, number>();
    vocabulary.forEach((token, id) => {
      if (typeof token !== 'string' || token.length === 0 || /\s/u.test(token)) {
        throw new Error(`WordPieceTokenizer: ${source} line ${id + 1} is ${JSON.stringify(token)}: a token must be non-empty and without spaces or tabs (one token per line).`);
      }
      if (ids.has(token)) {
        throw new Error(`WordPieceTokenizer: ${source} has "${token}" twice (lines ${(ids.get(token) as number) + 1} and ${id + 1}); each token may appear once.`);
      }
      ids.set(token, id);
    });
    const missing = SPECIAL_TOKENS.filter((t) => !ids.has(t));
    if (missing.length > 0) {
      throw new Error(`WordPieceTokenizer: ${source} lacks the special token(s) ${missing.join(' ')}; a BERT vocabulary needs all of ${SPECIAL_TOKENS.join(' ')}.`);
    }
    this.vocabulary = [...vocabulary];
    this.ids = ids;
    this.padId = ids.get('[PAD]') as number;
    this.unknownId = ids.get('[UNK]') as number;
    this.clsId = ids.get('[CLS]') as number;
    this.sepId = ids.get('[SEP]') as number;
    this.maskId = ids.get('[MASK]') as number;
  }

  get vocabularySize(): number {
    return this.vocabulary.length;
  }

  /** The id of a token, or undefined if it is not in the vocabulary. */
  idOf(token: string): number | undefined {
    return this.ids.get(token);
  }

  /** The ids of the five special tokens, as a set (for masking and decoding). */
  specialIds(): Set<number> {
    return new Set([this.padId, this.unknownId, this.clsId, this.sepId, this.maskId]);
  }

  /** Learns a vocabulary: frequent characters (as word start and `##` piece), then frequent neighbour pairs merged. */
  static train(texts: Iterable<string>, options: WordPieceTrainingOptions): WordPieceTokenizer {
    const { vocabularySize } = options;
    const minimumFrequency = options.minimumFrequency ?? 2;
    const minimumCharacterFrequency = options.minimumCharacterFrequency ?? 5;
    if (!Number.isInteger(vocabularySize) || vocabularySize < SPECIAL_TOKENS.length + 1) {
      throw new Error(`WordPieceTokenizer.train: vocabularySize must be an integer above ${SPECIAL_TOKENS.length} (the special tokens), got ${vocabularySize}.`);
    }
    const wordCounts = new Map<string, number>();
    for (const text of texts) {
      for (const word of basicTokens(text)) wordCounts.set(word, (wordCounts.get(word) ?? 0) + 1);
    }
    if (wordCounts.size === 0) throw new Error('WordPieceTokenizer.train: the texts hold no words; give it some non-empty texts.');

    // The alphabet: characters frequent enough, each as a word start and as a continuation.
    const characterCounts = new Map<string, number>();
    for (const [word, count] of wordCounts) {
      if (word.length > MAX_WORD_CHARACTERS) continue;
      for (const ch of word) characterCounts.set(ch, (characterCounts.get(ch) ?? 0) + count);
    }
    const alphabet = new Set([...characterCounts].filter(([, count]) => count >= minimumCharacterFrequency).map(([ch]) => ch));
    const vocabulary: string[] = [...SPECIAL_TOKENS];
    const ids = new Map<string, number>(vocabulary.map((token, id) => [token, id]));
    const add = (token: string): number => {
      let id = ids.get(token);
      if (id === undefined) {
        id = vocabulary.length;
        ids.set(token, id);
        vocabulary.push(token);
      }
      return id;
    };
    const sortedAlphabet = [...alphabet].sort((a, b) => (characterCounts.get(b) as number) - (characterCounts.get(a) as number) || (a < b ? -1 : 1));
    for (const ch of sortedAlphabet) add(ch);
    for (const ch of sortedAlphabet) add(`##${ch}`);

    // Words as sequences of pieces; words with a character outside the alphabet stay [UNK] and are not merged.
    const words: number[][] = [];
    const counts: number[] = [];
    for (const [word, count] of wordCounts) {
      if (count < minimumFrequency || word.length > MAX_WORD_CHARACTERS) continue;
      const chars = [...word];
      if (!chars.every((ch) => alphabet.has(ch))) continue;
      words.push(chars.map((ch, i) => ids.get(i === 0 ? ch : `##${ch}`) as number));
      counts.push(count);
    }
    // Ties go to the pair whose texts, joined by a NUL, sort first.
    const pairText = (pair: number): string => `${vocabulary[Math.floor(pair / PAIR)]}\u0000${vocabulary[pair % PAIR]}`;
    mergeFrequentPairs(words, counts, {
      tieBefore: (a, b) => pairText(a) < pairText(b),
      full: () => vocabulary.length >= vocabularySize,
      merge: (left, right) => add((vocabulary[left] as string) + (vocabulary[right] as string).slice(2)),
    });
    return new WordPieceTokenizer(vocabulary, 'the trained vocabulary');
  }

  /** Reads a `vocab.txt` (`bert-base-uncased` format): one token per line, the line number from 0 its id. */
  static fromVocabularyFile(path: string): WordPieceTokenizer {
    if (!existsSync(path)) {
      throw new Error(
        `WordPieceTokenizer: no vocabulary file at ${path}. Save one with tokenizer.saveVocabulary(path), or download bert-base-uncased's vocab.txt (one token per line) and give its path.`,
      );
    }
    const lines = readFileSync(path, 'utf8').split(/\r?\n/);
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return new WordPieceTokenizer(lines, `the vocabulary file ${path}`);
  }

  /** The vocabulary as `vocab.txt` text: one token per line, in id order. */
  vocabularyText(): string {
    return `${this.vocabulary.join('\n')}\n`;
  }

  /** Writes the vocabulary to a file that `fromVocabularyFile` reads back. */
  saveVocabulary(path: string): void {
    writeFileSync(path, this.vocabularyText());
  }

  /** Cuts one basic token into vocabulary pieces, longest first; [UNK] if it cannot be cut. */
  wordPieces(word: string): string[] {
    const chars = [...word];
    if (chars.length > MAX_WORD_CHARACTERS) return ['[UNK]'];
    const pieces: string[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found: string | null = null;
      while (start < end) {
        const piece = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
        if (this.ids.has(piece)) {
          found = piece;
          break;
        }
        end--;
      }
      if (found === null) return ['[UNK]'];
      pieces.push(found);
      start = end;
    }
    return pieces;
  }

  /** The word pieces of a text; a special token written in it, such as `[MASK]`, stays one token. */
  tokenize(text: string): string[] {
    return text.split(SPECIAL_TOKEN_PATTERN).flatMap((part, i) =>
      i % 2 === 1 ? [part] : basicTokens(part).flatMap((word) => (this.ids.has(word) ? [word] : this.wordPieces(word))),
    );
  }

  /**
   * Encodes a text or pair as `[CLS] a [SEP]` or `[CLS] a [SEP] b [SEP]`, cut to `maxLength` (the longer text loses its
   * last pieces first; `keepEnd` cuts a single text's middle), padded with [PAD].
   */
  encode(text: string, options: EncodeOptions & { pair?: string } = {}): Encoding {
    if (typeof text !== 'string') throw new Error(`WordPieceTokenizer.encode: expected a string, got ${text === null ? 'null' : typeof text}.`);
    const { maxLength, pair } = options;
    const specials = pair === undefined ? 2 : 3;
    if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < specials)) {
      throw new Error(`WordPieceTokenizer.encode: maxLength must be an integer of at least ${specials} (room for [CLS] and [SEP]), got ${maxLength}.`);
    }
    const { keepEnd } = options;
    if (keepEnd !== undefined && (!Number.isInteger(keepEnd) || keepEnd < 0)) {
      throw new Error(`WordPieceTokenizer.encode: keepEnd must be a whole number of pieces (0 or more), got ${keepEnd}.`);
    }
    if (keepEnd !== undefined && keepEnd > 0 && pair !== undefined) {
      throw new Error('WordPieceTokenizer.encode: keepEnd applies to a single text; a pair is cut from the end of its longer text. Leave keepEnd out for pairs.');
    }
    const a = this.tokenize(text).map((t) => this.ids.get(t) as number);
    const b = pair === undefined ? [] : this.tokenize(pair).map((t) => this.ids.get(t) as number);
    let truncated = 0;
    if (maxLength !== undefined && a.length + b.length + specials > maxLength) {
      const over = a.length + b.length + specials - maxLength;
      if (options.truncation === false) {
        throw new Error(`WordPieceTokenizer.encode: the text has ${a.length + b.length + specials} tokens, more than maxLength ${maxLength}; pass truncation: true to cut it, or a larger maxLength.`);
      }
      const keepEnd = options.keepEnd ?? 0;
      if (keepEnd > 0 && pair === undefined) {
        const room = maxLength - specials;
        const end = Math.min(keepEnd, room);
        a.splice(room - end, a.length - room);
      } else {
        for (let i = 0; i < over; i++) {
          if (a.length >= b.length) a.pop();
          else b.pop();
        }
      }
      truncated = over;
    }
    const inputIds = [this.clsId, ...a, this.sepId];
    const tokenTypeIds = inputIds.map(() => 0);
    if (pair !== undefined) {
      inputIds.push(...b, this.sepId);
      tokenTypeIds.push(...b.map(() => 1), 1);
    }
    const attentionMask = inputIds.map(() => 1);
    if (maxLength !== undefined && options.padding !== false) {
      while (inputIds.length < maxLength) {
        inputIds.push(this.padId);
        attentionMask.push(0);
        tokenTypeIds.push(0);
      }
    }
    return { inputIds, attentionMask, tokenTypeIds, truncated };
  }

  /** Encodes many texts to the same `maxLength`: one row per text in each of the three arrays. */
  encodeBatch(texts: readonly string[], options: EncodeOptions & { maxLength: number }): { inputIds: number[][]; attentionMask: number[][]; tokenTypeIds: number[][]; truncated: number } {
    const out = { inputIds: [] as number[][], attentionMask: [] as number[][], tokenTypeIds: [] as number[][], truncated: 0 };
    for (const text of texts) {
      const e = this.encode(text, { ...options, padding: true });
      out.inputIds.push(e.inputIds);
      out.attentionMask.push(e.attentionMask);
      out.tokenTypeIds.push(e.tokenTypeIds);
      if (e.truncated > 0) out.truncated++;
    }
    return out;
  }

  /** The tokens of some ids; an id outside the vocabulary is an error. */
  idsToTokens(ids: ArrayLike<number>): string[] {
    return Array.from(ids, (id) => {
      const token = this.vocabulary[id];
      if (token === undefined) throw new Error(`WordPieceTokenizer: id ${id} is not in the vocabulary (ids run from 0 to ${this.vocabulary.length - 1}).`);
      return token;
    });
  }

  /** Ids back into text: `##` pieces glued, [PAD], [CLS], [SEP] dropped unless `keepSpecialTokens`; as `basicTokens` sees it. */
  decode(ids: ArrayLike<number>, options: { keepSpecialTokens?: boolean } = {}): string {
    const skip = new Set([this.padId, this.clsId, this.sepId]);
    let text = '';
    Array.from(ids).forEach((id, i) => {
      if (!options.keepSpecialTokens && skip.has(id)) return;
      const token = this.idsToTokens([id])[0] as string;
      if (token.startsWith('##') && text.length > 0 && i > 0) text += token.slice(2);
      else text += (text.length > 0 ? ' ' : '') + token;
    });
    return text;
  }
}
