// @ts-check
// Turns the pages nbconvert wrote into a book (used by scripts/book.mjs, after
// nbconvert, whatever the figures' output looks like):
// - plotly.js ships once, as plotly.min.js beside the pages: every inline copy
//   of the bundle (4.8 MB each) is removed and one <script src> goes in <head>;
// - every page gets the chapter list and previous/next links, top and bottom;
// - exercise lists read "Exercise n." with the right n, even when each exercise
//   sits in its own markdown cell (which nbconvert renumbers from 1);
// - solution cells (tag "solution") are folded in <details>, outputs included;
// - the concept diagrams (notebooks/figures) are copied next to the pages.
// Also the two steps before it that need no kernel: nbconvert's HTML of
// executed notebooks (convertToHtml) and the index page (writeIndex), so that
// `npm run book -- --from DIR` and test/book-figures.test.ts make the book's
// pages from notebooks executed earlier, without executing them again.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
export const PLOTLY_FILE = 'plotly.min.js';
const NAV_START = '<!-- book-nav -->';
const NAV_END = '<!-- /book-nav -->';
const STYLE_MARK = 'book-pages-style';

/** @typedef {{ page: string, title: string }} Chapter */
/** @typedef {{ cell_type: string, source?: string | string[], outputs?: { output_type: string, text?: string | string[] }[], metadata?: { tags?: string[] } }} NotebookCell */
/** @typedef {{ name: string, value: number | string, unit?: string }} HeadlineResult */
/** @typedef {{ seconds?: number, ok: boolean, mode?: string, results?: HeadlineResult[] }} NotebookTiming */
/** @typedef {{ notebooks: Record<string, NotebookTiming>, totalSeconds?: number, machine?: { cores: number, cpu: string } }} BookTimings */

/**
 * True when an inline script's text is the plotly.js bundle (not a figure that calls Plotly).
 * @param {string} scriptText
 */
export function isPlotlyBundle(scriptText) {
  return scriptText.length > 100_000 && /^\s*\/\*\*?\s*\*?\s*plotly\.js v\d/.test(scriptText.slice(0, 200));
}

/** @param {string} text */
function escapeHtml(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Removes every inline copy of the plotly bundle; returns the page and how many were removed.
 * @param {string} html
 */
export function removeInlinePlotly(html) {
  let removed = 0;
  const page = html.replace(/<script\b[^>]*>([\s\S]*?)<\/script>/gi, (whole, text) => {
    if (/\bsrc=/.test(whole.slice(0, whole.indexOf('>')))) return whole;
    if (!isPlotlyBundle(text)) return whole;
    removed += 1;
    return '';
  });
  return { html: page, removed };
}

/**
 * The index just past the </div> that closes the <div> starting at `start` (script bodies skipped).
 * @param {string} html
 * @param {number} start
 */
function endOfDiv(html, start) {
  const token = /<script\b[\s\S]*?<\/script>|<div\b|<\/div>/gi;
  token.lastIndex = start;
  let depth = 0;
  for (let match = token.exec(html); match; match = token.exec(html)) {
    if (match[0].toLowerCase() === '</div>') depth -= 1;
    else if (match[0].toLowerCase() === '<div') depth += 1;
    if (depth === 0) return match.index + match[0].length;
  }
  throw new Error(`book: a <div> opened at character ${start} is never closed; is this an nbconvert page?`);
}

/**
 * Folds every solution cell (class celltag_solution) into <details>, code and output.
 * @param {string} html
 */
export function foldSolutions(html) {
  let out = '';
  let from = 0;
  const opening = /<div\b[^>]*class="[^"]*\bjp-CodeCell\b[^"]*\bcelltag_solution\b[^"]*"[^>]*>/gi;
  let count = 0;
  for (let match = opening.exec(html); match; match = opening.exec(html)) {
    if (match.index < from) continue;
    // Already folded by an earlier run: leave it.
    if (/<details class="solution">\s*<summary>[^<]*<\/summary>\s*$/.test(html.slice(Math.max(0, match.index - 200), match.index))) continue;
    const end = endOfDiv(html, match.index);
    const cell = html.slice(match.index, end);
    const text = cell.replace(/<script\b[\s\S]*?<\/script>/gi, '').replace(/<[^>]+>/g, '').replace(/&[a-z]+;/g, ' ');
    const exercise = /Exercise\s+(\d+)/.exec(text.slice(0, 2000))?.[1];
    out += html.slice(from, match.index) + `<details class="solution"><summary>${exercise ? `Solution to exercise ${exercise}` : 'Solution'} (click to open)</summary>` + cell + '</details>';
    from = end;
    opening.lastIndex = end;
    count += 1;
  }
  return { html: out + html.slice(from), count };
}

/**
 * Numbers the exercise lists "Exercise n." after the "Exercises" heading: the
 * lists that open a markdown cell or follow the heading continue one count.
 * @param {string} html
 */
export function numberExercises(html) {
  const heading = /<h2\b[^>]*>\s*Exercises\b/i.exec(html);
  if (!heading) return { html, count: 0 };
  const next = html.slice(heading.index + 4).search(/<h2\b/i);
  const end = next < 0 ? html.length : heading.index + 4 + next;
  let section = html.slice(heading.index, end);
  let number = 0;
  // A list right after the heading, or first in a markdown cell; already-numbered lists are recognised by their class.
  section = section.replace(/(<\/h2>\s*|data-mime-type="text\/markdown">\s*)<ol\b([^>]*)>([\s\S]*?)<\/ol>/gi, (whole, /** @type {string} */ before, /** @type {string} */ attributes, /** @type {string} */ items) => {
    const cleaned = attributes.replace(/\s*start="\d+"/, '').replace(/\s*class="exercises"/, '');
    const numbered = items
      .replace(/<strong class="exercise-number">Exercise \d+\.<\/strong>\s*/g, '')
      .replace(/<li\b([^>]*)>(\s*(?:<p>)?)/gi, (_li, liAttributes, opening) => {
        number += 1;
        return `<li${liAttributes}>${opening}<strong class="exercise-number">Exercise ${number}.</strong> `;
      });
    return `${before}<ol class="exercises"${cleaned}>${numbered}</ol>`;
  });
  return { html: html.slice(0, heading.index) + section + html.slice(end), count: number };
}

/**
 * The navigation bar: previous, the chapter list, next.
 * @param {Chapter[]} chapters
 * @param {string} current
 */
export function navigation(chapters, current) {
  const index = chapters.findIndex((c) => c.page === current);
  const previous = index > 0 ? chapters[index - 1] : null;
  const next = index >= 0 && index < chapters.length - 1 ? chapters[index + 1] : null;
  const list = chapters
    .map((c) => (c.page === current
      ? `<li aria-current="page"><b>${escapeHtml(c.title)}</b></li>`
      : `<li><a href="${escapeHtml(c.page)}">${escapeHtml(c.title)}</a></li>`))
    .join('');
  const links = `<div class="book-nav-links">${previous ? `<a rel="prev" href="${escapeHtml(previous.page)}">← ${escapeHtml(previous.title)}</a>` : '<span></span>'}`
    + `<a href="index.html">Contents</a>`
    + `${next ? `<a rel="next" href="${escapeHtml(next.page)}">${escapeHtml(next.title)} →</a>` : '<span></span>'}</div>`;
  return { top: `${NAV_START}<nav class="book-nav">${links}<ol class="book-chapters">${list}</ol></nav>${NAV_END}`, bottom: `${NAV_START}<nav class="book-nav book-nav-bottom">${links}</nav>${NAV_END}` };
}

const STYLE = `<style id="${STYLE_MARK}">
.book-nav{font-family:system-ui,sans-serif;font-size:15px;max-width:1100px;margin:0 auto;padding:8px 16px;border-bottom:1px solid #ddd}
.book-nav-bottom{border-bottom:none;border-top:1px solid #ddd;margin-top:2em}
.book-nav-links{display:flex;justify-content:space-between;gap:1em}
.book-nav a{color:#1f5f9f;text-decoration:none}.book-nav a:hover{text-decoration:underline}
ol.book-chapters{list-style:none;padding:0;margin:6px 0 0;display:flex;flex-wrap:wrap;gap:2px 16px;font-size:13px;color:#555}
ol.exercises{list-style:none;padding-left:0}ol.exercises>li{margin-bottom:.6em}
details.solution{margin:8px 0;border-left:3px solid #9ab;padding-left:8px}
details.solution>summary{cursor:pointer;color:#1f5f9f;font-family:system-ui,sans-serif}
</style>`;

/**
 * Everything a page needs: plotly once, navigation, numbered exercises, folded solutions.
 * @param {string} html
 * @param {{ chapters: Chapter[], current: string }} where
 */
export function processPage(html, { chapters, current }) {
  const plotly = removeInlinePlotly(html);
  let page = plotly.html;
  const usesPlotly = plotly.removed > 0 || page.includes(`src="${PLOTLY_FILE}"`) || /\bPlotly\.(newPlot|react)\b/.test(page);
  if (usesPlotly && !page.includes(`src="${PLOTLY_FILE}"`)) page = page.replace(/<\/head>/i, `<script src="${PLOTLY_FILE}"></script>\n</head>`);
  page = page.replace(new RegExp(`<style id="${STYLE_MARK}">[\\s\\S]*?</style>\\n`), '').replace(/<\/head>/i, `${STYLE}\n</head>`);
  page = page.replace(new RegExp(`\\n?${NAV_START}[\\s\\S]*?${NAV_END}`, 'g'), '');
  const nav = navigation(chapters, current);
  page = page.replace(/<body\b[^>]*>/i, (body) => `${body}\n${nav.top}`).replace(/<\/body>/i, `\n${nav.bottom}</body>`);
  const exercises = numberExercises(page);
  const solutions = foldSolutions(exercises.html);
  return { html: solutions.html, plotlyRemoved: plotly.removed, exercises: exercises.count, solutions: solutions.count };
}

/**
 * The chapter title of a notebook: its first level-1 heading.
 * @param {string} path
 * @returns {string}
 */
export function notebookTitle(path) {
  /** @type {{ cells: NotebookCell[] }} */
  const notebook = JSON.parse(readFileSync(path, 'utf8'));
  const cell = notebook.cells.find((c) => c.cell_type === 'markdown');
  const source = cell === undefined ? '' : Array.isArray(cell.source) ? cell.source.join('') : cell.source ?? '';
  return /^#\s+(.+)$/m.exec(source)?.[1]?.trim() ?? (path.split('/').pop() ?? path).replace(/\.ipynb$/, '');
}

/**
 * Post-processes every chapter page in `bookDir` (chapter order from the
 * notebooks) and copies plotly.min.js and the diagrams beside them. Returns
 * one line per page: its size before and after.
 * @param {string} bookDir
 * @param {string} notebooksDir
 */
export function finishBook(bookDir, notebooksDir) {
  const chapters = readdirSync(notebooksDir)
    .filter((n) => /^\d\d_.+\.ipynb$/.test(n)).sort()
    .map((n) => ({ page: n.replace(/\.ipynb$/, '.html'), title: notebookTitle(join(notebooksDir, n)) }))
    .filter((c) => existsSync(join(bookDir, c.page)));
  const report = [];
  for (const chapter of chapters) {
    const path = join(bookDir, chapter.page);
    const before = statSync(path).size;
    const result = processPage(readFileSync(path, 'utf8'), { chapters, current: chapter.page });
    writeFileSync(path, result.html);
    report.push({ page: chapter.page, before, after: Buffer.byteLength(result.html), ...result, html: undefined });
  }
  copyFileSync(require.resolve('plotly.js-dist-min/plotly.min.js'), join(bookDir, PLOTLY_FILE));
  const figures = join(notebooksDir, 'figures');
  if (existsSync(figures)) cpSync(figures, join(bookDir, 'figures'), { recursive: true });
  return report;
}

/** nbconvert's `mathjax_url` for the MathJax copied beside the pages (offline math). */
export const LOCAL_MATHJAX_URL = 'mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe';

/**
 * nbconvert's HTML page of each executed notebook, written to `bookDir` (one
 * nbconvert run for all of them). `mathjaxUrl`: where the pages load MathJax
 * (LOCAL_MATHJAX_URL when it is copied beside them; null: nbconvert's CDN).
 * Returns null, or what went wrong.
 * @param {string} python
 * @param {string[]} notebookPaths
 * @param {string} bookDir
 * @param {{ mathjaxUrl?: string | null }} [options]
 */
export function convertToHtml(python, notebookPaths, bookDir, { mathjaxUrl = null } = {}) {
  if (notebookPaths.length === 0) return null;
  const args = ['-m', 'nbconvert', '--to', 'html', '--output-dir', bookDir];
  if (mathjaxUrl) args.push(`--HTMLExporter.mathjax_url=${mathjaxUrl}`);
  // nbconvert's pages load require.js from a CDN; the book needs none (and with
  // it, plotly.js would register as a module instead of window.Plotly).
  args.push('--HTMLExporter.require_js_url=data:text/javascript,');
  const converted = spawnSync(python, [...args, ...notebookPaths], { encoding: 'utf8' });
  if (converted.status === 0) return null;
  return `nbconvert failed (${converted.error?.message ?? `exit ${converted.status}`}): ${(converted.stderr ?? '').trim().split('\n').slice(-3).join(' / ')}`;
}

/**
 * The text a notebook printed (stream outputs), for the headline results.
 * @param {{ cells: NotebookCell[] }} notebook
 */
export function printedText(notebook) {
  return notebook.cells.flatMap((c) => (c.outputs ?? []).filter((o) => o.output_type === 'stream').map((o) => (Array.isArray(o.text) ? o.text.join('') : o.text ?? ''))).join('\n');
}

/**
 * Writes the book's index.html: the chapters whose pages exist, in order, with
 * how long each ran when known, and the headline results. `timings` has the
 * shape of dist/book/timings.json: `{ notebooks: { name: { seconds?, ok, mode?, results } }, totalSeconds?, machine? }`.
 * @param {string} bookDir
 * @param {string} notebooksDir
 * @param {BookTimings} timings
 */
export function writeIndex(bookDir, notebooksDir, timings) {
  const all = readdirSync(notebooksDir).filter((n) => /^\d\d_.+\.ipynb$/.test(n)).sort();
  const pages = all.filter((n) => existsSync(join(bookDir, n.replace(/\.ipynb$/, '.html'))));
  const rows = pages.map((n) => {
    const time = timings.notebooks[n];
    const seconds = typeof time?.seconds === 'number' ? `${time.seconds.toFixed(0)} s${time.mode ? ` (${time.mode})` : ''}` : '';
    const note = [seconds, time && !time.ok ? 'FAILED' : ''].filter(Boolean).join(', ');
    return `<li><a href="${n.replace(/\.ipynb$/, '.html')}">${escapeHtml(notebookTitle(join(notebooksDir, n)))}</a> <small>${note}</small></li>`;
  });
  // One table for the whole book: each chapter's reported results, then its measured wall time.
  const resultRows = pages.flatMap((n) => {
    const time = timings.notebooks[n];
    const entries = (time?.results ?? []).map((r) => ({
      name: r.name,
      value: typeof r.value === 'number' ? (Math.abs(r.value) >= 100 ? r.value.toFixed(0) : r.value.toPrecision(4)) : r.value,
      unit: r.unit ?? '',
    }));
    if (typeof time?.seconds === 'number') entries.push({ name: `wall time${time.mode ? ` (${time.mode} mode)` : ''}`, value: time.seconds.toFixed(0), unit: 's' });
    return entries.map((r, i) => `<tr><td>${i === 0 ? escapeHtml(n.replace(/\.ipynb$/, '')) : ''}</td><td>${escapeHtml(r.name)}</td><td style="text-align:right">${escapeHtml(r.value)} ${escapeHtml(r.unit)}</td></tr>`);
  });
  const resultsTable = resultRows.length
    ? `<h2>Headline results</h2>\n<p><small>Printed by the notebooks as they ran (<code>reportResult</code>), not typed by hand; wall time as measured when they ran.</small></p>\n<table>\n<tr><th>chapter</th><th>result</th><th>value</th></tr>\n${resultRows.join('\n')}\n</table>`
    : '';
  const total = typeof timings.totalSeconds === 'number' && timings.machine
    ? `<p><small>Total execution time: ${timings.totalSeconds.toFixed(0)} s on ${timings.machine.cores} × ${escapeHtml(timings.machine.cpu)}.</small></p>\n`
    : '';
  writeFileSync(join(bookDir, 'index.html'), `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Deep learning and large models, in TypeScript</title>
<style>body{font-family:system-ui,sans-serif;max-width:720px;margin:3em auto;line-height:1.6}small{color:#777}table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd}</style></head>
<body><h1>Deep learning and large models, in TypeScript</h1>
<p>From gradient descent to DQN: every chapter is a notebook, executed to produce these pages.</p>
<ol start="0">${rows.join('\n')}</ol>
${resultsTable}
${total}</body></html>
`);
}
