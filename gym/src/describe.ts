/** Values as they are for error messages (chapter 9): `NaN` stays `NaN`, `1n` stays `1n`, where JSON would not. */

/** A short, faithful description of any value for an error message, e.g. `[0, NaN, 0, 0]`, `"42"`, `1n`. */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined || typeof value === 'boolean' || typeof value === 'symbol' || value === null) return String(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return `[${Array.from(value as unknown as ArrayLike<number | bigint>, describeValue).join(', ')}]`;
  }
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A value's type and description, e.g. `bigint 1n`, `string "42"`, `number NaN`. */
export function describeTyped(value: unknown): string {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return type === 'null' || type === 'undefined' ? type : `${type} ${describeValue(value)}`;
}
