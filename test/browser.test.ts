// What a reader sees: Jupyter serves 00_setup.ipynb, headless Chromium runs
// every cell through the notebook's own menu, and the test checks that the
// plotly figures are drawn and no cell shows an error. The screenshot is kept
// in test-results/browser/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { jupyterPython, repositoryRoot } from './helpers/notebooks';

const browserPath = process.env['DLKIT_CHROMIUM'] ?? '/usr/bin/chromium';
const resultsDir = join(repositoryRoot, 'test-results', 'browser');
const scratchFolder = '.browser-test';

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function startJupyter(port: number, token: string): Promise<{ child: ChildProcess; log: () => string }> {
  const notebooksDir = join(repositoryRoot, 'notebooks');
  const child = spawn(jupyterPython(), [
    '-m', 'notebook', `--notebook-dir=${notebooksDir}`, '--no-browser', '--NotebookApp.ip=127.0.0.1',
    `--NotebookApp.port=${port}`, '--port-retries=0', `--NotebookApp.token=${token}`, '--ContentsManager.allow_hidden=True',
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
  ], { cwd: notebooksDir, env: { ...process.env, PATH: `${join(repositoryRoot, 'node_modules', '.bin')}:${process.env['PATH'] ?? ''}` } });
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

test('00_setup.ipynb runs in a real browser: figures drawn, no cell error', { skip: existsSync(browserPath) ? false : `no Chromium at ${browserPath} (Debian: apt-get install chromium; or set DLKIT_CHROMIUM)`, timeout: 480_000 }, async () => {
  const scratch = join(repositoryRoot, 'notebooks', scratchFolder);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  copyFileSync(join(repositoryRoot, 'notebooks', '00_setup.ipynb'), join(scratch, '00_setup.ipynb'));
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const jupyter = await startJupyter(port, token);
  const notebookLog = () => jupyter.log().split('\n').slice(-30).join('\n');
  const browser = await chromium.launch({
    executablePath: browserPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`http://127.0.0.1:${port}/notebooks/${scratchFolder}/00_setup.ipynb?token=${token}`);
    await page.waitForFunction(() => {
      const jupyter = (window as unknown as { Jupyter?: { notebook?: { kernel?: { is_connected(): boolean } } } }).Jupyter;
      return jupyter?.notebook?.kernel?.is_connected() === true;
    }, undefined, { timeout: 180_000 }).catch((error: Error) => {
      mkdirSync(resultsDir, { recursive: true });
      return page.screenshot({ path: join(resultsDir, '00_setup-failure.png') }).finally(() => {
        throw new Error(`the tslab kernel did not connect: ${error.message}\nJupyter's log:\n${notebookLog()}`);
      });
    });
    // Run every cell the way a reader would: Cell > Run All.
    await page.click('#celllink');
    await page.click('#run_all_cells > a');
    await page.waitForFunction(() => {
      const notebook = (window as unknown as { Jupyter: { notebook: { get_cells(): { cell_type: string; input_prompt_number?: number | string | null }[]; kernel_busy?: boolean } } }).Jupyter.notebook;
      const code = notebook.get_cells().filter((cell) => cell.cell_type === 'code');
      return code.every((cell) => typeof cell.input_prompt_number === 'number') && document.querySelector('#notification_kernel')?.textContent?.includes('busy') !== true && !document.body.classList.contains('kernel_busy');
    }, undefined, { timeout: 180_000, polling: 500 }).catch((error: Error) => {
      mkdirSync(resultsDir, { recursive: true });
      return page.screenshot({ path: join(resultsDir, '00_setup-failure.png') }).finally(() => {
        throw new Error(`the cells did not all run: ${error.message}\nJupyter's log:\n${notebookLog()}`);
      });
    });
    await page.waitForSelector('svg.main-svg', { timeout: 30_000 });
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, '00_setup.png'), fullPage: true });
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

test('the book page of 00_setup reads offline: plots drawn and math typeset from local files', { skip: existsSync(browserPath) ? false : `no Chromium at ${browserPath}`, timeout: 300_000 }, async () => {
  const bookDir = join(repositoryRoot, 'test-results', 'book');
  rmSync(bookDir, { recursive: true, force: true });
  const build = spawnSync(process.execPath, [join(repositoryRoot, 'scripts', 'book.mjs'), '--quick', '--prepared', '--out', bookDir, '00'], { encoding: 'utf8' });
  assert.equal(build.status, 0, `npm run book failed: ${build.stdout}\n${build.stderr}`);
  const browser = await chromium.launch({ executablePath: browserPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--allow-file-access-from-files'] });
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
