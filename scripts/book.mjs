// `npm run book`: executes every notebook in full mode and writes the book as
// HTML to dist/book/ (one page per chapter, an index in chapter order, and
// timings.json). MathJax is copied next to the pages when
// Debian's libjs-mathjax is present, so the book also reads offline.
// scripts/book-pages.mjs then post-processes the pages: plotly.js once for the
// whole book (plotly.min.js beside the pages), the chapter list and
// previous/next links on every page, "Exercise n." numbering, solutions folded.
// Options: --quick (quick mode, for a fast preview), --out DIR, and notebook
// name prefixes (00 03) to build only those.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { finishBook } from './book-pages.mjs';
import { aptInstall, binDir, buildLibrary, checkBackendVariable, checkNode, ensureDatasets, ensureDependencies, ensureJupyter, fail, registerKernel, root, say } from './setup.mjs';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const outIndex = argv.indexOf('--out');
const outDir = outIndex >= 0 ? argv[outIndex + 1] : null;
if (outIndex >= 0 && !outDir) fail('--out needs a folder: npm run book -- --out /tmp/book');
const chosen = argv.filter((a, i) => !a.startsWith('--') && (outIndex < 0 || i !== outIndex + 1));
checkNode();
// --prepared: the caller (the test suite) has already installed and built.
if (!argv.includes('--prepared')) {
  ensureDependencies();
  buildLibrary();
}
checkBackendVariable();
const { python } = ensureJupyter({ need: ['nbclient', 'nbformat', 'nbconvert'] });
registerKernel(python);
ensureDatasets();

// Headline results: each chapter prints `RESULT {json}` lines (dlkit's reportResult); the index gathers them.
const { parseResults } = await import(pathToFileURL(join(root, 'lib', 'dist', 'util', 'results.js')).href);
const notebooksDir = join(root, 'notebooks');
const bookDir = outDir ? resolve(outDir) : join(root, 'dist', 'book');
const executedDir = join(bookDir, 'executed');
mkdirSync(executedDir, { recursive: true });
const all = readdirSync(notebooksDir).filter((n) => /^\d\d_.+\.ipynb$/.test(n)).sort();
const names = chosen.length ? all.filter((n) => chosen.some((c) => n.startsWith(c))) : all;
if (names.length === 0) fail(`No notebook matches ${chosen.join(', ')}. Notebooks: ${all.join(', ')}`);

const mathjaxSource = '/usr/share/javascript/mathjax';
if (!existsSync(join(mathjaxSource, 'MathJax.js'))) aptInstall(['libjs-mathjax']);
const localMathjax = existsSync(join(mathjaxSource, 'MathJax.js'));
if (localMathjax && !existsSync(join(bookDir, 'mathjax', 'MathJax.js'))) {
  say('copying MathJax next to the pages (offline math)');
  cpSync(mathjaxSource, join(bookDir, 'mathjax'), { recursive: true, dereference: true });
}

const env = { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ''}` };
// The pages are HTML: figures need their HTML form and plotly.js (sent once per notebook).
delete env.DLKIT_PLOTLY;
if (quick) env.DLKIT_QUICK = '1';
else delete env.DLKIT_QUICK;

const timingsPath = join(bookDir, 'timings.json');
const previous = existsSync(timingsPath) ? JSON.parse(readFileSync(timingsPath, 'utf8')) : { notebooks: {} };
const chapters = [];
const failures = [];
for (const name of names) {
  say(`executing ${name}${quick ? ' (quick mode)' : ''}`);
  const started = Date.now();
  const execution = spawnSync(python, [join(root, 'scripts', 'execute_notebook.py'), '--timeout', '3600', '--out', executedDir, join(notebooksDir, name)], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(execution.stdout ?? '');
  const ok = execution.status === 0;
  if (!ok) failures.push((/NOTEBOOK FAILED (.*)/.exec(execution.stdout ?? '') ?? [])[1] ?? `${name}: exit ${execution.status}`);
  const convert = ['-m', 'nbconvert', '--to', 'html', '--output-dir', bookDir, join(executedDir, name)];
  if (localMathjax) convert.push('--HTMLExporter.mathjax_url=mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe');
  // nbconvert's pages load require.js from a CDN; the book needs none (and with
  // it, plotly.js would register as a module instead of window.Plotly).
  convert.push('--HTMLExporter.require_js_url=data:text/javascript,');
  const converted = spawnSync(python, convert, { encoding: 'utf8' });
  if (converted.status !== 0) failures.push(`${name}: nbconvert failed: ${(converted.stderr ?? '').trim().split('\n').pop()}`);
  const notebook = JSON.parse(readFileSync(join(executedDir, name), 'utf8'));
  const heading = notebook.cells.find((c) => c.cell_type === 'markdown')?.source?.join('').match(/^#\s+(.+)$/m)?.[1] ?? name;
  const printed = notebook.cells.flatMap((c) => (c.outputs ?? []).filter((o) => o.output_type === 'stream').map((o) => (Array.isArray(o.text) ? o.text.join('') : o.text ?? '')));
  const results = parseResults(printed.join('\n'));
  previous.notebooks[name] = { seconds: Number(seconds.toFixed(1)), ok, mode: quick ? 'quick' : 'full', results };
  chapters.push({ name, title: heading, page: name.replace(/\.ipynb$/, '.html'), seconds, ok });
}

const recorded = Object.values(previous.notebooks);
const timings = {
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
  notebooks: previous.notebooks,
  totalSeconds: Number(recorded.reduce((sum, t) => sum + t.seconds, 0).toFixed(1)),
  generated: new Date().toISOString(),
};
writeFileSync(timingsPath, `${JSON.stringify(timings, null, 2)}\n`);

const pages = all.filter((n) => existsSync(join(bookDir, n.replace(/\.ipynb$/, '.html'))));
const rows = pages.map((n) => {
  const chapter = chapters.find((c) => c.name === n);
  const title = chapter?.title ?? n;
  const time = timings.notebooks[n];
  return `<li><a href="${n.replace(/\.ipynb$/, '.html')}">${title.replace(/</g, '&lt;')}</a> <small>${time ? `${time.seconds.toFixed(0)} s (${time.mode})${time.ok ? '' : ', FAILED'}` : ''}</small></li>`;
});
const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;');
const resultRows = pages.flatMap((n) => (timings.notebooks[n]?.results ?? []).map((r, i) => {
  const value = typeof r.value === 'number' ? (Math.abs(r.value) >= 100 ? r.value.toFixed(0) : r.value.toPrecision(4)) : r.value;
  return `<tr><td>${i === 0 ? escape(n.replace(/\.ipynb$/, '')) : ''}</td><td>${escape(r.name)}</td><td style="text-align:right">${escape(value)} ${escape(r.unit ?? '')}</td></tr>`;
}));
const resultsTable = resultRows.length
  ? `<h2>Headline results</h2>\n<p><small>Printed by the notebooks as they ran (<code>reportResult</code>), not typed by hand.</small></p>\n<table>\n<tr><th>chapter</th><th>result</th><th>value</th></tr>\n${resultRows.join('\n')}\n</table>`
  : '';
writeFileSync(join(bookDir, 'index.html'), `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Deep learning and large models, in TypeScript</title>
<style>body{font-family:system-ui,sans-serif;max-width:720px;margin:3em auto;line-height:1.6}small{color:#777}table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd}</style></head>
<body><h1>Deep learning and large models, in TypeScript</h1>
<p>From gradient descent to DQN: every chapter is a notebook, executed to produce these pages.</p>
<ol start="0">${rows.join('\n')}</ol>
${resultsTable}
<p><small>Total execution time: ${timings.totalSeconds.toFixed(0)} s on ${timings.machine.cores} × ${timings.machine.cpu}.</small></p>
</body></html>
`);
rmSync(join(bookDir, 'executed', '.ipynb_checkpoints'), { recursive: true, force: true });
const megabytes = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;
for (const page of finishBook(bookDir, notebooksDir)) {
  say(`${page.page}: ${megabytes(page.before)} → ${megabytes(page.after)} (${page.plotlyRemoved} inline plotly.js removed, ${page.exercises} exercises numbered, ${page.solutions} solutions folded)`);
}
say(`book written to ${join(bookDir, 'index.html')} (${timings.totalSeconds.toFixed(0)} s of notebooks)`);
if (failures.length) fail(`Some notebooks failed:\n  ${failures.join('\n  ')}`);
