#!/usr/bin/env node
// @ts-check
// Collapses the exercise solutions of the chapters: every code cell tagged
// "solution" gets the cell metadata that keeps its code and its output folded
// away until the reader opens it.
//
// Which front end honours what:
// - JupyterLab (3 and 4), Notebook 7 (built on JupyterLab) and nteract read the
//   nbformat keys `jupyter.source_hidden` (code folded) and
//   `jupyter.outputs_hidden` (output folded); a click on the folded cell's
//   blue bar (or "…") opens it. JupyterLab keeps the legacy `collapsed` key in
//   step with `outputs_hidden`.
// - The classic Notebook 6 reads only `collapsed` (output folded); it has no
//   built-in way to fold a cell's code. With the `hide_input` extension of
//   jupyter_contrib_nbextensions it also reads `hide_input`.
// So a solution cell carries all four. (In a classic Notebook without that
// extension the code stays visible: every solution starts with a comment line
// saying which exercise it solves.)
//
// Usage:
//   node scripts/collapse-solutions.mjs                 all notebooks/NN_*.ipynb
//   node scripts/collapse-solutions.mjs FILE.ipynb ...  only these
//   add --check to change nothing and fail if a solution is not collapsed.
// scripts/md2ipynb.mjs uses solutionMetadata() for ```ts solution blocks.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * A notebook cell as the notebook's JSON has it (the fields these functions read).
 * @typedef {{ cell_type: string, metadata?: Record<string, any> }} Cell
 */

/** The metadata of a collapsed solution cell (a fresh object each call). */
export function solutionMetadata() {
  return { collapsed: true, hide_input: true, jupyter: { source_hidden: true, outputs_hidden: true }, tags: ['solution'] };
}

/**
 * True when a cell is tagged as a solution.
 * @param {Cell} cell
 */
export function isSolution(cell) {
  return cell.cell_type === 'code' && Array.isArray(cell.metadata?.tags) && cell.metadata?.tags.includes('solution');
}

/**
 * True when a solution cell carries every key of solutionMetadata().
 * @param {Cell} cell
 */
export function isCollapsed(cell) {
  const metadata = cell.metadata ?? {};
  return metadata.collapsed === true && metadata.hide_input === true && metadata.jupyter?.source_hidden === true && metadata.jupyter?.outputs_hidden === true;
}

/**
 * Collapses every solution cell of a parsed notebook in place; returns how many cells changed.
 * @param {{ cells?: Cell[] }} notebook
 */
export function collapseSolutions(notebook) {
  let changed = 0;
  for (const cell of notebook.cells ?? []) {
    if (!isSolution(cell) || isCollapsed(cell)) continue;
    const wanted = solutionMetadata();
    const metadata = cell.metadata ?? {};
    cell.metadata = { ...metadata, collapsed: wanted.collapsed, hide_input: wanted.hide_input, jupyter: { ...(metadata.jupyter ?? {}), ...wanted.jupyter } };
    changed++;
  }
  return changed;
}

/**
 * @param {string[]} argv
 * @returns {number}
 */
function main(argv) {
  const check = argv.includes('--check');
  const unknown = argv.filter((a) => a.startsWith('--') && a !== '--check');
  if (unknown.length) {
    console.error(`collapse-solutions: unknown option ${unknown.join(', ')}. Usage: node scripts/collapse-solutions.mjs [--check] [FILE.ipynb ...]`);
    return 2;
  }
  let files = argv.filter((a) => !a.startsWith('--'));
  if (files.length === 0) {
    const notebooks = join(dirname(fileURLToPath(import.meta.url)), '..', 'notebooks');
    files = readdirSync(notebooks).filter((n) => /^\d\d_.+\.ipynb$/.test(n)).sort().map((n) => join(notebooks, n));
  }
  let missing = 0;
  for (const file of files) {
    /** @type {{ cells?: Cell[] }} */
    let notebook;
    try {
      notebook = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      console.error(`collapse-solutions: cannot read ${file} as a notebook: ${error instanceof Error ? error.message : error}`);
      return 1;
    }
    const solutions = (notebook.cells ?? []).filter(isSolution);
    if (check) {
      const open = solutions.filter((cell) => !isCollapsed(cell)).length;
      missing += open;
      console.log(`${file}: ${solutions.length} solution cells, ${open} not collapsed`);
      continue;
    }
    const changed = collapseSolutions(notebook);
    // The notebooks are stored as JSON with one-space indentation and a final newline.
    if (changed) writeFileSync(file, `${JSON.stringify(notebook, null, 1)}\n`);
    console.log(`${file}: ${solutions.length} solution cells, ${changed} collapsed now`);
  }
  if (check && missing) {
    console.error(`collapse-solutions: ${missing} solution cells are not collapsed; run node scripts/collapse-solutions.mjs to collapse them.`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) process.exitCode = main(process.argv.slice(2));
