/**
 * Tables (chapter 0): a danfojs DataFrame, or an array of records, as an HTML
 * table in the notebook.
 */
import { displayRich, escapeHtml } from './jupyter';

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
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(digits);
  if (value === null || value === undefined) return '';
  return escapeHtml(String(value));
}

/** An HTML table of a DataFrame or of records; long tables show head and tail (chapter 0). */
export function tableHtml(data: FrameLike | readonly object[], options: { maxRows?: number; digits?: number; caption?: string } = {}): string {
  let columns: string[];
  let rows: unknown[][];
  let index: (string | number)[];
  if (isFrame(data)) {
    columns = data.columns;
    rows = (data.values as unknown[]).map((row) => (Array.isArray(row) ? row : [row]));
    index = data.index;
  } else if (Array.isArray(data)) {
    const records = data as Record<string, unknown>[];
    columns = [...new Set(records.flatMap((record) => Object.keys(record)))];
    rows = records.map((record) => columns.map((c) => record[c]));
    index = data.map((_, i) => i);
  } else {
    throw new Error('tableHtml: expected a danfojs DataFrame or an array of records.');
  }
  const digits = options.digits ?? 4;
  const maxRows = options.maxRows ?? 20;
  const shownRows = rows.length > maxRows
    ? [...rows.slice(0, Math.ceil(maxRows / 2)).map((r, i) => [index[i], r] as const), null, ...rows.slice(rows.length - Math.floor(maxRows / 2)).map((r, i) => [index[rows.length - Math.floor(maxRows / 2) + i], r] as const)]
    : rows.map((r, i) => [index[i], r] as const);
  const head = `<tr><th></th>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = shownRows
    .map((entry) => entry === null
      ? `<tr><td>…</td>${columns.map(() => '<td>…</td>').join('')}</tr>`
      : `<tr><th>${cell(entry[0], 0)}</th>${entry[1].map((v) => `<td>${cell(v, digits)}</td>`).join('')}</tr>`)
    .join('');
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : '';
  const footer = `<div style="font-size:small;color:#666">${rows.length} rows × ${columns.length} columns</div>`;
  return `<table class="dataframe dlkit-table">${caption}<thead>${head}</thead><tbody>${body}</tbody></table>${footer}`;
}

/** Shows a DataFrame or records as a table in the notebook; prints it outside one (chapter 0). */
export function showTable(data: FrameLike | readonly object[], options: { maxRows?: number; digits?: number; caption?: string } = {}): void {
  const html = tableHtml(data, options);
  if (!displayRich({ 'text/html': html, 'text/plain': html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim() })) {
    console.table(isFrame(data) ? (data.values as unknown[]) : [...data]);
  }
}
