// The picture of the house stays true: lib/README.md's table says which folder of lib/src may import
// which, and this test reads that table and checks every import in lib/src against it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { repositoryRoot } from './helpers/notebooks';

/** Room name (a folder of lib/src, e.g. `data`) -> the rooms and packages it may import. */
type Rules = Map<string, Set<string>>;

/** One import of one file: where it is, what it names, and the room it reaches (null: a package we do not police). */
interface Edge {
  where: string;
  specifier: string;
  from: string;
  to: string | null;
}

const README = join(repositoryRoot, 'lib', 'README.md');
const SOURCE = join(repositoryRoot, 'lib', 'src');

/** The table rows of lib/README.md: | `room/` | what it owns | `a`, `b` |. */
function readRules(markdown: string): Rules {
  const rules: Rules = new Map();
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const room = /^`([\w-]+)\/`$/.exec(cells[1] ?? '');
    if (!room || cells.length < 5) continue;
    const allowed = [...(cells[3] as string).matchAll(/`([\w-]+)`/g)].map((m) => m[1] as string);
    rules.set(room[1] as string, new Set(allowed));
  }
  return rules;
}

/** Comments out of the way (keeping line numbers), so that an import in JSDoc does not count. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ' ')).replace(/(^|\s)\/\/.*$/gm, '$1');
}

function typeScriptFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return typeScriptFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The room a path under `root` belongs to: its first folder, or the file name for a file at the top (`index.ts`). */
function roomOf(root: string, path: string): string {
  const parts = relative(root, path).split(sep);
  return parts.length === 1 ? `${(parts[0] as string).replace(/\.ts$/, '')}.ts` : (parts[0] as string);
}

/** Every static import, `export ... from`, dynamic `import()` and `require()` of the .ts files under `root`. */
function importGraph(root: string): Edge[] {
  const edges: Edge[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])([^'"]+)\1/gm;
  for (const file of typeScriptFiles(root)) {
    const source = withoutComments(readFileSync(file, 'utf8'));
    for (const match of source.matchAll(pattern)) {
      const specifier = match[2] as string;
      const line = source.slice(0, match.index).split('\n').length;
      const where = `${relative(repositoryRoot, file)}:${line}`;
      let to: string | null = null;
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier);
        to = relative(root, target).startsWith('..') ? 'outside lib/src' : roomOf(root, target.endsWith('.ts') ? target : `${target}.ts`);
      } else if (specifier === 'dlkit' || specifier.startsWith('dlkit/')) {
        to = 'dlkit';
      } else if (specifier === 'gym-js' || specifier.startsWith('gym-js/')) {
        to = 'gym-js';
      }
      edges.push({ where, specifier, from: roomOf(root, file), to });
    }
  }
  return edges;
}

/** What breaks the rules, one readable line each. */
function violations(root: string, rules: Rules): string[] {
  const problems: string[] = [];
  const rooms = readdirSync(root).filter((name) => statSync(join(root, name)).isDirectory());
  for (const room of rooms) if (!rules.has(room)) problems.push(`lib/src/${room}/ has no row in lib/README.md's table; add what it owns and what it may import`);
  for (const edge of importGraph(root)) {
    if (edge.to === null || edge.to === edge.from) continue;
    if (edge.to === 'dlkit' || edge.to === 'outside lib/src' || edge.to === 'index.ts') {
      problems.push(`${edge.where} imports '${edge.specifier}' (${edge.to}); inside lib/src import the room's own file instead`);
      continue;
    }
    if (edge.from === 'index.ts') continue;
    const allowed = rules.get(edge.from);
    if (allowed && !allowed.has(edge.to)) {
      const may = allowed.size ? [...allowed].join(', ') : 'nothing of ours';
      problems.push(`${edge.where} imports '${edge.specifier}' (${edge.to}), but ${edge.from}/ may import only ${may} (lib/README.md)`);
    }
  }
  return problems;
}

test('lib/README.md has a rule for every folder of lib/src, and none that lets a room import measure/', () => {
  const rules = readRules(readFileSync(README, 'utf8'));
  const rooms = readdirSync(SOURCE).filter((name) => statSync(join(SOURCE, name)).isDirectory()).sort();
  assert.deepEqual([...rules.keys()].filter((room) => room !== 'gym-js').sort(), rooms);
  for (const [room, allowed] of rules) assert.ok(!allowed.has('measure'), `${room}/ may import measure/`);
  assert.deepEqual([...(rules.get('data') ?? [])].sort(), ['backend', 'util']);
  assert.ok(!rules.get('plot')?.has('data') && !rules.get('plot')?.has('train'), 'plot/ may not import data/ or train/');
  assert.ok(!rules.get('train')?.has('models'), 'train/ may not import models/');
  assert.deepEqual([...(rules.get('notebook') ?? ['no row'])], [], 'notebook/ imports nothing of ours, so that initBackend (backend/) can start the stop button');
});

test('every import in lib/src follows the table in lib/README.md', () => {
  const rules = readRules(readFileSync(README, 'utf8'));
  assert.ok(importGraph(SOURCE).length > 50, 'the import graph was read');
  assert.deepEqual(violations(SOURCE, rules), []);
});

test('the check fails on planted wrong imports and ignores imports in comments', () => {
  const rules = readRules(readFileSync(README, 'utf8'));
  const root = mkdtempSync(join(tmpdir(), 'dlkit-rules-'));
  const plant = (path: string, source: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), source);
  };
  try {
    for (const room of rules.keys()) mkdirSync(join(root, room), { recursive: true });
    plant('util/numbers.ts', 'export type Numbers = ArrayLike<number>;\n');
    plant('plot/charts.ts', "import type { Numbers } from '../util/numbers';\n// import { Dataset } from '../data/dataset';\n/** `import { Trainer } from '../train/trainer'` */\nexport const x = 1;\n");
    plant('rl/agent.ts', "import { make } from 'gym-js';\nimport { clip } from '../train/clip';\nimport * as tf from '@tensorflow/tfjs';\n");
    plant('index.ts', "export * from './measure/index';\nexport * from './plot/charts';\n");
    assert.deepEqual(violations(root, rules), [], 'allowed imports and commented-out ones pass');
    plant('data/finance.ts', "import type { Numbers } from '../plot/charts';\n");
    plant('train/trainer.ts', "export async function f() {\n  return import('../measure/index');\n}\n");
    plant('models/mlp.ts', "const { tf } = require('dlkit');\n");
    plant('scale/size.ts', "export { tf } from '../backend/tf';\n");
    plant('cache/store.ts', 'export const y = 2;\n');
    const found = violations(root, rules);
    assert.equal(found.length, 5, found.join('\n'));
    assert.ok(found.some((p) => /data\/finance\.ts:1 imports '\.\.\/plot\/charts' \(plot\), but data\/ may import only backend, util/.test(p)), found.join('\n'));
    assert.ok(found.some((p) => /train\/trainer\.ts:2 imports '\.\.\/measure\/index' \(measure\)/.test(p)), found.join('\n'));
    assert.ok(found.some((p) => /models\/mlp\.ts:1 imports 'dlkit'/.test(p)), found.join('\n'));
    assert.ok(found.some((p) => /scale\/size\.ts:1 imports '\.\.\/backend\/tf' \(backend\), but scale\/ may import only util/.test(p)), found.join('\n'));
    assert.ok(found.some((p) => /lib\/src\/cache\/ has no row/.test(p)), found.join('\n'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
