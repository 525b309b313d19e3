/**
 * Headline results (chapter 12): a chapter prints each number for the book's summary page as a line
 * `RESULT {json}`; `npm run book` collects them from the executed notebooks into dist/book/index.html.
 */

/** One headline result of a chapter. */
export interface HeadlineResult {
  /** What was measured, in words: "test accuracy, ResNet". */
  name: string;
  value: number | string;
  /** Unit or format hint: "%", "s", "AUC", "" (default). */
  unit?: string;
}

/** The prefix of a result line in a notebook's output. */
const RESULT_PREFIX = 'RESULT ';

/** Prints `RESULT {"name":...,"value":...,"unit":...}`; returns nothing so a cell does not print it twice. */
export function reportResult(name: string, value: number | string, unit = ''): void {
  if (name.trim() === '') throw new Error('reportResult: give the result a name, e.g. "test accuracy, LeNet".');
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`reportResult: "${name}" is ${value}, not a finite number; report a measured value.`);
  console.log(`${RESULT_PREFIX}${JSON.stringify({ name, value, unit })}`);
}

/** Every result line in some printed text, in order; malformed lines are skipped. */
export function parseResults(text: string): HeadlineResult[] {
  const results: HeadlineResult[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(RESULT_PREFIX)) continue;
    try {
      const parsed = JSON.parse(line.slice(RESULT_PREFIX.length)) as HeadlineResult;
      if (typeof parsed.name === 'string' && (typeof parsed.value === 'number' || typeof parsed.value === 'string')) results.push({ name: parsed.name, value: parsed.value, unit: parsed.unit ?? '' });
    } catch {
      // not one of ours
    }
  }
  return results;
}
