// @ts-check
// `npm test`: everything, from a fresh clone. Installs what is missing, type-
// checks dlkit and the tests, then runs Node's test runner on the unit tests,
// the notebooks (quick mode, through nbclient and the tslab kernel) and the
// browser test. The output ends with the test runner's summary.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { aptInstall, binDir, buildLibrary, checkBackendVariable, checkNode, ensureDatasets, ensureDependencies, ensureJupyter, findClassic, registerKernel, root, run, say } from './setup.mjs';

checkNode();
ensureDependencies();
buildLibrary({ tests: true });
checkBackendVariable();
// The same Jupyter stack the reader gets: the notebooks run through the
// nbclient of the Python that serves JupyterLab (the project's .venv/).
const { python, app } = ensureJupyter({ need: ['nbclient', 'nbformat', 'nbconvert'] });
registerKernel(python);
say(`notebooks run with ${python} (${app === 'lab' ? 'JupyterLab' : 'classic Notebook'})`);
// The classic Notebook stays supported as the fallback: a light browser test uses it when present.
const classic = app === 'notebook' ? python : findClassic();
ensureDatasets();
const chromium = process.env.DLKIT_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium) && !aptInstall(['chromium'])) {
  say(`no Chromium at ${chromium}: the browser test will be skipped (Debian: apt-get install chromium)`);
}
const only = process.argv.slice(2);
const testDir = join(root, 'test', 'dist');
const gymTestDir = join(root, 'gym', 'test', 'dist'); // gym-js's own tests (gym/test), built by `tsc -b .` too
// The book's figure test makes its pages from the notebooks that the notebooks
// test executed (instead of executing them again), so it runs in a second pass
// after everything else: Node's runner sorts the files it is given by name.
const runsAfterNotebooks = ['book-figures.test.js'];
const files = only.length > 0
  ? only.map((name) => join(testDir, name.replace(/\.ts$/, '.js')))
  : [testDir, gymTestDir].flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort().map((f) => join(dir, f)));
const isLate = (/** @type {string} */ file) => runsAfterNotebooks.some((name) => file.endsWith(`/${name}`));
const passes = [files.filter((f) => !isLate(f)), files.filter(isLate)].filter((pass) => pass.length > 0);
say(`running ${files.length} test files (quick mode)${passes.length > 1 ? `, ${runsAfterNotebooks.join(', ')} in a second pass` : ''}`);
let failed = 0;
for (const pass of passes) {
  const { status } = run(process.execPath, ['--test', '--test-reporter=spec', ...pass], {
    env: {
      ...process.env,
      DLKIT_QUICK: '1',
      DLKIT_JUPYTER_PYTHON: python,
      DLKIT_CLASSIC_PYTHON: classic ?? '',
      DLKIT_CHROMIUM: chromium,
      PATH: `${binDir}:${process.env.PATH ?? ''}`,
    },
  });
  if (status !== 0) failed = status ?? 1;
}
process.exit(failed);
