// The book's page post-processing (scripts/book-pages.mjs) on a page shaped
// like nbconvert's lab template: plotly.js once, navigation, "Exercise n.",
// solutions folded with their output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repositoryRoot } from './helpers/notebooks';

interface PageResult { html: string; plotlyRemoved: number; exercises: number; solutions: number }
interface HeadlineResult { name: string; value: number | string; unit?: string }
interface BookPages {
  processPage(html: string, options: { chapters: { page: string; title: string }[]; current: string }): PageResult;
  writeIndex(bookDir: string, notebooksDir: string, timings: { notebooks: Record<string, { seconds?: number; ok: boolean; mode?: string; results: HeadlineResult[] }> }): void;
}

// The tests compile to CommonJS, where `import()` would become `require()`; an .mjs needs a real dynamic import.
const importModule = new Function('path', 'return import(path)') as (path: string) => Promise<BookPages>;

const bundle = readFileSync(require.resolve('plotly.js-dist-min/plotly.min.js'), 'utf8').replace(/<\/script/gi, '<\\/script');
const markdown = (html: string) => `<div class="jp-Cell jp-MarkdownCell jp-Notebook-cell"><div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput " data-mime-type="text/markdown">\n${html}\n</div></div>`;
const page = `<!DOCTYPE html><html><head><title>ch</title></head><body class="jp-Notebook">
<div class="jp-OutputArea-output"><script type="text/javascript">${bundle}</script><div class="dlkit-plotly-loaded" style="display:none">plotly.js loaded</div></div>
<div id="f1" class="dlkit-figure"></div><script type="text/javascript">window.Plotly.newPlot('f1', [], {});</script>
${markdown('<h2 id="Exercises">Exercises<a class="anchor-link" href="#Exercises">¶</a></h2>\n<ol>\n<li>First question?</li>\n</ol>')}
<div class="jp-Cell jp-CodeCell jp-Notebook-cell   celltag_solution"><div class="jp-InputArea"><pre>// Exercise 1: the answer</pre></div><div class="jp-OutputArea"><div>42</div><script>var s = "<div>";</script></div></div>
${markdown('<ol start="2">\n<li><p>Second question?</p></li>\n</ol>')}
${markdown('<ol>\n<li>Third question?</li>\n</ol>')}
<div class="jp-Cell jp-CodeCell jp-Notebook-cell"><pre>not a solution</pre></div>
</body></html>`;
const chapters = [
  { page: '00_setup.html', title: 'Chapter 0: Setup' },
  { page: '02_concepts.html', title: 'Chapter 2: Concepts' },
  { page: '03_forward.html', title: 'Chapter 3: Forward & backward' },
];

test('book pages: plotly.js once from a shared file, navigation on every page, exercises numbered, solutions folded', async () => {
  const { processPage } = await importModule(join(repositoryRoot, 'scripts', 'book-pages.mjs'));
  const result = processPage(page, { chapters, current: '02_concepts.html' });
  const html = result.html;
  assert.equal(result.plotlyRemoved, 1);
  assert.ok(html.length < page.length - 1_000_000, 'the 4.8 MB bundle is gone from the page');
  assert.equal((html.match(/<script src="plotly\.min\.js"><\/script>/g) ?? []).length, 1);
  assert.ok(html.indexOf('src="plotly.min.js"') < html.indexOf('</head>'), 'loaded in <head>, before any figure script');
  assert.match(html, /Plotly\.newPlot\('f1'/, 'the figure scripts stay');
  // Navigation: previous, next, the chapter list, top and bottom.
  assert.equal((html.match(/<a rel="prev" href="00_setup\.html">← Chapter 0: Setup<\/a>/g) ?? []).length, 2);
  assert.equal((html.match(/<a rel="next" href="03_forward\.html">Chapter 3: Forward &amp; backward →<\/a>/g) ?? []).length, 2);
  assert.match(html, /<li aria-current="page"><b>Chapter 2: Concepts<\/b><\/li>/);
  // Exercises 1, 2, 3 although the second list says start="2" and the third starts again at 1.
  assert.equal(result.exercises, 3);
  assert.deepEqual([...html.matchAll(/Exercise (\d)\.<\/strong>/g)].map((m) => m[1]), ['1', '2', '3']);
  assert.ok(!/start="2"/.test(html));
  // The solution cell, code and output, inside <details>; the other code cell is not.
  assert.equal(result.solutions, 1);
  assert.match(html, /<details class="solution"><summary>Solution to exercise 1 \(click to open\)<\/summary><div class="jp-Cell jp-CodeCell[^"]*celltag_solution">[\s\S]*<div>42<\/div>[\s\S]*?<\/div><\/div><\/details>/);
  assert.ok(!/<details[^>]*>(?:(?!<\/details>)[\s\S])*not a solution/.test(html));
  // Running twice changes nothing (a rebuilt book re-processes existing pages).
  assert.equal(processPage(html, { chapters, current: '02_concepts.html' }).html, html);
});

test('book index: one headline table with every chapter\'s reported results and its wall time, for the pages that exist', async () => {
  const { writeIndex } = await importModule(join(repositoryRoot, 'scripts', 'book-pages.mjs'));
  const bookDir = mkdtempSync(join(tmpdir(), 'dlkit-index-'));
  try {
    for (const page of ['10_finance_credit_risk.html', '12_trends_and_challenges.html']) writeFileSync(join(bookDir, page), '<html></html>');
    writeIndex(bookDir, join(repositoryRoot, 'notebooks'), {
      notebooks: {
        '10_finance_credit_risk.ipynb': { seconds: 85.4, ok: true, mode: 'full', results: [{ name: 'test AUC, MLP', value: 0.83517, unit: '' }, { name: 'interval', value: '-0.004 to 0.013' }] },
        '12_trends_and_challenges.ipynb': { seconds: 414, ok: true, results: [] },
        '11_finance_stock_forecasting.ipynb': { seconds: 222, ok: true, results: [{ name: 'no page, not listed', value: 1 }] },
      },
    });
    const html = readFileSync(join(bookDir, 'index.html'), 'utf8');
    const table = html.slice(html.indexOf('<h2>Headline results</h2>'));
    const rows = [...table.matchAll(/<tr><td>([^<]*)<\/td><td>([^<]*)<\/td><td[^>]*>([^<]*)<\/td><\/tr>/g)].map((m) => [m[1], m[2], m[3]!.trim()]);
    assert.deepEqual(rows, [
      ['10_finance_credit_risk', 'test AUC, MLP', '0.8352'],
      ['', 'interval', '-0.004 to 0.013'],
      ['', 'wall time (full mode)', '85 s'],
      ['12_trends_and_challenges', 'wall time', '414 s'],
    ]);
  } finally {
    rmSync(bookDir, { recursive: true, force: true });
  }
});
