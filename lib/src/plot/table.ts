/** Tables (chapter 0): a danfojs DataFrame or records as an HTML table in the notebook. */
import { formatNumber } from '../util/numbers';
import { escapeHtml } from 'gym-js';
import { displayRich } from '../notebook/jupyter';

/** The parts of a danfojs DataFrame the table needs. */
export interface FrameLike {
  columns: string[];
  index: (string | number)[];
  values: unknown[][] | unknown[];
}

function isFrame(value: unknown): value is FrameLike {
  return typeof value === 'object' && value !== null && Array.isArray((value as FrameLike).columns) && Array.isArray((value as FrameLike).values);
}

function cell(value: unknown, digits: number): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return 'Invalid Date';
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z');
  }
  if (typeof value === 'number') {
    const magnitude = Math.abs(value);
    // Counts get separators; fractions `digits` decimals (aligned); extremes a power of ten.
    if (Number.isInteger(value) || !Number.isFinite(value) || magnitude >= 1e15 || magnitude < 1e-4) return formatNumber(value, Math.max(digits, 1));
    return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  if (value === null || value === undefined) return '';
  return escapeHtml(String(value));
}

/** An HTML table (head and tail of long ones), numbers by `formatNumber`; row labels only when they say more than 0, 1, 2, ... */
export function tableHtml(data: FrameLike | readonly object[], options: { maxRows?: number; digits?: number; caption?: string } = {}): string {
  let columns: string[];
  let rows: unknown[][];
  // The row labels, or null when they would only count 0, 1, 2, ... (records, a default DataFrame index).
  let index: (string | number)[] | null;
  if (isFrame(data)) {
    columns = data.columns;
    rows = (data.values as unknown[]).map((row) => (Array.isArray(row) ? row : [row]));
    index = data.index.every((label, i) => label === i || label === String(i)) ? null : data.index;
  } else if (Array.isArray(data)) {
    const records = data as Record<string, unknown>[];
    columns = [...new Set(records.flatMap((record) => Object.keys(record)))];
    rows = records.map((record) => columns.map((c) => record[c]));
    index = null;
  } else {
    throw new Error('tableHtml: expected a danfojs DataFrame or an array of records.');
  }
  const digits = options.digits ?? 4;
  const maxRows = options.maxRows ?? 20;
  const tail = rows.length - Math.floor(maxRows / 2);
  const shownRows = rows.length > maxRows
    ? [...rows.slice(0, Math.ceil(maxRows / 2)).map((r, i) => [i, r] as const), null, ...rows.slice(tail).map((r, i) => [tail + i, r] as const)]
    : rows.map((r, i) => [i, r] as const);
  const label = (i: number) => (index ? `<th>${cell(index[i], digits)}</th>` : '');
  const head = `<tr>${index ? '<th></th>' : ''}${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = shownRows
    .map((entry) => entry === null
      ? `<tr>${index ? '<td>…</td>' : ''}${columns.map(() => '<td>…</td>').join('')}</tr>`
      : `<tr>${label(entry[0])}${entry[1].map((v) => `<td>${cell(v, digits)}</td>`).join('')}</tr>`)
    .join('');
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : '';
  const footer = `<div style="font-size:small;color:#666">${rows.length} rows × ${columns.length} columns</div>`;
  return `<table class="dataframe dlkit-table">${caption}<thead>${head}</thead><tbody>${body}</tbody></table>${footer}`;
}

/** Shows a DataFrame or records as a table in the notebook; prints it outside one. */
export function showTable(data: FrameLike | readonly object[], options: { maxRows?: number; digits?: number; caption?: string } = {}): void {
  const html = tableHtml(data, options);
  if (!displayRich({ 'text/html': html, 'text/plain': html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim() })) {
    console.table(isFrame(data) ? (data.values as unknown[]) : [...data]);
  }
}
