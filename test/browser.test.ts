// What a reader sees. JupyterLab 4 (the book's home), started by `npm start`
// itself: headless Chromium opens 00_setup.ipynb and chapter 5 (quick mode),
// runs them with Run > Run All Cells, and the test checks that the plotly
// figures are drawn, the live plot updates in place, no cell shows an error,
// a training cell runs again, the stop button stops training, and a saved
// notebook, reopened trusted or not, still draws its figures. A lighter test
// runs 00_setup.ipynb in the classic Notebook (the fallback). Screenshots are
// kept in test-results/browser/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { chromium, Browser, Page } from 'playwright-core';
import { jupyterPython, repositoryRoot } from './helpers/notebooks';
import { freePort } from './helpers/free-port';
import { crashReportEnvironment, crashReports } from './helpers/native-crash-report';

const browserPath = process.env['DLKIT_CHROMIUM'] ?? '/usr/bin/chromium';
const resultsDir = join(repositoryRoot, 'test-results', 'browser');
const browserArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const noChromium = existsSync(browserPath) ? false : `no Chromium at ${browserPath} (Debian: apt-get install chromium; or set DLKIT_CHROMIUM)`;


function pythonHas(python: string, module: string): boolean {
  return spawnSync(python, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(resultsDir, { recursive: true });
  await page.screenshot({ path: join(resultsDir, `${name}.png`), fullPage: true }).catch(() => undefined);
}

/** Waits for `condition` in the page; on timeout saves a screenshot and says what did not happen. */
async function waitInPage<T>(page: Page, what: string, condition: () => T, timeout: number, log: () => string): Promise<void> {
  await page.waitForFunction(condition, undefined, { timeout, polling: 500 }).catch(async (error: Error) => {
    await screenshot(page, 'failure');
    throw new Error(`${what}: ${error.message}\nJupyter's log:\n${log().split('\n').slice(-30).join('\n')}${crashReports(log())}`);
  });
}

const labScratch = 'browser-test';

/** `npm start -- --no-browser --port P` (the reader's command); resolves with the URL it prints. */
async function startBook(port: number): Promise<{ child: ChildProcess; token: string; log: () => string }> {
  // The reader's own JupyterLab settings stay out of the test. Windowing off:
  // JupyterLab 4 otherwise keeps only the cells in view in the page, and the
  // test reads every cell's outputs. No news check (it would go online).
  const settings = mkdtempSync(join(tmpdir(), 'dlkit-lab-settings-'));
  mkdirSync(join(settings, '@jupyterlab', 'notebook-extension'), { recursive: true });
  mkdirSync(join(settings, '@jupyterlab', 'apputils-extension'), { recursive: true });
  writeFileSync(join(settings, '@jupyterlab', 'notebook-extension', 'tracker.jupyterlab-settings'), JSON.stringify({ windowingMode: 'none' }));
  writeFileSync(join(settings, '@jupyterlab', 'apputils-extension', 'notification.jupyterlab-settings'), JSON.stringify({ fetchNews: 'false' }));
  const env = { ...process.env, ...crashReportEnvironment(), JUPYTERLAB_SETTINGS_DIR: settings, JUPYTERLAB_WORKSPACES_DIR: join(settings, 'workspaces') };
  const child = spawn(process.execPath, [join(repositoryRoot, 'scripts', 'start.mjs'), '--no-browser', '--port', String(port)], { cwd: repositoryRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (chunk) => (log += String(chunk)));
  child.stderr?.on('data', (chunk) => (log += String(chunk)));
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const token = new RegExp(`http://127\\.0\\.0\\.1:${port}/lab\\?token=([0-9a-f]+)`).exec(log)?.[1];
    if (token) return { child, token, log: () => log };
    await new Promise((r) => setTimeout(r, 300));
  }
  child.kill('SIGTERM');
  throw new Error(`npm start did not serve JupyterLab on port ${port}. Its output:\n${log.slice(-3000)}`);
}

async function stopBook(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
}

/** Code cells of the open notebook: prompt, error and stderr outputs, progress lines, drawn figures. */
function readCells(): { prompt: string; errors: string[]; stderr: string[]; progress: string[]; figures: number; lines: string[] }[] {
  const panel = Array.from(document.querySelectorAll('.jp-NotebookPanel')).find((p) => !p.classList.contains('lm-mod-hidden')) ?? document;
  return Array.from(panel.querySelectorAll('.jp-CodeCell')).map((cell) => ({
    prompt: cell.querySelector('.jp-InputPrompt')?.textContent?.trim() ?? '',
    errors: Array.from(cell.querySelectorAll('[data-mime-type="application/vnd.jupyter.error"]')).map((e) => e.textContent ?? ''),
    stderr: Array.from(cell.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')).map((e) => e.textContent ?? ''),
    progress: Array.from(cell.querySelectorAll('pre.dlkit-progress')).map((e) => e.textContent ?? ''),
    figures: cell.querySelectorAll('svg.main-svg').length + cell.querySelectorAll('.jp-RenderedPlotly img.plot-img[src^="data:image/png"]').length,
    lines: Array.from(cell.querySelectorAll('.js-line')).map((e) => e.getAttribute('d') ?? ''),
  }));
}

/**
 * In the page: records every state the live plots of the open notebook pass
 * through (each distinct progress line, curve and number of progress lines per
 * code cell) as the DOM changes, into `window.dlkitLiveSeen`. Watching
 * mutations instead of polling sees every update, however fast training runs
 * (on the native rung, chapter 5's quick-mode training takes about two seconds).
 */
function watchLivePlots(): void {
  type Seen = { progress: string[]; lines: string[]; counts: number[] };
  const seen: Record<number, Seen> = {};
  (window as unknown as { dlkitLiveSeen: Record<number, Seen> }).dlkitLiveSeen = seen;
  const add = (list: (string | number)[], value: string | number) => { if (!list.includes(value)) list.push(value); };
  const record = () => {
    const panel = Array.from(document.querySelectorAll('.jp-NotebookPanel')).find((p) => !p.classList.contains('lm-mod-hidden'));
    if (!panel) return;
    Array.from(panel.querySelectorAll('.jp-CodeCell')).forEach((cell, index) => {
      const progress = Array.from(cell.querySelectorAll('pre.dlkit-progress')).map((e) => e.textContent ?? '');
      if (progress.length === 0) return;
      const entry = seen[index] ?? (seen[index] = { progress: [], lines: [], counts: [] });
      add(entry.progress, progress[0] as string);
      add(entry.counts, progress.length);
      const line = cell.querySelector('.js-line')?.getAttribute('d');
      if (line) add(entry.lines, line);
    });
  };
  new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['d'] });
}

async function cells(page: Page) {
  return page.evaluate(readCells);
}

async function openNotebook(page: Page, port: number, token: string, path: string, log: () => string): Promise<void> {
  await page.goto(`http://127.0.0.1:${port}/lab/tree/${path}?token=${token}`);
  await waitInPage(page, `${path} did not open with an idle TypeScript kernel`, () => {
    // The status bar says "TypeScript | Idle" once the kernel is connected (before, Run All is lost).
    const connected = Array.from(document.querySelectorAll('.jp-StatusBar-Widget')).some((e) => /TypeScript\s*\|\s*Idle/.test(e.textContent ?? ''));
    return document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell').length > 0 && connected;
  }, 180_000, log);
  await page.waitForTimeout(1000);
  await expandAllCode(page);
}

async function runAllFromMenu(page: Page): Promise<void> {
  await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Run$/ }).click();
  await page.locator('.lm-Menu-itemLabel', { hasText: /^Run All Cells$/ }).click();
}

/** In the page: every code cell shows an execution count (none is queued or running). */
function everyCellRan(): boolean {
  const codeCells = Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell'));
  return codeCells.length > 0 && codeCells.every((cell) => /^\[\d+\]:$/.test(cell.querySelector('.jp-InputPrompt')?.textContent?.trim() ?? ''));
}

/** Shows the code of collapsed solution cells (their prompt, hence whether they ran, is hidden otherwise). */
async function expandAllCode(page: Page): Promise<void> {
  await page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+Shift+c');
  await page.keyboard.type('Expand All Code');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputPlaceholder').length === 0, undefined, { timeout: 10_000 });
}

async function waitUntilIdle(page: Page, what: string, timeout: number, log: () => string): Promise<void> {
  await waitInPage(page, what, everyCellRan, timeout, log);
}

/** Clicks into code cell `index` (0-based among code cells) and runs it with Ctrl+Enter. */
/**
 * Replaces the text of code cell `index` the way a reader does: click into its
 * editor, select all, type. Typed as one input event, so the editor adds no
 * brackets or indentation of its own.
 */
async function setCellSource(page: Page, index: number, source: string): Promise<void> {
  const editor = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell').nth(index).locator('.cm-content');
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(source);
  await page.keyboard.press('Escape');
  const shown = await editor.evaluate((element) => (element as HTMLElement).innerText);
  assert.equal(shown.replace(/\s+/g, ' ').trim(), source.replace(/\s+/g, ' ').trim(), `code cell ${index} shows the edited source`);
}

async function runCodeCell(page: Page, index: number): Promise<void> {
  const cell = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell').nth(index);
  await cell.locator('.jp-InputPrompt').click();
  await page.keyboard.press('Control+Enter');
}

function assertClean(state: Awaited<ReturnType<typeof cells>>, where: string): void {
  const errors = state.flatMap((c, i) => c.errors.map((e) => `code cell ${i}: ${e.slice(0, 400)}`));
  const stderr = state.flatMap((c, i) => c.stderr.map((e) => `code cell ${i}: ${e.slice(0, 400)}`));
  assert.deepEqual(errors, [], `${where}: no cell shows an error`);
  assert.deepEqual(stderr, [], `${where}: no cell wrote to stderr`);
}

function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: browserPath, args: browserArgs });
}

const labPython = jupyterPython();
const noLab = noChromium || (pythonHas(labPython, 'jupyterlab') ? false : `${labPython} has no JupyterLab (the classic Notebook fallback is tested below)`);

test('JupyterLab 4: 00_setup and chapter 5 run from the Run menu, figures drawn, live plot updated in place, re-run and stop button work, saved notebooks small and drawn when reopened', { skip: noLab, timeout: 1_500_000 }, async () => {
  const scratch = join(repositoryRoot, 'notebooks', labScratch);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const training = '05_deep_learning_mlp.ipynb';
  for (const name of ['00_setup.ipynb', training]) copyFileSync(join(repositoryRoot, 'notebooks', name), join(scratch, name));
  const port = await freePort();
  const book = await startBook(port);
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const pageErrors: string[] = [];
    // JupyterLab's debugger panel asks every kernel for a debug session; tslab has none.
    page.on('pageerror', (error) => {
      if (!/No active debugger session/.test(error.message)) pageErrors.push(error.message);
    });

    // 00_setup: Run > Run All Cells.
    await openNotebook(page, port, book.token, `${labScratch}/00_setup.ipynb`, book.log);
    await runAllFromMenu(page);
    await waitUntilIdle(page, '00_setup: the cells did not all run', 300_000, book.log);
    await page.waitForSelector('svg.main-svg', { timeout: 60_000 });
    let state = await cells(page);
    await screenshot(page, 'lab-00_setup');
    assertClean(state, '00_setup');
    const figures = state.reduce((n, c) => n + c.figures, 0);
    assert.ok(figures >= 2, `the line plot and the live plot are drawn (found ${figures} plotly figures)`);
    assert.match(state.flatMap((c) => c.progress).join('\n'), /step \d+\/\d+ .*steps\/s/, 'the live plot shows its progress line');
    await page.keyboard.press('Control+s');
    await page.waitForTimeout(3000);

    // Chapter 5 (quick mode), watching the live plot while it trains.
    await openNotebook(page, port, book.token, `${labScratch}/${training}`, book.log);
    await page.evaluate(watchLivePlots);
    await runAllFromMenu(page);
    const deadline = Date.now() + 1_200_000;
    for (;;) {
      const done = await page.evaluate(everyCellRan);
      if (done) break;
      if (Date.now() > deadline) {
        await screenshot(page, 'failure');
        throw new Error(`${training} did not finish Run All Cells in 20 minutes`);
      }
      await page.waitForTimeout(400);
    }
    state = await cells(page);
    await screenshot(page, 'lab-05');
    assertClean(state, training);
    const trainingCell = state.findIndex((c) => c.progress.length > 0);
    assert.ok(trainingCell >= 0, 'a training cell shows a live plot');
    const seenByCell = await page.evaluate(() => (window as unknown as { dlkitLiveSeen: Record<number, { progress: string[]; lines: string[]; counts: number[] }> }).dlkitLiveSeen);
    const seenHere = seenByCell[trainingCell];
    const live = seenHere && { progress: new Set(seenHere.progress), lines: new Set(seenHere.lines), counts: new Set(seenHere.counts) };
    assert.ok(live && live.progress.size >= 3, `the progress line was updated while training (${live?.progress.size ?? 0} distinct lines seen)`);
    assert.ok(live && live.lines.size >= 2, `the live curves were redrawn while training (${live?.lines.size ?? 0} distinct curves seen)`);
    assert.deepEqual([...(live?.counts ?? [])], [1], 'the live plot updates in place: one progress line, never a new output per update');
    assert.ok((state[trainingCell]?.figures ?? 0) >= 1, 'the live plot is a drawn plotly figure');

    // Re-run the training cell: it still trains and draws, without errors.
    const before = state[trainingCell]?.prompt;
    await runCodeCell(page, trainingCell);
    await page.waitForFunction((args) => {
      const cell = document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell')[args.index];
      const prompt = cell?.querySelector('.jp-InputPrompt')?.textContent?.trim() ?? '';
      return /^\[\d+\]:$/.test(prompt) && prompt !== args.before;
    }, { index: trainingCell, before }, { timeout: 600_000, polling: 500 });
    state = await cells(page);
    assertClean(state, `${training} after re-running the training cell`);
    assert.ok((state[trainingCell]?.figures ?? 0) >= 1, 'the re-run training cell draws its live plot');

    // Saved notebooks are small and draw again when reopened: as saved by
    // JupyterLab (trusted), and as a changed copy (untrusted: its signature no
    // longer matches), without running anything.
    const saved = join(scratch, '00_setup.ipynb');
    const savedBytes = statSync(saved).size;
    console.log(`saved 00_setup.ipynb with outputs: ${savedBytes} bytes`);
    assert.ok(savedBytes < 1_000_000, `a saved executed 00_setup.ipynb stays small (${savedBytes} bytes), without plotly.js inside`);
    assert.doesNotMatch(readFileSync(saved, 'utf8'), /Plotly\.newPlot=|plotly\.js v\d/, 'no copy of plotly.js in the saved notebook');
    const copy = JSON.parse(readFileSync(saved, 'utf8')) as { metadata: Record<string, unknown> };
    copy.metadata['reopened_untrusted'] = true;
    writeFileSync(join(scratch, 'untrusted.ipynb'), JSON.stringify(copy));
    for (const name of ['00_setup.ipynb', 'untrusted.ipynb']) {
      const reader = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await openNotebook(reader, port, book.token, `${labScratch}/${name}`, book.log);
      await waitInPage(reader, `${name} reopened: its figures were not drawn`, () => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) svg.main-svg, .jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedPlotly img.plot-img[src^="data:image/png"]').length >= 2, 60_000, book.log);
      await screenshot(reader, `lab-reopened-${name.replace('.ipynb', '')}`);
      await reader.close();
    }

    // The stop button during training, then the next cell. The reader first
    // asks for many more epochs (as exercise readers do), so that the stop
    // button comes mid-training however fast this machine trains: on the native
    // rung the chapter's quick-mode training ends in about two seconds.
    const chapter = JSON.parse(readFileSync(join(repositoryRoot, 'notebooks', training), 'utf8')) as { cells: { cell_type: string; source: string | string[] }[] };
    const codeSources = chapter.cells.filter((c) => c.cell_type === 'code').map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source));
    const trainingSource = codeSources[trainingCell] ?? '';
    const epochsChoice = /quickOr\(\{ full: \d+, quick: \d+ \}\)/;
    assert.match(trainingSource.split('\n')[0] ?? '', epochsChoice, `the training cell of ${training} starts by choosing its epochs with quickOr (the stop-button test edits that line)`);
    await setCellSource(page, trainingCell, trainingSource.replace(epochsChoice, '300'));
    await runCodeCell(page, trainingCell);
    await page.waitForFunction((args) => {
      const cell = document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell')[args.index];
      const line = cell?.querySelector('pre.dlkit-progress')?.textContent ?? '';
      const epoch = /epoch (\d+)\/300/.exec(line);
      return epoch !== null && Number(epoch[1]) >= 2 && !/done in/.test(line);
    }, { index: trainingCell }, { timeout: 300_000, polling: 200 });
    // force: while a live plot redraws on a loaded machine the button never counts as "stable" for
    // Playwright (it timed out on Node 24 at load 13); the toolbar itself does not move.
    await page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) [title="Interrupt the kernel"]').first().click({ force: true });
    await waitUntilIdle(page, 'the training cell did not end after the stop button', 60_000, book.log);
    await runCodeCell(page, trainingCell + 1);
    await waitUntilIdle(page, 'the cell after the interrupted one did not finish', 300_000, book.log);
    await page.waitForTimeout(3000);
    state = await cells(page);
    await screenshot(page, 'lab-05-after-interrupt');
    assertClean(state, `${training} after the stop button and the next cell`);
    const stoppedLine = state[trainingCell]?.progress[0] ?? '';
    assert.doesNotMatch(stoppedLine, /done in/, `training stopped at the stop button instead of running to its end in the background: ${stoppedLine}`);
    assert.match(stoppedLine, /interrupted/i, 'the live plot says training was interrupted');
    assert.deepEqual(pageErrors, [], 'no JavaScript error on the page');
  } finally {
    await browser.close();
    await stopBook(book.child);
    rmSync(scratch, { recursive: true, force: true });
  }
});

const classicPython = process.env['DLKIT_CLASSIC_PYTHON'] || (jupyterPython() && !pythonHas(jupyterPython(), 'jupyterlab') ? jupyterPython() : '');
// The Node compatibility pass (scripts/node-matrix.mjs) runs the JupyterLab test on each Node major; the
// classic Notebook and the book page once, in the main pass.
const mainPassOnly = process.env['DLKIT_NODE_MATRIX'] ? 'the Node compatibility pass runs the JupyterLab test only' : false;
const noClassic = mainPassOnly || noChromium || (classicPython && spawnSync(classicPython, ['-c', 'import notebook.notebookapp'], { stdio: 'ignore' }).status === 0 ? false : 'no classic Notebook (6.x) installed: the fallback is not tested (Debian: apt-get install jupyter-notebook)');
const classicScratch = '.browser-test';

async function startClassic(port: number, token: string): Promise<{ child: ChildProcess; log: () => string }> {
  const notebooksDir = join(repositoryRoot, 'notebooks');
  const child = spawn(classicPython, [
    '-m', 'notebook', `--notebook-dir=${notebooksDir}`, '--no-browser', '--NotebookApp.ip=127.0.0.1',
    `--NotebookApp.port=${port}`, '--port-retries=0', '--ContentsManager.allow_hidden=True',
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
  ], { cwd: notebooksDir, env: { ...process.env, ...crashReportEnvironment(), JUPYTER_TOKEN: token, DLKIT_PLOTLY: '', PATH: `${join(repositoryRoot, 'node_modules', '.bin')}:${process.env['PATH'] ?? ''}` } });
  let log = '';
  child.stderr?.on('data', (chunk) => (log += String(chunk)));
  child.stdout?.on('data', (chunk) => (log += String(chunk)));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/status?token=${token}`);
      if (response.ok) return { child, log: () => log };
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  child.kill();
  throw new Error(`Jupyter did not start on 127.0.0.1:${port} within 60 s. Its log:\n${log.slice(-2000)}`);
}

test('the classic Notebook (the fallback) runs 00_setup.ipynb: figures drawn from the HTML form, no cell error', { skip: noClassic, timeout: 480_000 }, async () => {
  const scratch = join(repositoryRoot, 'notebooks', classicScratch);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  copyFileSync(join(repositoryRoot, 'notebooks', '00_setup.ipynb'), join(scratch, '00_setup.ipynb'));
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const jupyter = await startClassic(port, token);
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`http://127.0.0.1:${port}/notebooks/${classicScratch}/00_setup.ipynb?token=${token}`);
    await waitInPage(page, 'the tslab kernel did not connect', () => {
      const jupyter = (window as unknown as { Jupyter?: { notebook?: { kernel?: { is_connected(): boolean } } } }).Jupyter;
      return jupyter?.notebook?.kernel?.is_connected() === true;
    }, 180_000, jupyter.log);
    // Run every cell the way a reader would: Cell > Run All.
    await page.click('#celllink');
    await page.click('#run_all_cells > a');
    await waitInPage(page, 'the cells did not all run', () => {
      const notebook = (window as unknown as { Jupyter: { notebook: { get_cells(): { cell_type: string; input_prompt_number?: number | string | null }[] } } }).Jupyter.notebook;
      const code = notebook.get_cells().filter((cell) => cell.cell_type === 'code');
      return code.every((cell) => typeof cell.input_prompt_number === 'number') && !document.body.classList.contains('kernel_busy');
    }, 180_000, jupyter.log);
    await page.waitForSelector('svg.main-svg', { timeout: 30_000 });
    await screenshot(page, 'classic-00_setup');
    const figures = await page.locator('.dlkit-figure svg.main-svg').count();
    const errors = await page.locator('.output_error').allInnerTexts();
    const stderr = await page.locator('.output_stderr').allInnerTexts();
    const progress = await page.locator('pre.dlkit-progress').allInnerTexts();
    assert.deepEqual(errors, [], 'no cell shows an error');
    assert.deepEqual(stderr, [], 'no cell wrote to stderr');
    assert.ok(figures >= 2, `the line plot and the live plot are drawn (found ${figures} plotly figures)`);
    assert.match(progress.join('\n'), /step \d+\/\d+ .*steps\/s/, 'the live plot shows its progress line');
    assert.deepEqual(pageErrors, [], 'no JavaScript error on the page');
  } finally {
    await browser.close();
    jupyter.child.kill('SIGTERM');
    rmSync(scratch, { recursive: true, force: true });
  }
});

test('the book page of 00_setup reads offline: plots drawn and math typeset from local files', { skip: mainPassOnly || (existsSync(browserPath) ? false : `no Chromium at ${browserPath}`), timeout: 300_000 }, async () => {
  const bookDir = join(repositoryRoot, 'test-results', 'book');
  rmSync(bookDir, { recursive: true, force: true });
  const build = spawnSync(process.execPath, [join(repositoryRoot, 'scripts', 'book.mjs'), '--quick', '--prepared', '--out', bookDir, '00'], { encoding: 'utf8' });
  assert.equal(build.status, 0, `npm run book failed: ${build.stdout}\n${build.stderr}`);
  const browser = await chromium.launch({ executablePath: browserPath, args: [...browserArgs, '--allow-file-access-from-files'] });
  try {
    const context = await browser.newContext({ offline: true });
    const page = await context.newPage();
    const outside: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith('file://') && !request.url().startsWith('data:')) outside.push(request.url());
    });
    await page.goto(`file://${join(bookDir, 'index.html')}`);
    await page.click('a[href="00_setup.html"]');
    await page.waitForSelector('svg.main-svg', { timeout: 60_000 });
    const figures = await page.locator('.dlkit-figure svg.main-svg').count();
    assert.ok(figures >= 2, `figures drawn offline (found ${figures})`);
    // plotly.js comes once, from the shared file beside the pages, and every page links its neighbours.
    assert.equal(await page.locator('script[src="plotly.min.js"]').count(), 1);
    assert.ok(statSync(join(bookDir, '00_setup.html')).size < 2_000_000, 'no inline copy of the 4.8 MB plotly bundle');
    assert.equal(await page.locator('nav.book-nav').count(), 2, 'navigation at the top and the bottom');
    const hasMathjax = existsSync(join(bookDir, 'mathjax', 'MathJax.js'));
    if (hasMathjax) await page.waitForSelector('.MathJax_CHTML, mjx-container, .MathJax', { timeout: 60_000 });
    await page.screenshot({ path: join(resultsDir, 'book-00_setup.png') });
    const scripts = outside.filter((url) => /\.js(\?|$)/.test(url));
    assert.deepEqual(hasMathjax ? scripts : scripts.filter((url) => !/mathjax/i.test(url)), [], 'no script is fetched from the network');
  } finally {
    await browser.close();
  }
});
