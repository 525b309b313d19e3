// tslab 1.0.22 miscompiles names from earlier cells in object shorthand and
// renamed destructuring; patches/tslab+1.0.22.patch (applied by `npm ci`)
// fixes its converter, and queues its zeromq sends. Each test here failed
// before the patch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runKernelSession } from './helpers/kernel';
import { repositoryRoot } from './helpers/notebooks';

test('the tslab patch is applied by the install', () => {
  const converter = readFileSync(join(repositoryRoot, 'node_modules', 'tslab', 'dist', 'converter.js'), 'utf8');
  assert.ok(converter.includes('getShorthandAssignmentValueSymbol'), 'node_modules/tslab is unpatched: run npm ci (its postinstall runs patch-package)');
  const packageJson = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.equal(packageJson.scripts['postinstall'], 'patch-package');
});

test('object shorthand and renamed destructuring of names from earlier cells work', async () => {
  const { cells } = await runKernelSession([
    { run: 'const x = 5;\nlet y = 1;\nfunction f() { return { a: 1, list: [x] }; }\ninterface Point { a: number }' },
    { run: "const o = { x };\nconsole.log('SHORTHAND', JSON.stringify(o));" },
    { run: "console.log('LOGGED', JSON.stringify({ x, y, sum: x + y }));" },
    { run: "const { a: b } = f();\nconsole.log('RENAMED', b);" },
    { run: "function g() { const { a: c, list: [first] } = f(); return c + first; }\nconsole.log('IN_FUNCTION', g());" },
    { run: "({ y } = { y: 7 });\nconsole.log('ASSIGNED', y);" },
    { run: "({ y = 3 } = {} as { y?: number });\nconsole.log('DEFAULTED', y);" },
    { run: "const p: Point = { a: x };\nconst { a } = p;\nconsole.log('PROPERTY', a, JSON.stringify({ ...{ x }, [String('k')]: x }));" },
  ]);
  const outputs = cells.map((cell) => `${cell.stdout}${cell.stderr}`);
  for (const cell of cells) assert.equal(cell.status, 'ok', `cell failed:\n${cell.code}\n${cell.stderr}`);
  assert.match(outputs[1] ?? '', /SHORTHAND \{"x":5\}/);
  assert.match(outputs[2] ?? '', /LOGGED \{"x":5,"y":1,"sum":6\}/);
  assert.match(outputs[3] ?? '', /RENAMED 1/);
  assert.match(outputs[4] ?? '', /IN_FUNCTION 6/);
  assert.match(outputs[5] ?? '', /ASSIGNED 7/);
  assert.match(outputs[6] ?? '', /DEFAULTED 3/);
  assert.match(outputs[7] ?? '', /PROPERTY 5 \{"x":5,"k":5\}/);
});

test('bursts of large display updates (a long live plot) never crash the kernel', async () => {
  // zeromq 6 refuses a second send on a socket while one is in flight ("Socket
  // is busy writing"); unpatched tslab sent without waiting, so a long live
  // plot (many large display updates) killed the kernel mid-training. The
  // patch queues the sends of each socket.
  const { cells } = await runKernelSession([
    {
      run: [
        "import * as tslab from 'tslab';",
        'const panel = tslab.newDisplay();',
        "const big = 'x'.repeat(200_000);",
        'for (let i = 0; i < 400; i++) {',
        '  panel.html(`<b>update ${i}</b>${big}`);',
        "  tslab.display.html(`<i>extra ${i}</i>${big.slice(0, 50_000)}`);",
        '  if (i % 40 === 0) await new Promise((resolve) => setTimeout(resolve, 0));',
        '}',
        "console.log('BURST DONE');",
      ].join('\n'),
      timeout: 120,
    },
    { run: "console.log('KERNEL ALIVE', 1 + 1);" },
  ]);
  assert.equal(cells[0]?.status, 'ok', `the burst cell failed: ${cells[0]?.stderr ?? ''}`);
  assert.match(cells[0]?.stdout ?? '', /BURST DONE/);
  assert.equal(cells[1]?.status, 'ok', `the kernel did not survive the burst: ${cells[1]?.stderr ?? ''}`);
  assert.match(cells[1]?.stdout ?? '', /KERNEL ALIVE 2/);
  const jupyter = readFileSync(join(repositoryRoot, 'node_modules', 'tslab', 'dist', 'jupyter.js'), 'utf8');
  assert.ok(jupyter.includes('sendQueues'), 'node_modules/tslab is unpatched: run npm ci (its postinstall runs patch-package)');
});
