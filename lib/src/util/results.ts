/**
 * Headline results (chapter 12 gathers them): a chapter prints each number it
 * wants on the book's summary page as one line `RESULT {json}`, and
 * `npm run book` collects those lines from the executed notebooks into a table
 * on dist/book/index.html. The numbers come from the run, never typed by hand.
 */

/** One headline result of a chapter (chapter 12). */
export interface HeadlineResult {
  /** What was measured, in words: "test accuracy, ResNet". */
  name: string;
  value: number | string;
  /** Unit or format hint: "%", "s", "AUC", "" (default). */
  unit?: string;
}

/** The prefix of a result line in a notebook's output (chapter 12). */
const RESULT_PREFIX = 'RESULT ';

/**
 * Prints one headline result as `RESULT {"name":...,"value":...,"unit":...}`
 * (chapter 12). Numbers must be finite. Returns nothing, so that a call ending
 * a cell does not print the line a second time as the cell's value.
 */
export function reportResult(name: string, value: number | string, unit = ''): void {
  if (name.trim() === '') throw new Error('reportResult: give the result a name, e.g. "test accuracy, LeNet".');
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`reportResult: "${name}" is ${value}, not a finite number; report a measured value.`);
  console.log(`${RESULT_PREFIX}${JSON.stringify({ name, value, unit })}`);
}

/** Every result line in some printed text, in order (chapter 12); malformed lines are skipped. */
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
