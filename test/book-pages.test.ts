// The book's page post-processing (scripts/book-pages.mjs) on a page shaped
// like nbconvert's lab template: plotly.js once, navigation, "Exercise n.",
// solutions folded with their output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from './helpers/notebooks';

interface PageResult { html: string; plotlyRemoved: number; exercises: number; solutions: number }
interface BookPages {
  processPage(html: string, options: { chapters: { page: string; title: string }[]; current: string }): PageResult;
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
