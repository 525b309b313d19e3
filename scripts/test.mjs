// `npm test`: everything, from a fresh clone. Installs what is missing, type-
// checks dlkit and the tests, then runs Node's test runner on the unit tests,
// the notebooks (quick mode, through nbclient and the tslab kernel) and the
// browser test. The output ends with the test runner's summary.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { aptInstall, binDir, buildLibrary, checkBackendVariable, checkNode, ensureDatasets, ensureDependencies, ensureJupyter, registerKernel, root, run, say } from './setup.mjs';

checkNode();
ensureDependencies();
buildLibrary({ tests: true });
checkBackendVariable();
const { python } = ensureJupyter({ need: ['nbclient', 'nbformat'] });
registerKernel(python);
ensureDatasets();
const chromium = process.env.DLKIT_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium) && !aptInstall(['chromium'])) {
  say(`no Chromium at ${chromium}: the browser test will be skipped (Debian: apt-get install chromium)`);
}
const only = process.argv.slice(2);
const testDir = join(root, 'test', 'dist');
const files = only.length > 0
  ? only.map((name) => join(testDir, name.replace(/\.ts$/, '.js')))
  : readdirSync(testDir).filter((f) => f.endsWith('.test.js')).sort().map((f) => join(testDir, f));
say(`running ${files.length} test files (quick mode)`);
const { status } = run(process.execPath, ['--test', '--test-reporter=spec', ...files], {
  env: {
    ...process.env,
    DLKIT_QUICK: '1',
    DLKIT_JUPYTER_PYTHON: python,
    DLKIT_CHROMIUM: chromium,
    PATH: `${binDir}:${process.env.PATH ?? ''}`,
  },
});
process.exit(status);
