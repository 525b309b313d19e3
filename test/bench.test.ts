// The benchmark script in smoke mode (tiny sizes, one repetition), so it never
// rots: it must run, leak no tensors, and write JSON that fits bench/schema.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repositoryRoot } from './helpers/notebooks';

type Schema = {
  type?: string; required?: string[]; properties?: Record<string, Schema>; items?: Schema; enum?: unknown[];
  minimum?: number; exclusiveMinimum?: number; minItems?: number;
};

/** A small JSON-schema check covering the keywords bench/schema.json uses. */
function validate(value: unknown, schema: Schema, path = '$'): string[] {
  const problems: string[] = [];
  const type = schema.type;
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (type === 'integer' ? !Number.isInteger(value) : type !== undefined && actual !== type) {
    return [`${path}: expected ${type}, got ${actual}`];
  }
  if (schema.enum && !schema.enum.includes(value)) problems.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${path}: ${value} < ${schema.minimum}`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) problems.push(`${path}: ${value} <= ${schema.exclusiveMinimum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) problems.push(`${path}: fewer than ${schema.minItems} items`);
    if (schema.items) value.forEach((item, i) => problems.push(...validate(item, schema.items as Schema, `${path}[${i}]`)));
  } else if (actual === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in record)) problems.push(`${path}: missing ${key}`);
    for (const [key, sub] of Object.entries(schema.properties ?? {})) if (key in record) problems.push(...validate(record[key], sub, `${path}.${key}`));
  }
  return problems;
}

test('the schema check itself rejects wrong documents', () => {
  const schema = JSON.parse(readFileSync(join(repositoryRoot, 'bench', 'schema.json'), 'utf8')) as Schema;
  assert.ok(validate({ schema: 'dlkit-bench/1' }, schema).some((p) => p.includes('missing results')));
  assert.ok(validate({ schema: 'x', size: 'smoke', date: '', machine: { cpu: '', cores: 0.5, memoryGiB: 1, node: '', platform: '' }, tfjs: '', backends: ['tpu'], results: [] }, schema).length >= 4);
});

test('npm run bench -- --smoke runs every workload and writes valid JSON', { timeout: 600_000 }, () => {
  const out = join(mkdtempSync(join(tmpdir(), 'dlkit-bench-')), 'results.json');
  const run = spawnSync(process.execPath, [join(repositoryRoot, 'scripts', 'bench.mjs'), '--smoke', '--prepared', '--backends', 'wasm', '--out', out], { encoding: 'utf8' });
  assert.equal(run.status, 0, `bench failed:\n${run.stdout}\n${run.stderr}`);
  const results = JSON.parse(readFileSync(out, 'utf8')) as { results: { workload: string; median?: number; skipped?: string; tensorsLeaked: number }[] };
  const schema = JSON.parse(readFileSync(join(repositoryRoot, 'bench', 'schema.json'), 'utf8')) as Schema;
  assert.deepEqual(validate(results, schema), []);
  const measured = results.results.filter((r) => r.median !== undefined);
  assert.ok(measured.some((r) => r.workload === 'matmul-1024'), 'matmul is always measured');
  assert.ok(measured.some((r) => r.workload === 'mlp-fit'), 'the MLP is always measured');
  for (const r of measured) assert.equal(r.tensorsLeaked, 0, `${r.workload} leaked ${r.tensorsLeaked} tensors`);
});

test('npm run bench measures the rungs a reader would use by default: never the pure-JavaScript cpu rung unless named', { timeout: 300_000 }, () => {
  const out = join(mkdtempSync(join(tmpdir(), 'dlkit-bench-')), 'results.json');
  const env = { ...process.env };
  delete env['DLKIT_BACKEND'];
  const run = spawnSync(process.execPath, [join(repositoryRoot, 'scripts', 'bench.mjs'), '--smoke', '--prepared', '--only', 'matmul-1024', '--out', out], { encoding: 'utf8', env });
  assert.equal(run.status, 0, `bench failed:\n${run.stdout}\n${run.stderr}`);
  const { backends } = JSON.parse(readFileSync(out, 'utf8')) as { backends: string[] };
  assert.ok(backends.includes('wasm'), `wasm starts everywhere: ${backends.join(', ')}`);
  assert.ok(!backends.includes('cpu'), `the cpu rung ran by default: ${backends.join(', ')}`);
});
