// The shape every chapter keeps: TypeScript kernel, no committed outputs, the
// backend and seed first, imports only by package name, a summary and
// exercises with collapsed solutions, and no helper copied between notebooks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listNotebooks, repositoryRoot } from './helpers/notebooks';

interface Cell {
  cell_type: string;
  source: string[] | string;
  outputs?: unknown[];
  metadata?: { tags?: string[]; jupyter?: { source_hidden?: boolean } };
}

function load(name: string): { cells: Cell[]; metadata: { kernelspec?: { name?: string } } } {
  return JSON.parse(readFileSync(join(repositoryRoot, 'notebooks', name), 'utf8'));
}

const text = (cell: Cell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);
const allowedImports = /^(dlkit|danfojs-node|tslab|node:[a-z_/]+)$/;

for (const name of listNotebooks()) {
  test(`${name} follows the chapter structure`, () => {
    const notebook = load(name);
    assert.equal(notebook.metadata.kernelspec?.name, 'tslab', 'uses the tslab kernel');
    const code = notebook.cells.filter((c) => c.cell_type === 'code');
    assert.ok(code.length > 0, 'has code');
    assert.ok(code.every((c) => (c.outputs ?? []).length === 0), 'is committed without outputs');
    const first = text(code[0] as Cell);
    assert.match(first, /initBackend\(/, 'the first code cell chooses the backend');
    assert.match(first, /\bseed\(/, 'the first code cell seeds randomness');
    const markdown = notebook.cells.filter((c) => c.cell_type === 'markdown').map(text).join('\n');
    assert.match(markdown, /^#+ .*Summary/m, 'has a summary');
    assert.match(markdown, /^#+ .*Exercises/m, 'has exercises');
    const solutions = code.filter((c) => c.metadata?.tags?.includes('solution'));
    assert.ok(solutions.length >= 1, 'exercises have solution cells');
    assert.ok(solutions.every((c) => c.metadata?.jupyter?.source_hidden === true), 'solutions are collapsed');
    for (const cell of code) {
      for (const match of text(cell).matchAll(/\bfrom\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        const specifier = (match[1] ?? match[2]) as string;
        assert.match(specifier, allowedImports, `imports "${specifier}": notebooks import dlkit by name, never relative files`);
      }
    }
  });
}

test('no helper function is written in two notebooks (it belongs in dlkit)', () => {
  const seen = new Map<string, string>();
  const duplicates: string[] = [];
  for (const name of listNotebooks()) {
    const declared = new Set<string>();
    for (const cell of load(name).cells.filter((c) => c.cell_type === 'code' && !c.metadata?.tags?.includes('solution'))) {
      for (const match of text(cell).matchAll(/^\s*(?:export\s+)?(?:async\s+)?function\s+([A-Za-z_$][\w$]*)|^\s*(?:const|let)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s*)?\([^)]*\)\s*(?::[^=]+)?=>\s*\{/gm)) {
        declared.add((match[1] ?? match[2]) as string);
      }
    }
    for (const fn of declared) {
      const other = seen.get(fn);
      if (other) duplicates.push(`${fn} in ${other} and ${name}`);
      else seen.set(fn, name);
    }
  }
  assert.deepEqual(duplicates, []);
});
