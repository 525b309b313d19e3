// @ts-check
// `npm run book`: executes every notebook in full mode and writes the book as
// HTML to dist/book/ (one page per chapter, an index in chapter order, and
// timings.json). MathJax is copied next to the pages when
// Debian's libjs-mathjax is present, so the book also reads offline.
// scripts/book-pages.mjs then post-processes the pages: plotly.js once for the
// whole book (plotly.min.js beside the pages), the chapter list and
// previous/next links on every page, "Exercise n." numbering, solutions folded.
// Options: --quick (quick mode, for a fast preview), --out DIR, and notebook
// name prefixes (00 03) to build only those. --from DIR makes the pages from
// notebooks executed earlier (DIR/NN_*.ipynb with their outputs, e.g. the
// copies `npm test` keeps in test-results/notebooks/) without executing
// anything; timings.json is then left as it was.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LOCAL_MATHJAX_URL, convertToHtml, finishBook, printedText, writeIndex } from './book-pages.mjs';
import { aptInstall, binDir, buildLibrary, checkBackendVariable, checkNode, ensureDatasets, ensureDependencies, ensureJupyter, fail, registerKernel, root, say } from './setup.mjs';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const outIndex = argv.indexOf('--out');
const outDir = outIndex >= 0 ? argv[outIndex + 1] : null;
if (outIndex >= 0 && !outDir) fail('--out needs a folder: npm run book -- --out /tmp/book');
const fromIndex = argv.indexOf('--from');
const fromDir = fromIndex >= 0 ? argv[fromIndex + 1] : null;
if (fromIndex >= 0 && !fromDir) fail('--from needs the folder of executed notebooks: npm run book -- --from test-results/notebooks');
if (fromDir && quick) fail('--from makes pages from notebooks executed earlier; --quick (how to execute them) does not apply.');
const chosen = argv.filter((a, i) => !a.startsWith('--') && (outIndex < 0 || i !== outIndex + 1) && (fromIndex < 0 || i !== fromIndex + 1));
checkNode();
// --prepared: the caller (the test suite) has already installed and built.
if (!argv.includes('--prepared')) {
  ensureDependencies();
  buildLibrary();
}
const notebooksDir = join(root, 'notebooks');
const bookDir = outDir ? resolve(outDir) : join(root, 'dist', 'book');
const all = readdirSync(notebooksDir).filter((n) => /^\d\d_.+\.ipynb$/.test(n)).sort();
const names = chosen.length ? all.filter((n) => chosen.some((c) => n.startsWith(c))) : all;
if (names.length === 0) fail(`No notebook matches ${chosen.join(', ')}. Notebooks: ${all.join(', ')}`);
// Headline results: each chapter prints `RESULT {json}` lines (dlkit's reportResult); the index gathers them.
const { parseResults } = await import(pathToFileURL(join(root, 'lib', 'dist', 'util', 'results.js')).href);
const { python } = ensureJupyter({ need: fromDir ? ['nbconvert'] : ['nbclient', 'nbformat', 'nbconvert'] });
mkdirSync(bookDir, { recursive: true });

const mathjaxSource = '/usr/share/javascript/mathjax';
if (!existsSync(join(mathjaxSource, 'MathJax.js'))) aptInstall(['libjs-mathjax']);
const localMathjax = existsSync(join(mathjaxSource, 'MathJax.js'));
if (localMathjax && !existsSync(join(bookDir, 'mathjax', 'MathJax.js'))) {
  say('copying MathJax next to the pages (offline math)');
  cpSync(mathjaxSource, join(bookDir, 'mathjax'), { recursive: true, dereference: true });
}
const mathjaxUrl = localMathjax ? LOCAL_MATHJAX_URL : null;
const megabytes = (/** @type {number} */ bytes) => `${(bytes / 1e6).toFixed(2)} MB`;
const finish = () => {
  rmSync(join(bookDir, 'executed', '.ipynb_checkpoints'), { recursive: true, force: true });
  for (const page of finishBook(bookDir, notebooksDir)) {
    say(`${page.page}: ${megabytes(page.before)} → ${megabytes(page.after)} (${page.plotlyRemoved} inline plotly.js removed, ${page.exercises} exercises numbered, ${page.solutions} solutions folded)`);
  }
};

if (fromDir) {
  // Pages from notebooks executed earlier: nbconvert, the index, the book's post-processing. Nothing runs.
  const source = resolve(fromDir);
  const present = names.filter((n) => existsSync(join(source, n)));
  const absent = names.filter((n) => !present.includes(n));
  if (present.length === 0) fail(`${source} holds no executed notebook (${names.join(', ')}). Execute them first (npm test keeps its copies in test-results/notebooks/) or run npm run book without --from.`);
  if (absent.length) say(`not in ${source}, so no page for: ${absent.join(', ')}`);
  say(`making pages from ${present.length} notebooks executed earlier in ${source} (nothing is executed)`);
  const problem = convertToHtml(python, present.map((n) => join(source, n)), bookDir, { mathjaxUrl });
  if (problem) fail(problem);
  // npm test's timings ({ name: seconds }) when they are there; the book's own timings.json stays untouched.
  const timingsFile = join(source, 'timings.json');
  const seconds = existsSync(timingsFile) ? JSON.parse(readFileSync(timingsFile, 'utf8')) : {};
  const notebooks = Object.fromEntries(present.map((n) => [n, {
    seconds: typeof seconds[n] === 'number' ? seconds[n] : undefined,
    ok: true,
    results: parseResults(printedText(JSON.parse(readFileSync(join(source, n), 'utf8')))),
  }]));
  writeIndex(bookDir, notebooksDir, { notebooks });
  finish();
  say(`book written to ${join(bookDir, 'index.html')} from ${source}`);
  process.exit(0);
}

checkBackendVariable();
registerKernel(python);
ensureDatasets();
const executedDir = join(bookDir, 'executed');
mkdirSync(executedDir, { recursive: true });

/** @type {NodeJS.ProcessEnv} */
const env = { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ''}` };
// The pages are HTML: figures need their HTML form and plotly.js (sent once per notebook).
delete env.DLKIT_PLOTLY;
if (quick) env.DLKIT_QUICK = '1';
else delete env.DLKIT_QUICK;

const timingsPath = join(bookDir, 'timings.json');
const previous = existsSync(timingsPath) ? JSON.parse(readFileSync(timingsPath, 'utf8')) : { notebooks: {} };
const failures = [];
for (const name of names) {
  say(`executing ${name}${quick ? ' (quick mode)' : ''}`);
  const started = Date.now();
  const execution = spawnSync(python, [join(root, 'scripts', 'execute_notebook.py'), '--timeout', '3600', '--out', executedDir, join(notebooksDir, name)], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(execution.stdout ?? '');
  const ok = execution.status === 0;
  if (!ok) failures.push((/NOTEBOOK FAILED (.*)/.exec(execution.stdout ?? '') ?? [])[1] ?? `${name}: exit ${execution.status}`);
  const problem = convertToHtml(python, [join(executedDir, name)], bookDir, { mathjaxUrl });
  if (problem) failures.push(`${name}: ${problem}`);
  const notebook = JSON.parse(readFileSync(join(executedDir, name), 'utf8'));
  const results = parseResults(printedText(notebook));
  previous.notebooks[name] = { seconds: Number(seconds.toFixed(1)), ok, mode: quick ? 'quick' : 'full', results };
}

const recorded = Object.values(previous.notebooks);
const timings = {
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
  notebooks: previous.notebooks,
  totalSeconds: Number(recorded.reduce((sum, t) => sum + t.seconds, 0).toFixed(1)),
  generated: new Date().toISOString(),
};
writeFileSync(timingsPath, `${JSON.stringify(timings, null, 2)}\n`);
writeIndex(bookDir, notebooksDir, timings);
finish();
say(`book written to ${join(bookDir, 'index.html')} (${timings.totalSeconds.toFixed(0)} s of notebooks)`);
if (failures.length) fail(`Some notebooks failed:\n  ${failures.join('\n  ')}`);
