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
// Node's runner starts the files in this order: by name, except that the book's
// figure test follows the notebooks test (it makes its pages from the notebooks
// that test executed, instead of executing them again).
const runsAfterNotebooks = ['book-figures.test.js'];
const byName = (a, b) => (runsAfterNotebooks.includes(a) ? 1 : 0) - (runsAfterNotebooks.includes(b) ? 1 : 0) || (a < b ? -1 : a > b ? 1 : 0);
const files = only.length > 0
  ? only.map((name) => join(testDir, name.replace(/\.ts$/, '.js')))
  : [testDir, gymTestDir].flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort(byName).map((f) => join(dir, f)));
say(`running ${files.length} test files (quick mode)`);
const { status } = run(process.execPath, ['--test', '--test-reporter=spec', ...files], {
  env: {
    ...process.env,
    DLKIT_QUICK: '1',
    DLKIT_JUPYTER_PYTHON: python,
    DLKIT_CLASSIC_PYTHON: classic ?? '',
    DLKIT_CHROMIUM: chromium,
    PATH: `${binDir}:${process.env.PATH ?? ''}`,
  },
});
process.exit(status);
