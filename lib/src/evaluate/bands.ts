/** The score-band table of credit scoring (chapter 10): equal bands from riskiest to safest, their bad rates and cumulative share. */
import { checkBinaryScores } from './roc';

/** One band of `scoreBands`. */
export type ScoreBand = {
  /** 1 = the riskiest band. */
  band: number;
  count: number;
  minScore: number;
  maxScore: number;
  bad: number;
  badRate: number;
  /** Share of all bads in this band and the riskier ones. */
  cumulativeBadShare: number;
  /** This band's bad rate divided by the overall bad rate. */
  lift: number;
};

/** Splits samples into `bands` equal-size groups by descending score; ties are broken by position. */
export function scoreBands(labels: ArrayLike<number>, scores: ArrayLike<number>, bands = 10): ScoreBand[] {
  const { positives } = checkBinaryScores(labels, scores, 'scoreBands');
  if (!Number.isInteger(bands) || bands < 1 || bands > labels.length) {
    throw new Error(`scoreBands: bands must be an integer from 1 to the number of samples (${labels.length}), got ${bands}.`);
  }
  const order = Array.from({ length: labels.length }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  const overall = positives / labels.length;
  const result: ScoreBand[] = [];
  let caught = 0;
  for (let b = 0; b < bands; b++) {
    const members = order.slice(Math.round((b * order.length) / bands), Math.round(((b + 1) * order.length) / bands));
    const bad = members.reduce((s, i) => s + (labels[i] as number), 0);
    caught += bad;
    const memberScores = members.map((i) => scores[i] as number);
    result.push({
      band: b + 1,
      count: members.length,
      minScore: Math.min(...memberScores),
      maxScore: Math.max(...memberScores),
      bad,
      badRate: bad / members.length,
      cumulativeBadShare: caught / positives,
      lift: bad / members.length / overall,
    });
  }
  return result;
}
