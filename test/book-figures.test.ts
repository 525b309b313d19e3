// Every chapter's figures in the built HTML book, as a reader's browser shows
// them. The pages are made from the notebooks test/notebooks.test.ts has just
// executed in quick mode (its copies in test-results/notebooks/), with
// `npm run book -- --from`: nothing is executed a second time. Headless
// Chromium opens each chapter page over a local HTTP server, offline (a request
// that leaves 127.0.0.1 fails the test), waits until every plotly figure is
// drawn and every concept diagram (notebooks/figures/*.svg) has loaded, checks
// that no script error and no failed request happened and that the page stays
// small (plotly.js shipped once beside the pages, not inlined), and saves one
// screenshot per figure, NN_chapter-figureN.png, in test-results/book-figures/
// (figures.json there lists what each one shows).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { chromium, Browser, Page } from 'playwright-core';
import { jupyterPython, listNotebooks, repositoryRoot } from './helpers/notebooks';
import { freePort } from './helpers/free-port';

const browserPath = process.env['DLKIT_CHROMIUM'] ?? '/usr/bin/chromium';
const browserArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const noChromium = existsSync(browserPath) ? false : `no Chromium at ${browserPath} (Debian: apt-get install chromium; or set DLKIT_CHROMIUM)`;
/** Where test/notebooks.test.ts keeps the notebooks it executed (outputs included). */
const executedDir = join(repositoryRoot, 'test-results', 'notebooks');
const resultsDir = join(repositoryRoot, 'test-results', 'book-figures');
const bookDir = join(resultsDir, 'book');
/** A chapter page without plotly.js inlined is well under this (the bundle alone is 4.8 MB). */
const PAGE_BYTES_LIMIT = 2_000_000;

interface Output { output_type: string; data?: Record<string, unknown>; ename?: string; evalue?: string }
interface Cell { cell_type: string; source: string | string[]; execution_count?: number | null; outputs?: Output[] }

const text = (value: unknown): string => (Array.isArray(value) ? value.join('') : typeof value === 'string' ? value : '');

/** What the executed notebook says its page must show: plotly figures, concept diagrams, animations. */
function expectedFigures(cells: Cell[]): { plots: number; diagrams: string[]; animations: number } {
  const html = cells.flatMap((c) => (c.outputs ?? []).map((o) => text(o.data?.['text/html'])));
  return {
    plots: html.reduce((n, h) => n + (h.match(/class="dlkit-figure"/g) ?? []).length, 0),
    diagrams: cells.filter((c) => c.cell_type === 'markdown').flatMap((c) => [...text(c.source).matchAll(/\]\((figures\/[^)\s]+\.svg)\)/g)].map((m) => m[1] as string)),
    animations: html.reduce((n, h) => n + (h.match(/<svg\b[^>]*>(?:(?!<\/svg>)[\s\S])*?<animateTransform\b/g) ?? []).length, 0),
  };
}

/** The cells of the notebook as committed (no outputs). */
function sourceCells(name: string): Cell[] {
  return (JSON.parse(readFileSync(join(repositoryRoot, 'notebooks', name), 'utf8')) as { cells: Cell[] }).cells;
}

/**
 * Reads the executed copy of a notebook and says what is wrong with it, if
 * anything: absent, older than the notebook, not run to the end, or with an error.
 */
function readExecuted(name: string): { cells: Cell[] } | { problem: string } {
  const path = join(executedDir, name);
  const rerun = `run the notebooks first: node scripts/test.mjs notebooks.test.ts book-figures.test.ts (npm test runs them in that order)`;
  if (!existsSync(path)) return { problem: `no executed copy of ${name} in ${executedDir}: ${rerun}` };
  if (statSync(path).mtimeMs < statSync(join(repositoryRoot, 'notebooks', name)).mtimeMs) {
    return { problem: `the executed copy of ${name} is older than notebooks/${name}, so its page would show old figures: ${rerun}` };
  }
  const cells = (JSON.parse(readFileSync(path, 'utf8')) as { cells: Cell[] }).cells;
  const error = cells.findIndex((c) => (c.outputs ?? []).some((o) => o.output_type === 'error'));
  if (error >= 0) {
    const failed = (cells[error]?.outputs ?? []).find((o) => o.output_type === 'error');
    return { problem: `the executed copy of ${name} stopped with an error in cell ${error} (${failed?.ename}: ${failed?.evalue}); notebooks.test.ts reports it` };
  }
  const notRun = cells.findIndex((c) => c.cell_type === 'code' && text(c.source).trim() !== '' && typeof c.execution_count !== 'number');
  if (notRun >= 0) return { problem: `the executed copy of ${name} did not run cell ${notRun} (execution stopped early); notebooks.test.ts reports why` };
  return { cells };
}

const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.svg': 'image/svg+xml', '.css': 'text/css', '.json': 'application/json', '.png': 'image/png', '.woff': 'font/woff', '.otf': 'font/otf', '.eot': 'application/vnd.ms-fontobject', '.ttf': 'font/ttf' };

/** A static file server for the book on 127.0.0.1 (what `python -m http.server` in dist/book/ would do). */
async function serveBook(root: string): Promise<{ server: Server; origin: string }> {
  const port = await freePort();
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end(`not found: ${path}`);
      return;
    }
    // plotly.min.js and MathJax load once for all the pages.
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'cache-control': 'max-age=3600' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolveListen) => server.listen(port, '127.0.0.1', resolveListen));
  return { server, origin: `http://127.0.0.1:${port}` };
}

/** In the page: how far drawing has come (every plotly div drawn, every diagram loaded). */
function drawingState(): { plots: number; drawn: number; diagrams: number; loaded: number; broken: string[]; animations: number } {
  const plots = Array.from(document.querySelectorAll('.dlkit-figure'));
  const diagrams = Array.from(document.querySelectorAll<HTMLImageElement>('img[src^="figures/"]'));
  return {
    plots: plots.length,
    drawn: plots.filter((p) => p.querySelector('svg.main-svg') !== null).length,
    diagrams: diagrams.length,
    loaded: diagrams.filter((img) => img.complete && img.naturalWidth > 0).length,
    broken: diagrams.filter((img) => img.complete && img.naturalWidth === 0).map((img) => img.getAttribute('src') ?? ''),
    animations: document.querySelectorAll('svg:has(animateTransform)').length,
  };
}

/** In the page: each figure in reading order, what it is and a short description for figures.json. */
function listFigures(): { kind: string; description: string }[] {
  const all = Array.from(document.querySelectorAll('.dlkit-figure, img[src^="figures/"], svg:has(animateTransform)'));
  return all.map((element) => {
    if (element.classList.contains('dlkit-figure')) {
      const layout = (element as unknown as { layout?: { title?: { text?: string } } }).layout;
      const data = (element as unknown as { data?: { type?: string }[] }).data ?? [];
      const kinds = [...new Set(data.map((t) => t.type ?? 'scatter'))].join('+');
      return { kind: 'plot', description: `${layout?.title?.text ?? '(no title)'} [${kinds}]` };
    }
    if (element.tagName.toLowerCase() === 'img') return { kind: 'diagram', description: element.getAttribute('src') ?? '' };
    return { kind: 'animation', description: element.parentElement?.textContent?.trim() ?? '' };
  });
}

interface ChapterReport { page: string; bytes: number; figures: { file: string; kind: string; description: string; width: number; height: number }[] }

let browser: Browser | null = null;
let book: { server: Server; origin: string } | null = null;
const reports: ChapterReport[] = [];

test('the book\'s pages, made from the executed notebooks, draw every chapter\'s figures offline; one screenshot per figure', { skip: noChromium, timeout: 5_400_000 }, async (t) => {
  const notebooks = listNotebooks();
  const executed = new Map(notebooks.map((name) => [name, readExecuted(name)]));
  const usable = notebooks.filter((name) => 'cells' in (executed.get(name) ?? {}));
  assert.ok(usable.length > 0, `no executed notebook to make pages from: ${notebooks.map((n) => (executed.get(n) as { problem?: string }).problem).find(Boolean)}`);

  // The pages: `npm run book -- --from`, into a fresh folder (MathJax, a 54 MB copy, is kept between runs).
  mkdirSync(resultsDir, { recursive: true });
  for (const entry of readdirSync(resultsDir)) if (entry.endsWith('.png')) rmSync(join(resultsDir, entry));
  if (existsSync(bookDir)) for (const entry of readdirSync(bookDir)) if (entry !== 'mathjax') rmSync(join(bookDir, entry), { recursive: true, force: true });
  const started = Date.now();
  const build = spawnSync(process.execPath, [join(repositoryRoot, 'scripts', 'book.mjs'), '--prepared', '--from', executedDir, '--out', bookDir, ...usable.map((n) => n.slice(0, 2))], {
    encoding: 'utf8',
    env: { ...process.env, DLKIT_JUPYTER_PYTHON: jupyterPython() },
  });
  assert.equal(build.status, 0, `npm run book -- --from failed:\n${build.stdout}\n${build.stderr}`);
  assert.doesNotMatch(build.stdout, /executing \d\d_/, 'nothing is executed again');
  console.log(`pages made from ${usable.length} executed notebooks in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const localMathjax = existsSync(join(bookDir, 'mathjax', 'MathJax.js'));

  book = await serveBook(bookDir);
  browser = await chromium.launch({ executablePath: browserPath, args: browserArgs });
  const origin = book.origin;
  for (const name of notebooks) {
    await t.test(name, async () => {
      const source = executed.get(name) ?? { problem: 'not read' };
      if ('problem' in source) assert.fail(source.problem);
      const expected = expectedFigures(source.cells);
      const pageFile = name.replace(/\.ipynb$/, '.html');
      const stem = name.replace(/\.ipynb$/, '');
      const html = readFileSync(join(bookDir, pageFile), 'utf8');
      const bytes = Buffer.byteLength(html);
      assert.doesNotMatch(html, /\/\*\*?\s*\*?\s*plotly\.js v\d/, `${pageFile}: plotly.js is not inlined in the page`);
      assert.ok(bytes < PAGE_BYTES_LIMIT, `${pageFile} is ${(bytes / 1e6).toFixed(2)} MB; a page without plotly.js inlined stays under ${PAGE_BYTES_LIMIT / 1e6} MB`);
      if (expected.plots > 0) assert.equal((html.match(/<script src="plotly\.min\.js"><\/script>/g) ?? []).length, 1, `${pageFile} loads the shared plotly.min.js once`);

      const page: Page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      const outside: string[] = [];
      try {
        // Offline: whatever does not go to the book's own server is refused and recorded.
        await page.route('**/*', (route) => {
          const url = route.request().url();
          if (url.startsWith(`${origin}/`) || url.startsWith('data:')) return route.continue();
          outside.push(url);
          return route.abort();
        });
        page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
        page.on('console', (message) => {
          // A refused outside request is reported (and judged) below, not twice.
          if (message.type() === 'error' && !outside.includes(message.location().url)) problems.push(`console error: ${message.text()}`);
        });
        page.on('requestfailed', (request) => {
          if (!outside.includes(request.url())) problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? ''})`);
        });
        page.on('response', (response) => {
          if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
        });
        const opened = Date.now();
        await page.goto(`${origin}/${pageFile}`, { waitUntil: 'load', timeout: 120_000 });
        // A reader opens the folded solutions to see their figures.
        await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
        await page.waitForFunction(() => {
          const plots = Array.from(document.querySelectorAll('.dlkit-figure'));
          const images = Array.from(document.querySelectorAll<HTMLImageElement>('img[src^="figures/"]'));
          return plots.every((p) => p.querySelector('svg.main-svg') !== null) && images.every((img) => img.complete);
        }, undefined, { timeout: 120_000, polling: 250 }).catch(() => undefined);
        const state = await page.evaluate(drawingState);
        const drawnAfter = (Date.now() - opened) / 1000;
        assert.equal(state.plots, expected.plots, `${pageFile}: the page has a div for each of the notebook's ${expected.plots} plotly figures`);
        const seen = problems.length ? ` (the page reported: ${problems.slice(0, 5).join('; ')})` : '';
        assert.equal(state.drawn, state.plots, `${pageFile}: every plotly figure is drawn (${state.drawn} of ${state.plots})${seen}`);
        assert.equal(state.diagrams, expected.diagrams.length, `${pageFile}: every concept diagram the text references is on the page (${expected.diagrams.join(', ')})`);
        assert.deepEqual(state.broken, [], `${pageFile}: every concept diagram loads${seen}`);
        assert.equal(state.loaded, state.diagrams, `${pageFile}: every concept diagram has loaded (${state.loaded} of ${state.diagrams})`);
        assert.equal(state.animations, expected.animations, `${pageFile}: every episode animation is on the page`);
        const total = expected.plots + expected.diagrams.length + expected.animations;
        // Independent of the run: a chapter whose code shows a figure has one on its page.
        const showing = sourceCells(name).filter((c) => c.cell_type === 'code' && /\.show\(\)/.test(text(c.source))).length;
        if (showing > 0) assert.ok(state.drawn >= 1, `${pageFile}: ${showing} code cells show a figure, so the page has at least one drawn plot (found ${state.drawn})`);

        const figures = await page.evaluate(listFigures);
        // A plotly figure's drawing (.svg-container), as wide as plotly drew it, not the full-width div around it.
        const elements = page.locator('.dlkit-figure .svg-container, img[src^="figures/"], svg:has(animateTransform)');
        assert.equal(await elements.count(), total, `${pageFile}: ${total} figures to screenshot`);
        const report: ChapterReport = { page: pageFile, bytes, figures: [] };
        for (let i = 0; i < total; i += 1) {
          const element = elements.nth(i);
          const file = `${stem}-figure${i + 1}.png`;
          await element.scrollIntoViewIfNeeded();
          const box = await element.boundingBox();
          assert.ok(box && box.width > 0 && box.height > 0, `${pageFile}: figure ${i + 1} (${figures[i]?.description}) is visible, not an empty box`);
          await element.screenshot({ path: join(resultsDir, file), timeout: 60_000 });
          report.figures.push({ file, kind: figures[i]?.kind ?? '', description: figures[i]?.description ?? '', width: Math.round(box.width), height: Math.round(box.height) });
        }
        reports.push(report);
        console.log(`${stem}: ${total} figures drawn ${drawnAfter.toFixed(1)} s after opening the page, screenshots ${((Date.now() - opened) / 1000 - drawnAfter).toFixed(1)} s`);
        // Without Debian's MathJax the pages fall back to nbconvert's CDN address for it; nothing else may go out.
        assert.deepEqual(localMathjax ? outside : outside.filter((url) => !/mathjax/i.test(url)), [], `${pageFile}: no request leaves the local server`);
        assert.deepEqual(problems, [], `${pageFile}: no script error, no failed request`);
      } finally {
        await page.close();
      }
    });
  }
  writeFileSync(join(resultsDir, 'figures.json'), `${JSON.stringify(reports, null, 2)}\n`);
  const count = reports.reduce((n, r) => n + r.figures.length, 0);
  console.log(`${count} figure screenshots of ${reports.length} chapters in ${resultsDir}; pages ${reports.map((r) => `${r.page.slice(0, 2)} ${(r.bytes / 1e6).toFixed(2)} MB`).join(', ')}`);
});

test.after(async () => {
  await browser?.close();
  await new Promise((r) => (book ? book.server.close(r) : r(undefined)));
});
