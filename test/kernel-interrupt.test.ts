// The stop button, through a real tslab kernel: interrupting the kernel
// (SIGINT, what Jupyter's stop button sends) during Trainer.fit, trainDqn and a
// synchronous tf.tidy loop stops the work within about a second, keeps the
// cell's names and the completed work, leaks no tensors, and the next cell
// runs normally.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printed, runKernelSession, type CellRun } from './helpers/kernel';

const setup = "import { initBackend, seed, tf, mlp, make, Trainer, trainDqn } from 'dlkit';\nawait initBackend();\nseed(1);\n";

/** The interrupted cell stopped by itself: no error output, and it ended soon after the interrupt. */
function assertStoppedCleanly(cell: CellRun | undefined): void {
  assert.ok(cell, 'the interrupted cell ran');
  assert.equal(cell.stderr, '', `the interrupted cell printed an error:\n${cell.stderr}`);
  assert.ok(cell.seconds !== null && cell.interrupted_at !== null, 'the interrupted cell finished');
  const after = (cell.seconds as number) - (cell.interrupted_at as number);
  assert.ok(after < 2, `the interrupted cell ended ${after.toFixed(2)} s after the interrupt (expected about a second at most)`);
}

test('interrupting Trainer.fit stops training at a batch boundary; the result and the names survive, no tensor leaks', async () => {
  const { cells } = await runKernelSession([
    {
      run:
        setup +
        'const x = tf.randomNormal([512, 8]);\n' +
        "const y = tf.tensor1d(Array.from({ length: 512 }, (_, i) => i % 3), 'int32');\n" +
        'const model = mlp({ inputShape: [8], hidden: [32], outputs: 3 });\n' +
        'const trainer = new Trainer(model, { learningRate: 0.01 });\n' +
        'const progress = { step: 0 };\n' +
        "console.log('BEFORE', tf.memory().numTensors);",
      timeout: 180,
    },
    {
      start:
        'const result = await trainer.fit({ x, y }, { epochs: 200, batchSize: 8, plot: false, callbacks: [{ onBatchEnd: (info) => { progress.step = info.step; } }] });\n' +
        "console.log('RESULT', JSON.stringify(result.interrupted), 'EPOCHS', result.epochs);",
    },
    { interrupt_after: 4, timeout: 30 },
    { run: "console.log('STEP', progress.step, 'TRAINER', trainer.step, 'TENSORS', tf.memory().numTensors, 'INTERRUPTED', result.interrupted ? 1 : 0);" },
    { sleep: 1.5 },
    {
      run:
        "console.log('STEP', progress.step);\n" +
        'const more = await trainer.fit({ x, y }, { epochs: trainer.epoch + 1, plot: false });\n' +
        "console.log('MORE', more.epochs, 'FLAG', more.interrupted === undefined ? 0 : 1, 'TENSORS', tf.memory().numTensors);\n" +
        // What one completed fit keeps (the optimiser's state), measured on a fresh model and trainer.
        'const referenceTrainer = new Trainer(mlp({ inputShape: [8], hidden: [32], outputs: 3 }), { learningRate: 0.01 });\n' +
        'const beforeReference = tf.memory().numTensors;\n' +
        'await referenceTrainer.fit({ x, y }, { epochs: 1, batchSize: 8, plot: false });\n' +
        "console.log('KEPT_BY_A_FIT', tf.memory().numTensors - beforeReference);",
      timeout: 60,
    },
  ]);
  const [setupCell, fit, after, later] = cells;
  assertStoppedCleanly(fit);
  const result = /RESULT \{"epoch":(\d+),"step":(\d+)\} EPOCHS (\d+)/.exec(fit?.stdout ?? '');
  assert.ok(result, `the fit result says where it was interrupted:\n${fit?.stdout}`);
  assert.match(fit?.stdout ?? '', /Trainer\.fit: interrupted at epoch \d+, step \d+/);
  const stepAtInterrupt = Number(result[2]);
  assert.ok(stepAtInterrupt > 0 && Number(result[3]) < 200, 'some but not all of the training ran');
  // The names of the interrupted cell are usable, and training really stopped.
  assert.equal(after?.status, 'ok', `${after?.stderr}`);
  assert.equal(printed(after, 'INTERRUPTED'), 1);
  assert.equal(printed(after, 'STEP'), stepAtInterrupt);
  assert.equal(printed(after, 'TRAINER'), stepAtInterrupt);
  assert.equal(printed(later, 'STEP'), stepAtInterrupt, 'training went on in the background after the interrupt');
  // The next cell trains normally, and the interrupted fit left nothing behind that a normal fit does not.
  assert.equal(later?.status, 'ok', `${later?.stderr}`);
  assert.equal(printed(later, 'MORE'), Number(result[3]) + 1);
  assert.equal(printed(later, 'FLAG'), 0);
  assert.equal(printed(later, 'TENSORS'), printed(after, 'TENSORS'), 'tensors leaked by the fit after the interrupt');
  // After the interrupt: the count before the cell plus what the completed steps kept (the optimiser's state), nothing more.
  assert.equal(printed(after, 'TENSORS'), printed(setupCell, 'BEFORE') + printed(later, 'KEPT_BY_A_FIT'), 'tensors leaked by the interrupted fit');
});

test('interrupting trainDqn stops it at the next step; stopTraining stops it from a callback', async () => {
  const { cells } = await runKernelSession([
    { run: setup + "const env = make('CartPole-v1');\nconst progress = { step: 0 };\nconsole.log('BEFORE', tf.memory().numTensors);", timeout: 180 },
    {
      start:
        'const run = await trainDqn({ env, config: { totalSteps: 1_000_000, learningStarts: 200, evaluationInterval: 1000, evaluationEpisodes: 5 }, onEpisode: (p) => { progress.step = p.step; } });\n' +
        "console.log('RESULT', JSON.stringify(run.interrupted), 'STEPS', run.totalSteps);",
    },
    { interrupt_after: 5, timeout: 30 },
    { run: "console.log('STEP', progress.step, 'TOTAL', run.totalSteps, 'TENSORS', tf.memory().numTensors);" },
    { sleep: 1.5 },
    {
      run:
        "console.log('STEP', progress.step);\n" +
        'const again = await trainDqn({ env, agent: run.agent, config: { totalSteps: 5000, learningStarts: 100, evaluationInterval: 0 }, onEpisode: (p, control) => { if (p.episode >= 3) control.stopTraining = true; } });\n' +
        "console.log('EPISODES', again.episodes.length, 'STOPPED', again.stoppedEarly ? 1 : 0, 'TENSORS', tf.memory().numTensors);\n" +
        // What one completed run keeps (its agent: two networks and the optimiser's state), measured on a fresh run.
        'const beforeReference = tf.memory().numTensors;\n' +
        'await trainDqn({ env, config: { totalSteps: 300, learningStarts: 100, evaluationInterval: 0 } });\n' +
        "console.log('KEPT_BY_A_RUN', tf.memory().numTensors - beforeReference);",
      timeout: 60,
    },
  ]);
  const [setupCell, training, after, later] = cells;
  assertStoppedCleanly(training);
  const result = /RESULT \{"episode":(\d+),"step":(\d+)\} STEPS (\d+)/.exec(training?.stdout ?? '');
  assert.ok(result, `the trainDqn result says where it was interrupted:\n${training?.stdout}`);
  assert.equal(Number(result[2]), Number(result[3]));
  assert.equal(after?.status, 'ok', `${after?.stderr}`);
  assert.equal(printed(after, 'TOTAL'), Number(result[3]));
  const stepAfter = printed(after, 'STEP');
  assert.ok(stepAfter <= Number(result[3]));
  assert.equal(printed(later, 'STEP'), stepAfter, 'trainDqn went on in the background after the interrupt');
  assert.equal(later?.status, 'ok', `${later?.stderr}`);
  assert.equal(printed(later, 'EPISODES'), 3, 'stopTraining set in onEpisode stops after that episode');
  assert.equal(printed(later, 'STOPPED'), 1);
  assert.equal(printed(later, 'TENSORS'), printed(after, 'TENSORS'), 'tensors leaked by the training after the interrupt');
  // After the interrupt: the count before the cell plus what the completed steps kept (the agent), nothing more.
  assert.equal(printed(after, 'TENSORS'), printed(setupCell, 'BEFORE') + printed(later, 'KEPT_BY_A_RUN'), 'tensors leaked by the interrupted training');
});

test('interrupting a synchronous tf.tidy loop leaves no open scope and no leaked tensor; tf keeps working', async () => {
  const { cells } = await runKernelSession([
    { run: setup + 'const w = tf.variable(tf.randomNormal([64, 64]));\nconsole.log(\'BEFORE\', tf.memory().numTensors);', timeout: 180 },
    {
      start:
        'const kept = tf.zeros([64, 64]);\n' +
        'for (let i = 0; i < 1e9; i++) {\n' +
        '  tf.tidy(() => { let h = tf.tanh(tf.matMul(kept, w)); for (let k = 0; k < 10; k++) h = tf.tanh(tf.matMul(h, w)); h.sum(); });\n' +
        '}',
    },
    { interrupt_after: 3, timeout: 30 },
    { sleep: 0.5 },
    {
      run:
        "console.log('AFTER', tf.memory().numTensors, 'SCOPES', tf.engine().state.scopeStack.length, 'SUM', tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]));\n" +
        "console.log('GRAD', tf.tidy(() => tf.grad((v) => tf.sum(tf.square(v)))(tf.ones([3])).dataSync()[0]));",
    },
    { run: "console.log('KEPT', kept.size);" },
  ]);
  const [first, loop, after, names] = cells;
  assert.match(loop?.stderr ?? '', /interrupted by `SIGINT`/, 'the endless loop was interrupted');
  assert.equal(after?.status, 'ok', `${after?.stderr}`);
  // The variable and the `kept` tensor the cell created before the loop stay; nothing else does.
  // On failure, say what the clean-up after the interrupt reported and whether a scope stayed open: the
  // leak has been seen twice in CI (10 and 20 tensors) and not reproduced locally.
  assert.equal(
    printed(after, 'AFTER'),
    printed(first, 'BEFORE') + 1,
    `tensors leaked by the interrupted tf.tidy; the interrupted cell printed ${JSON.stringify(loop?.stdout)} ` +
      `(stderr ${JSON.stringify(loop?.stderr.slice(0, 600))}), the next one ${JSON.stringify(after?.stdout)} ` +
      `(stderr ${JSON.stringify(after?.stderr.slice(0, 600))})`,
  );
  assert.equal(printed(after, 'SCOPES'), 0, 'a TensorFlow.js scope was left open');
  assert.equal(printed(after, 'SUM'), 3);
  assert.equal(printed(names, 'KEPT'), 64 * 64, `the interrupted cell keeps the names it declared: ${names?.stderr}`);
  assert.equal(printed(after, 'GRAD'), 2, 'gradients work again');
});

test('an interrupt also stops the later loops of the interrupted cell (a loop over configurations), not the next cell', async () => {
  const { cells } = await runKernelSession([
    {
      run:
        setup +
        'const x = tf.randomNormal([512, 8]);\n' +
        "const y = tf.tensor1d(Array.from({ length: 512 }, (_, i) => i % 3), 'int32');\n" +
        'const runs: string[] = [];',
      timeout: 180,
    },
    {
      start:
        'for (const hidden of [16, 32, 64]) {\n' +
        '  const trainer = new Trainer(mlp({ inputShape: [8], hidden: [hidden], outputs: 3 }), { learningRate: 0.01 });\n' +
        '  const result = await trainer.fit({ x, y }, { epochs: 100, batchSize: 8, plot: false });\n' +
        '  runs.push(`${hidden}:${result.interrupted ? result.interrupted.step : "done"}`);\n' +
        '}',
    },
    { interrupt_after: 4, timeout: 30 },
    {
      run:
        "console.log('RUNS', runs.join(' '));\n" +
        "const next = await new Trainer(mlp({ inputShape: [8], hidden: [4], outputs: 3 })).fit({ x, y }, { epochs: 1, plot: false });\n" +
        "console.log('NEXT', next.interrupted === undefined ? 'done' : 'interrupted', next.epochs);",
      timeout: 60,
    },
  ]);
  const [, loop, after] = cells;
  assertStoppedCleanly(loop);
  const runs = /RUNS (\S+) (\S+) (\S+)/.exec(after?.stdout ?? '');
  assert.ok(runs, `three runs were recorded:\n${after?.stdout}\n${after?.stderr}`);
  assert.match(runs[1] as string, /^16:\d+$/);
  assert.equal(runs[2], '32:0', 'the second run started after the interrupt and must not train');
  assert.equal(runs[3], '64:0');
  assert.match(after?.stdout ?? '', /NEXT done 1/);
});

test('an interrupt while the cell that imported dlkit still awaits stops that cell; the kernel lives on', async () => {
  // Importing dlkit inside a cell used to leave SIGINT with Node's exit handler until the next cell
  // ran: this interrupt, during the cell's await, ended the kernel.
  // The interrupt waits for the cell's own word that its import and initBackend are done (a fixed delay
  // landed before the cell ran on a loaded machine, and the cell was then rightly never started).
  const { cells } = await runKernelSession([
    {
      start:
        setup +
        "console.log('IMPORTED');\nawait new Promise((resolve) => setTimeout(resolve, 8000));\nconsole.log('SLEPT');",
    },
    { interrupt_when: 'IMPORTED', after: 1, timeout: 30 },
    { run: "console.log('ALIVE', tf.memory().numTensors >= 0 ? 1 : 0);" },
  ]);
  const [first, next] = cells;
  assert.notEqual(first?.status, 'ok', 'the interrupted cell is reported as interrupted');
  assert.doesNotMatch(first?.stdout ?? '', /SLEPT/, 'the cell did not run to its end');
  assert.equal(next?.status, 'ok', `the kernel answers the next cell: ${next?.stderr}`);
  assert.equal(printed(next, 'ALIVE'), 1);
});

for (const kernelBusy of [false, true]) {
  const when = kernelBusy ? 'before the kernel reads it (its event loop busy)' : 'while the kernel prepares it';
  test(`an interrupt sent after a cell, ${when}, stops that cell before it runs`, async () => {
    // tslab converts a cell's TypeScript before it runs it; an interrupt during that time used to be
    // lost, and this endless loop then ran on. On a loaded machine the interrupt can even reach the
    // kernel before the cell's request does (CI on Node 24): it was sent after the cell, so it is the
    // cell's. Here a timer blocks the kernel's event loop for 1.5 s while both arrive.
    const blockLater = "setTimeout(() => { const end = Date.now() + 1500; while (Date.now() < end); }, 300);";
    const { cells } = await runKernelSession([
      { run: setup + 'const w = tf.variable(tf.randomNormal([8, 8]));', timeout: 180 },
      ...(kernelBusy ? [{ run: blockLater }, { sleep: 0.5 }] : []),
      { start: 'for (let i = 0; i < 1e12; i++) { tf.tidy(() => tf.matMul(w, w)); }' },
      { interrupt_after: 0.1, timeout: 30 },
      { run: "console.log('ALIVE', tf.engine().state.scopeStack.length === 0 ? 1 : 0);" },
    ]);
    const [loop, next] = cells.slice(-2);
    assert.equal(loop?.status, 'error', `the loop cell ended: ${loop?.status}`);
    assert.match(loop?.stderr ?? '', /Interrupted before the cell started running|interrupted by `SIGINT`/);
    assert.equal(next?.status, 'ok', `${next?.stderr}`);
    assert.equal(printed(next, 'ALIVE'), 1);
  });
}

test('an interrupt while the kernel is idle stops nothing: the next cell runs', async () => {
  const { cells } = await runKernelSession([
    { run: "console.log('FIRST', 1);" },
    { interrupt_idle: true },
    { sleep: 1 },
    { run: "console.log('NEXT', 1);" },
  ]);
  const [, next] = cells;
  assert.equal(next?.status, 'ok', `${next?.stderr}`);
  assert.equal(printed(next, 'NEXT'), 1);
});

test("a cell's own SIGINT listener hears a later interrupt, which does not end the kernel", async () => {
  // A listener added inside a cell's synchronous run used to leave SIGINT with Node's exit handler
  // (tslab runs cells with breakOnSigint); no dlkit here, only the reader's own listener.
  const { cells } = await runKernelSession([
    { start: "process.on('SIGINT', () => console.log('MINE'));\nawait new Promise((resolve) => setTimeout(resolve, 6000));" },
    { interrupt_after: 3, timeout: 30 },
    { run: "console.log('ALIVE', 1);" },
  ]);
  const [first, next] = cells;
  assert.match(first?.stdout ?? '', /MINE/, 'the listener heard the interrupt');
  assert.equal(next?.status, 'ok', `the kernel answers the next cell: ${next?.stderr}`);
  assert.equal(printed(next, 'ALIVE'), 1);
});
