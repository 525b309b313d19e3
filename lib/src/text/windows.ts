/**
 * Reading a long text with a model of `maxLength` tokens (chapter 6): several encoded windows, each scored; the
 * text's class from the mean of their log-probabilities.
 */
import type { WordPieceTokenizer } from './wordpiece';

export interface DocumentWindowOptions {
  /** Length of every row, [CLS] and [SEP] included (as in `encode`); at least 3. */
  maxLength: number;
  /** Pieces from the start of one window to the start of the next (default `maxLength - 2`: side by side, no overlap). */
  stride?: number;
  /** `keepEnd` of each text's first row, the row the model was trained on (`encode`'s option; default 0). */
  keepEnd?: number;
}

export interface DocumentWindows {
  /** One row of `maxLength` ids per window: [CLS], its pieces, [SEP], [PAD]s. */
  inputIds: number[][];
  /** For each row, the index of the text it came from. */
  document: number[];
  documents: number;
}

/** Each text as rows: `encode(text, { maxLength, keepEnd })`, then windows of `maxLength - 2` pieces every `stride`. */
export function documentWindows(tokenizer: WordPieceTokenizer, texts: readonly string[], options: DocumentWindowOptions): DocumentWindows {
  const { maxLength } = options;
  if (!Number.isInteger(maxLength) || maxLength < 3) throw new Error(`documentWindows: maxLength must be a whole number of at least 3 ([CLS], one piece, [SEP]), got ${maxLength}.`);
  const room = maxLength - 2;
  const stride = options.stride ?? room;
  if (!Number.isInteger(stride) || stride < 1 || stride > room) {
    throw new Error(`documentWindows: stride must be a whole number from 1 to maxLength - 2 = ${room} (larger strides would skip pieces), got ${stride}.`);
  }
  const out: DocumentWindows = { inputIds: [], document: [], documents: texts.length };
  texts.forEach((text, index) => {
    const trainedView = tokenizer.encode(text, { maxLength, keepEnd: options.keepEnd ?? 0 });
    out.inputIds.push(trainedView.inputIds);
    out.document.push(index);
    if (trainedView.truncated === 0) return; // the text fits in one row
    const pieces = tokenizer.encode(text).inputIds.slice(1, -1);
    for (let start = 0; ; start += stride) {
      const from = Math.min(start, pieces.length - room);
      out.inputIds.push([tokenizer.clsId, ...pieces.slice(from, from + room), tokenizer.sepId]);
      out.document.push(index);
      if (from + room >= pieces.length) break;
    }
  });
  return out;
}

/** Each text's class: the argmax of its windows' mean log-probability (one row per window); or its first row alone. */
export function documentClasses(probabilities: ArrayLike<number>, windows: Pick<DocumentWindows, 'document' | 'documents'>, options: { firstRowOnly?: boolean } = {}): Int32Array {
  const rows = windows.document.length;
  if (rows === 0 || probabilities.length % rows !== 0) {
    throw new Error(`documentClasses: expected one row of class probabilities per window (${rows} windows), got ${probabilities.length} numbers.`);
  }
  const classes = probabilities.length / rows;
  const sums = new Float64Array(windows.documents * classes);
  const counts = new Int32Array(windows.documents);
  windows.document.forEach((document, row) => {
    if (!(Number.isInteger(document) && document >= 0 && document < windows.documents)) {
      throw new Error(`documentClasses: window ${row} names text ${document}, outside 0..${windows.documents - 1}.`);
    }
    if (options.firstRowOnly && counts[document] !== 0) return;
    counts[document] = (counts[document] as number) + 1;
    for (let c = 0; c < classes; c++) sums[document * classes + c] += Math.log(Math.max(probabilities[row * classes + c] as number, 1e-12));
  });
  const chosen = new Int32Array(windows.documents);
  for (let d = 0; d < windows.documents; d++) {
    if (counts[d] === 0) throw new Error(`documentClasses: text ${d} has no window.`);
    let best = 0;
    for (let c = 1; c < classes; c++) if ((sums[d * classes + c] as number) > (sums[d * classes + best] as number)) best = c;
    chosen[d] = best;
  }
  return chosen;
}
