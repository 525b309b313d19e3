// gym-js stays a package of its own: no runtime dependencies, and its sources import only each other
// (never dlkit, TensorFlow.js or Node's modules), so that `import { make } from 'gym-js'` works in any project.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** gym/ (this file runs from gym/test/dist). */
const packageRoot = resolve(__dirname, '..', '..');

/** Every static import, `export ... from`, dynamic `import()` and `require()` in `source`, outside comments. */
function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])([^'"]+)\1/gm;
  return [...code.matchAll(pattern)].map((match) => match[2] as string);
}

/** The imports of the files under `folder` that leave it: `file: specifier`. */
function importsLeaving(folder: string): string[] {
  const files = readdirSync(folder).filter((name) => name.endsWith('.ts'));
  return files.flatMap((name) => importsOf(readFileSync(join(folder, name), 'utf8')).filter((s) => !s.startsWith('./')).map((s) => `${name}: ${s}`));
}

test('gym-js has no runtime dependencies and its sources import only each other', () => {
  const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies']) {
    assert.equal(manifest[field], undefined, `gym/package.json has ${field}`);
  }
  const sources = join(packageRoot, 'src');
  assert.ok(importsOf(readFileSync(join(sources, 'index.ts'), 'utf8')).length > 5, 'the imports were read');
  assert.deepEqual(importsLeaving(sources), []);
});

test('the check sees imports of other packages and of folders above, and ignores comments', () => {
  assert.deepEqual(
    importsOf("import { a } from './a';\nimport * as tf from '@tensorflow/tfjs';\nexport { b } from '../lib/b';\n// import 'dlkit';\nconst fs = require('node:fs');\n"),
    ['./a', '@tensorflow/tfjs', '../lib/b', 'node:fs'],
  );
});
