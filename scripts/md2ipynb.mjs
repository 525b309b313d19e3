#!/usr/bin/env node
// @ts-check
// Authoring aid: turns a Markdown draft into a notebook. Fenced ```ts blocks
// become code cells, everything else markdown cells; a fence opened as
// ```ts solution becomes a code cell collapsed by default (the exercise
// solutions, with the metadata of scripts/collapse-solutions.mjs: code and
// output folded in JupyterLab and Notebook 7, output folded in the classic
// Notebook). The .ipynb is what is committed and what readers edit.
// Usage: node scripts/md2ipynb.mjs draft.md notebooks/NN_topic.ipynb
import { readFileSync, writeFileSync } from 'node:fs';
import { solutionMetadata } from './collapse-solutions.mjs';

const [source, target] = process.argv.slice(2);
if (!source || !target) {
  console.error('usage: node scripts/md2ipynb.mjs DRAFT.md OUT.ipynb');
  process.exit(2);
}
const lines = readFileSync(source, 'utf8').split('\n');
/** @type {Record<string, unknown>[]} */
const cells = [];
/** @type {string[]} */
let markdown = [];
const toSource = (/** @type {string[]} */ block) => block.map((line, i) => (i < block.length - 1 ? `${line}\n` : line));
const flushMarkdown = () => {
  while (markdown.length && markdown[0].trim() === '') markdown.shift();
  while (markdown.length && markdown[markdown.length - 1].trim() === '') markdown.pop();
  if (markdown.length) cells.push({ cell_type: 'markdown', id: `cell-${cells.length}`, metadata: {}, source: toSource(markdown) });
  markdown = [];
};
for (let i = 0; i < lines.length; i++) {
  const open = /^```(ts|typescript)(\s+solution)?\s*$/.exec(lines[i]);
  if (!open) {
    markdown.push(lines[i]);
    continue;
  }
  flushMarkdown();
  const code = [];
  for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) code.push(lines[i]);
  const metadata = open[2] ? solutionMetadata() : {};
  cells.push({ cell_type: 'code', id: `cell-${cells.length}`, execution_count: null, metadata, outputs: [], source: toSource(code) });
}
flushMarkdown();
const notebook = {
  cells,
  metadata: {
    kernelspec: { display_name: 'TypeScript', language: 'typescript', name: 'tslab' },
    language_info: { codemirror_mode: { mode: 'typescript', name: 'javascript', typescript: true }, file_extension: '.ts', mimetype: 'text/typescript', name: 'typescript', version: '5.0.4' },
  },
  nbformat: 4,
  nbformat_minor: 5,
};
writeFileSync(target, `${JSON.stringify(notebook, null, 1)}\n`);
console.log(`${target}: ${cells.length} cells`);
