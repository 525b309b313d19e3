// The stop button without a kernel: a SIGINT reaching dlkit's listener stops
// Trainer.fit, trainDqn and measurements at the next step, only for loops that
// were running when it arrived, and closeInterruptedScopes frees what broken
// tf.tidy scopes held. (test/kernel-interrupt.test.ts does the same through a
// real tslab kernel.)
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  tf,
  initBackend,
  seed,
  unseed,
  Dataset,
  Trainer,
  mlp,
  make,
  trainDqn,
  measureRate,
  measureMiniBertThroughput,
  LivePlot,
  installInterruptHandler,
  interruptCount,
  watchInterrupts,
  closeInterruptedScopes,
  engineRepairRefusal,
  type CustomModel,
  type Scalar,
} from 'dlkit';

function interrupt(): void {
  process.emit('SIGINT', 'SIGINT');
}

function data(n: number): Dataset {
  const x = Array.from({ length: n }, (_, i) => [i % 2 === 0 ? 1 : -1, (i % 7) / 7]);
  return Dataset.fromArrays(x, Array.from({ length: n }, (_, i) => i % 2));
}

test('an interrupt counts for loops running when it arrives, not for loops started later', async () => {
  installInterruptHandler();
  installInterruptHandler();
  assert.equal(process.listenerCount('SIGINT'), 1, 'installing twice adds one listener');
  const running = watchInterrupts();
  const count = interruptCount();
  assert.equal(running.requested, false);
  interrupt();
  assert.equal(interruptCount(), count + 1);
  assert.equal(running.requested, true);
  assert.equal(await running.shouldStop(), true);
  assert.equal(watchInterrupts().requested, false, 'a stale interrupt stopped a new loop');
});

test('Trainer.fit stops at the batch after an interrupt, keeps that step, says so, and the next fit runs', async () => {
  await initBackend({ quiet: true });
  installInterruptHandler();
  seed(3);
  const set = data(256);
  const model = mlp({ inputShape: [2], hidden: [8], outputs: 2 });
  const trainer = new Trainer(model, { learningRate: 0.05 });
  const before = tf.memory().numTensors;
  let weightsAtInterrupt: number[] = [];
  let stepAtInterrupt = 0;
  const log = mock.method(console, 'log', () => undefined);
  const result = await trainer.fit(set, {
    epochs: 50,
    batchSize: 8,
    plot: { minIntervalMs: 0 },
    callbacks: [
      {
        onBatchEnd: (info) => {
          if (info.epoch === 1 && info.batch === 9) {
            stepAtInterrupt = info.step;
            weightsAtInterrupt = Array.from(model.getWeights()[0]?.dataSync() ?? []);
            interrupt();
          }
        },
      },
    ],
  });
  log.mock.restore();
  assert.deepEqual(result.interrupted, { epoch: 2, step: stepAtInterrupt });
  // The live plot's last line (printed outside a notebook) says where training stopped.
  const lastLine = String(log.mock.calls.at(-1)?.arguments[0]);
  assert.match(lastLine, new RegExp(`interrupted at epoch 2, step ${stepAtInterrupt}$`));
  assert.doesNotMatch(lastLine, /done in/);
  assert.equal(trainer.step, stepAtInterrupt, 'steps ran after the interrupt');
  assert.equal(result.epochs, 1, 'the interrupted epoch is not counted as done');
  assert.equal(result.history.length, 1);
  assert.deepEqual(Array.from(model.getWeights()[0]?.dataSync() ?? []), weightsAtInterrupt, 'the model keeps the weights of the last step');
  const afterInterrupt = tf.memory().numTensors;
  assert.ok(afterInterrupt - before <= 2 * model.getWeights().length, 'only the optimiser state was added');
  const next = await trainer.fit(set, { epochs: 2, batchSize: 8, plot: false });
  assert.equal(next.interrupted, undefined);
  assert.equal(next.epochs, 2);
  assert.equal(tf.memory().numTensors, afterInterrupt);
  set.dispose();
  trainer.optimizer.dispose();
  model.dispose();
  unseed();
});

test('Trainer.fit stops between validation batches after an interrupt; the epoch is not counted and nothing leaks', async () => {
  await initBackend({ quiet: true });
  installInterruptHandler();
  seed(4);
  const w = tf.variable(tf.zeros([2, 1]));
  const b = tf.variable(tf.zeros([1]));
  let validationBatches = 0;
  let interruptAt = -1;
  const model: CustomModel = {
    trainableVariables: [w, b],
    loss: (batch, training) => tf.tidy(() => {
      if (!training && ++validationBatches === interruptAt) interrupt();
      return tf.mean(tf.square(tf.sub(tf.add(tf.matMul(batch.x, w), b), batch.y.reshape([-1, 1])))) as Scalar;
    }),
  };
  const set = Dataset.fromArrays(Array.from({ length: 64 }, (_, i) => [i / 64, 1 - i / 64]), Array.from({ length: 64 }, (_, i) => [i / 32]));
  const trainer = new Trainer(model, { learningRate: 0.01, loss: 'meanSquaredError' });
  const options = { batchSize: 16, validationData: set, validationBatchSize: 8, plot: false } as const;
  await trainer.fit(set, { ...options, epochs: 1 }); // makes the optimiser's state
  assert.equal(validationBatches, 8, 'one validation pass is 64 / 8 batches');
  const before = tf.memory().numTensors;
  const stepBefore = trainer.step;
  // The third validation batch of the next epoch interrupts (as the stop button would while it runs).
  interruptAt = validationBatches + 3;
  const log = mock.method(console, 'log', () => undefined);
  const result = await trainer.fit(set, { ...options, epochs: 5 });
  log.mock.restore();
  assert.equal(validationBatches, interruptAt, 'validation went on after the interrupt');
  assert.deepEqual(result.interrupted, { epoch: 2, step: stepBefore + 4 });
  assert.equal(result.epochs, 1, 'the epoch whose validation was interrupted is not counted');
  assert.equal(result.history.length, 1);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked by the interrupted validation');
  const next = await trainer.fit(set, { ...options, epochs: 2 });
  assert.equal(next.interrupted, undefined);
  assert.equal(typeof next.history[1]?.validationLoss, 'number');
  set.dispose();
  trainer.dispose();
  tf.dispose([w, b]);
  unseed();
});

test('trainDqn stops at the step after an interrupt and at stopTraining', async () => {
  await initBackend({ quiet: true });
  installInterruptHandler();
  seed(4);
  const env = make('CartPole-v1');
  const before = tf.memory().numTensors;
  const config = { totalSteps: 100_000, learningStarts: 50, evaluationInterval: 0 };
  const interrupted = await trainDqn({ env, config, onEpisode: (p) => p.episode === 4 && interrupt() });
  assert.equal(interrupted.episodes.length, 4);
  assert.deepEqual(interrupted.interrupted, { episode: 5, step: interrupted.episodes[3]?.step });
  assert.equal(interrupted.totalSteps, interrupted.episodes[3]?.step);
  const stopped = await trainDqn({ env, agent: interrupted.agent, config, onEpisode: (p, control) => { if (p.episode === 3) control.stopTraining = true; } });
  assert.equal(stopped.episodes.length, 3);
  assert.equal(stopped.stoppedEarly, true);
  assert.equal(stopped.interrupted, undefined);
  interrupted.agent.dispose();
  assert.equal(tf.memory().numTensors, before);
  env.close?.();
  unseed();
});

test('an evaluation inside trainDqn stops at the episode after an interrupt', async () => {
  await initBackend({ quiet: true });
  installInterruptHandler();
  seed(5);
  const env = make('CartPole-v1');
  // The interrupt arrives at the first yield to the event loop, normally during the first
  // evaluation (100,000 greedy episodes, hours of work), which checks for it episode by episode.
  setTimeout(interrupt, 1);
  const began = performance.now();
  const run = await trainDqn({ env, config: { totalSteps: 100_000, learningStarts: 20, evaluationInterval: 21, evaluationEpisodes: 100_000 } });
  assert.ok(run.interrupted !== undefined && run.interrupted.step <= 21, JSON.stringify(run.interrupted));
  assert.equal(run.evaluations.length, 0);
  assert.ok(performance.now() - began < 20_000, 'the evaluation went on after the interrupt');
  run.agent.dispose();
  unseed();
});

test('measureRate ends with a clear error when interrupted', async () => {
  installInterruptHandler();
  let runs = 0;
  await assert.rejects(
    measureRate(
      () => {
        runs += 1;
        if (runs === 2) interrupt();
        const until = performance.now() + 120;
        while (performance.now() < until);
        return 1;
      },
      { warmup: 1, repetitions: 5 },
    ),
    /measureRate: interrupted after 2 of 6 runs; run it again to measure/,
  );
});

test('measureMiniBertThroughput ends with a clear error, not a rate, when a fit was interrupted', async () => {
  await initBackend({ quiet: true });
  const before = tf.memory().numTensors;
  // Inside the kernel an interrupt stops the running fit and every later fit of the cell at once:
  // timing those would give rates of work that was never done.
  const original = Trainer.prototype.fit;
  let calls = 0;
  const fit = mock.method(Trainer.prototype, 'fit', async function (this: Trainer, ...args: Parameters<Trainer['fit']>) {
    calls += 1;
    const result = await original.apply(this, args);
    return calls >= 2 ? { ...result, interrupted: { epoch: calls, step: this.step } } : result;
  });
  try {
    await assert.rejects(
      measureMiniBertThroughput({ what: 'finetune', size: 'smoke', warmup: 1, repetitions: 2 }),
      /measureMiniBertThroughput: interrupted in epoch 2; run it again to measure/,
    );
  } finally {
    fit.mock.restore();
  }
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
});

test('importing dlkit listens for nothing; initBackend starts listening inside a kernel, not in a plain script', () => {
  const listeners = (kernel: boolean): string => {
    const script = [
      kernel ? 'globalThis.__tslab__ = {};' : '',
      "const dlkit = require('dlkit');",
      'setImmediate(async () => {',
      "  console.log('IMPORTED', process.listenerCount('SIGINT'));",
      '  await dlkit.initBackend({ quiet: true });',
      '  await new Promise((resolve) => setImmediate(resolve));',
      "  console.log('STARTED', process.listenerCount('SIGINT'));",
      '});',
    ].join('\n');
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, DLKIT_BACKEND: 'cpu' } });
    assert.equal(child.status, 0, child.stderr);
    return (child.stdout.match(/(IMPORTED|STARTED) \d+/g) ?? []).join(', ');
  };
  assert.equal(listeners(true), 'IMPORTED 0, STARTED 1');
  assert.equal(listeners(false), 'IMPORTED 0, STARTED 0', 'in a script Ctrl-C keeps ending the process');
});

test('initBackend inside a kernel cell keeps SIGINT with the listeners: a later interrupt is heard, not the end of the kernel', () => {
  // What tslab does: its own SIGINT listener, then each cell's synchronous code run by
  // vm.runInThisContext with breakOnSigint; the first cell calls initBackend. The interrupt comes
  // after the run (as during `await initBackend()` or between cells).
  const kernelLike = [
    "const vm = require('node:vm');",
    'globalThis.__tslab__ = {};',
    "process.on('SIGINT', () => console.log('kernel heard it'));",
    "vm.runInThisContext(\"require('dlkit').initBackend({ quiet: true })\", { breakOnSigint: true });",
    "setTimeout(() => process.kill(process.pid, 'SIGINT'), 300);",
    "setTimeout(() => console.log('alive, dlkit counted', require('dlkit').interruptCount()), 900);",
  ].join('\n');
  const child = spawnSync(process.execPath, ['-e', kernelLike], { encoding: 'utf8', env: { ...process.env, DLKIT_BACKEND: 'cpu' } });
  assert.equal(child.signal, null, `the kernel-like process was ended by ${child.signal}\n${child.stderr}`);
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stdout, /kernel heard it/);
  assert.match(child.stdout, /alive, dlkit counted 1/);
});

test('the engine repair refuses, touching nothing, on a TensorFlow.js version it was not written for', async () => {
  await initBackend({ quiet: true });
  assert.equal(engineRepairRefusal(), null, 'it was written for the tfjs that package.json installs');
  const kept = tf.ones([3]);
  const before = tf.memory().numTensors;
  tf.engine().startScope();
  tf.add(kept, 1);
  assert.throws(
    () => closeInterruptedScopes({ tfjsVersion: '5.0.1' }),
    /written for tfjs 4\.22\.x and this is tfjs 5\.0\.1, whose engine internals may differ, so it does not touch them\..*restart the kernel/,
  );
  assert.equal(tf.engine().state.scopeStack.length, 1, 'the open scope was left alone');
  assert.equal(tf.memory().numTensors, before + 1);
  assert.deepEqual(closeInterruptedScopes({ tfjsVersion: '4.22.3' }), { scopes: 1, tensors: 1, halfDisposed: 0, halfCreated: 0 });
  kept.dispose();
});

test('closeInterruptedScopes closes scopes that broken code left open and frees their tensors', async () => {
  await initBackend({ quiet: true });
  const kept = tf.ones([3]);
  const before = tf.memory().numTensors;
  // What an interrupt inside nested tf.tidy calls leaves: open scopes holding tensors.
  tf.engine().startScope();
  tf.add(kept, 1);
  tf.engine().startScope();
  tf.mul(kept, 2);
  tf.square(kept);
  assert.equal(tf.memory().numTensors, before + 3);
  assert.deepEqual(closeInterruptedScopes(), { scopes: 2, tensors: 3, halfDisposed: 0, halfCreated: 0 });
  assert.equal(tf.memory().numTensors, before);
  assert.equal(tf.engine().state.scopeStack.length, 0);
  assert.deepEqual(closeInterruptedScopes(), { scopes: 0, tensors: 0, halfDisposed: 0, halfCreated: 0 });
  assert.deepEqual(Array.from(tf.tidy(() => tf.add(kept, 1)).dataSync()), [2, 2, 2]);
  kept.dispose();
});

test('closeInterruptedScopes also frees an open scope when an interrupt left a popped scope active', async () => {
  await initBackend({ quiet: true });
  const kept = tf.ones([3]);
  const before = tf.memory().numTensors;
  // A tf.tidy holding two tensors, inside it an op's scope holding its result;
  // the interrupt lands in tfjs' endScope after the op's scope was popped but
  // before the tidy's scope was made active again.
  const engine = tf.engine() as unknown as { startScope(): void; state: { scopeStack: unknown[]; activeScope: unknown } };
  engine.startScope();
  tf.add(kept, 1);
  tf.mul(kept, 2);
  engine.startScope();
  tf.square(kept);
  engine.state.scopeStack.pop();
  assert.equal(tf.memory().numTensors, before + 3);
  assert.deepEqual(closeInterruptedScopes(), { scopes: 1, tensors: 3, halfDisposed: 0, halfCreated: 0 });
  assert.equal(tf.memory().numTensors, before);
  assert.equal(engine.state.activeScope, null);
  assert.deepEqual(Array.from(tf.tidy(() => tf.add(kept, 1)).dataSync()), [2, 2, 2]);
  kept.dispose();
});

test('closeInterruptedScopes finishes a tensor whose dispose an interrupt stopped halfway, and frees the rest (native rung)', async (t) => {
  await initBackend({ quiet: true });
  if (tf.getBackend() !== 'tensorflow') {
    t.skip(`the native rung is not the backend here (${tf.getBackend()})`);
    return;
  }
  const kept = tf.ones([3]);
  const before = tf.memory() as { numTensors: number; numBytes: number; numDataBuffers: number };
  const engine = tf.engine() as unknown as { startScope(): void; state: { numTensors: number; numBytes: number; scopeStack: unknown[] } };
  const backend = tf.backend() as unknown as {
    tensorMap: { get(dataId: object): { id: number; refCount: number }; has(dataId: object): boolean };
    binding: { deleteTensor(id: number): void };
  };
  engine.startScope();
  tf.add(kept, 1);
  const caught = tf.mul(kept, 2);
  tf.square(kept);
  // Where the interrupt landed (seen in the kernel test): tfjs' engine had counted `caught` as
  // gone and TensorFlow had deleted its handle, but tfjs-node had not yet forgotten the handle's
  // id and the tensor was not yet marked disposed. Disposing it again fails ("Delete called on a
  // Tensor not referenced"), which used to stop the clean-up with the scope and its tensors left.
  engine.state.numTensors -= 1;
  engine.state.numBytes -= caught.size * 4;
  const entry = backend.tensorMap.get(caught.dataId);
  entry.refCount -= 1;
  backend.binding.deleteTensor(entry.id);
  assert.throws(() => backend.binding.deleteTensor(entry.id), /not referenced/, 'the handle is gone, as after the interrupt');
  assert.deepEqual(closeInterruptedScopes(), { scopes: 1, tensors: 2, halfDisposed: 1, halfCreated: 0 });
  const after = tf.memory() as { numTensors: number; numBytes: number; numDataBuffers: number };
  assert.equal(after.numTensors, before.numTensors, 'each tensor counted once');
  assert.equal(after.numBytes, before.numBytes);
  assert.equal(after.numDataBuffers, before.numDataBuffers);
  assert.equal(caught.isDisposed, true);
  assert.equal(backend.tensorMap.has(caught.dataId), false);
  assert.equal(engine.state.scopeStack.length, 0);
  assert.deepEqual(Array.from(tf.tidy(() => tf.add(kept, 1)).dataSync()), [2, 2, 2]);
  kept.dispose();
});

test('LivePlot.close(note) ends the progress line with the note instead of "done in"', () => {
  const plot = new LivePlot({ total: 100, unit: 'samples', logOutsideNotebook: false });
  plot.update(1, { loss: 0.5 }, { done: 40, label: 'epoch 1/5' });
  plot.close('interrupted at epoch 2, step 7');
  assert.match(plot.progressLine(Date.now() + 2000), /^epoch 1\/5 \| loss 0\.5000 \| .* \| elapsed \d+:\d\d \| interrupted at epoch 2, step 7$/);
  const finished = new LivePlot({ total: 100, logOutsideNotebook: false });
  finished.update(1, { loss: 0.5 }, { done: 100 });
  finished.close();
  assert.match(finished.progressLine(Date.now() + 2000), /done in 0:02$/);
});
