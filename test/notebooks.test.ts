// Executes every notebook, in reading order, through Jupyter's nbclient with
// the tslab kernel, in quick mode. A cell error fails the notebook's test with
// the notebook, the cell index and the error. The executed copies (outputs
// included) stay in test-results/notebooks/ for test/book-figures.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { executeNotebook, listNotebooks, repositoryRoot } from './helpers/notebooks';

const outDir = join(repositoryRoot, 'test-results', 'notebooks');
const timings: Record<string, number> = {};

test('every notebook executes top to bottom in quick mode', async (t) => {
  const notebooks = listNotebooks();
  assert.ok(notebooks.includes('00_setup.ipynb'), 'notebooks/00_setup.ipynb must exist');
  mkdirSync(outDir, { recursive: true });
  for (const name of notebooks) {
    await t.test(name, async () => {
      const run = await executeNotebook(name, { outDir, env: { DLKIT_QUICK: '1' } });
      timings[name] = run.seconds;
      assert.ok(run.ok, run.failure ?? 'failed');
    });
  }
  writeFileSync(join(outDir, 'timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
});
