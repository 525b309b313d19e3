/** The shape of numeric input the book's helpers accept, and how numbers are printed (chapter 0). */

/** Numbers as a plain array or a typed array: charts, statistics and price series take either. */
export type Numbers = ArrayLike<number>;

const SUPERSCRIPT_DIGITS = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/**
 * A number as a reader wants to see it: thousands separators (11,456,230,000), `digits` significant
 * digits on fractions, powers of ten beyond 10¹⁵ or below 10⁻⁴; integers below 10,000 as they are.
 */
export function formatNumber(value: number, digits = 4): string {
  if (!Number.isInteger(digits) || digits < 1 || digits > 21) throw new Error(`formatNumber: digits must be an integer from 1 to 21, got ${digits}.`);
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e15 || magnitude < 1e-4) {
    const [mantissa, exponent] = value.toExponential(digits - 1).split('e') as [string, string];
    const power = String(Number(exponent)).replace('-', '⁻').replace(/\d/g, (d) => SUPERSCRIPT_DIGITS[Number(d)] as string);
    return `${mantissa.replace(/\.?0+$/, '')} × 10${power}`;
  }
  if (Number.isInteger(value)) return magnitude < 1e4 ? String(value) : value.toLocaleString('en-US');
  if (magnitude >= 10 ** (digits - 1)) return Math.round(value).toLocaleString('en-US');
  return Number(value.toPrecision(digits)).toLocaleString('en-US', { maximumSignificantDigits: digits });
}
