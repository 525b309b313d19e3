import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  tf, initBackend, seed, unseed, Dataset, Trainer, mlp, EarlyStoppingCallback, LivePlotCallback, CheckpointCallback, loadCheckpointFolder, logValue,
  type EpochLogs, type EarlyStoppingState, type Tensor, type TrainerCallback,
} from 'dlkit';

function blobs(n: number, offset = 1): Dataset {
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    x.push([label === 1 ? offset + Math.random() - 0.5 : -offset + Math.random() - 0.5, Math.random() - 0.5]);
    y.push(label);
  }
  return Dataset.fromArrays(x, y);
}

test('an EarlyStoppingCallback in callbacks does what the earlyStopping option does', async () => {
  await initBackend({ quiet: true });
  const run = async (asCallback: boolean): Promise<{ epochs: number; best?: number; stopped: boolean; weights: number[] }> => {
    seed(31);
    const data = blobs(96);
    const model = mlp({ inputShape: [2], hidden: [8], outputs: 2 });
    const trainer = new Trainer(model, { learningRate: 0.05 });
    const options = { monitor: 'loss', mode: 'max' as const, patience: 2 };
    const result = await trainer.fit(data, { epochs: 10, batchSize: 16, plot: false, ...(asCallback ? { callbacks: [new EarlyStoppingCallback(options)] } : { earlyStopping: options }) });
    const weights = model.getWeights().flatMap((w) => Array.from(w.dataSync()));
    trainer.dispose();
    model.dispose();
    data.dispose();
    return { epochs: result.epochs, ...(result.bestEpoch !== undefined ? { best: result.bestEpoch } : {}), stopped: result.stoppedEarly, weights };
  };
  const before = tf.memory().numTensors;
  const sugar = await run(false);
  const callback = await run(true);
  assert.deepEqual(callback, sugar);
  assert.equal(sugar.stopped, true);
  assert.equal(sugar.best, 1);
  assert.equal(sugar.epochs, 3);
  assert.equal(tf.memory().numTensors, before, 'the best weights were freed');
  unseed();
});

test('EarlyStoppingCallback: state() is plain JSON and restore() continues from it', async () => {
  await initBackend({ quiet: true });
  const early = new EarlyStoppingCallback({ monitor: 'validationLoss', patience: 2 });
  assert.throws(() => new EarlyStoppingCallback({ patience: 0 }), /patience must be a positive integer/);
  const weights = [tf.scalar(1)];
  const control = { stopTraining: false, learningRate: 0.1, epoch: 0, history: [] as EpochLogs[], weights: () => weights, setWeights: () => undefined };
  early.onTrainBegin({ epochs: 5, samplesPerEpoch: 10, stepsPerEpoch: 1, metrics: [], validation: true });
  assert.deepEqual(early.state(), { monitor: 'validationLoss', mode: 'min', best: null, bestEpoch: 0, wait: 0 });
  early.onEpochEnd({ epoch: 1, loss: 1, validationLoss: 0.5, learningRate: 0.1, seconds: 0 }, control);
  early.onEpochEnd({ epoch: 2, loss: 1, validationLoss: 0.7, learningRate: 0.1, seconds: 0 }, control);
  const saved: EarlyStoppingState = JSON.parse(JSON.stringify(early.state()));
  assert.deepEqual(saved, { monitor: 'validationLoss', mode: 'min', best: 0.5, bestEpoch: 1, wait: 1 });
  const resumed = new EarlyStoppingCallback({ patience: 2 });
  resumed.restore(saved, early.takeBestWeights());
  resumed.onTrainBegin({ epochs: 5, samplesPerEpoch: 10, stepsPerEpoch: 1, metrics: [], validation: true });
  resumed.onEpochEnd({ epoch: 3, loss: 1, validationLoss: 0.6, learningRate: 0.1, seconds: 0 }, control);
  assert.equal(control.stopTraining, true, 'patience 2 counts the epoch before the resume');
  assert.equal(resumed.stopped, true);
  assert.throws(() => new EarlyStoppingCallback({ monitor: 'loss' }).restore(saved), /watches "validationLoss" but this callback watches "loss"/);
  assert.throws(() => resumed.onEpochEnd({ epoch: 4, loss: 1, learningRate: 0.1, seconds: 0 }, control), /watches "validationLoss", which is not logged/);
  resumed.dispose();
  early.dispose();
  tf.dispose(weights);
});

test('LivePlotCallback draws the batch means and one validation point per epoch, and closes even when training fails', async () => {
  await initBackend({ quiet: true });
  seed(32);
  const data = blobs(200);
  const model = mlp({ inputShape: [2], hidden: [4], outputs: 2 });
  const trainer = new Trainer(model, { learningRate: 0.05 });
  const live = new LivePlotCallback({ logOutsideNotebook: false });
  const result = await trainer.fit(data, { epochs: 3, batchSize: 16, validationSplit: 0.2, plot: false, callbacks: [live] });
  const plot = live.plot;
  assert.ok(plot);
  const loss = plot.history('loss');
  // 160 training samples in batches of 16: 10 steps, a point every 3 batches and one at the end of each epoch.
  assert.deepEqual(loss.x.slice(0, 4), [0.3, 0.6, 0.9, 1]);
  assert.equal(loss.x.length, 12);
  assert.deepEqual(plot.history('validationAccuracy'), { x: [1, 2, 3], y: result.history.map((h) => logValue(h, 'validationAccuracy')) });
  // The epoch's points average (weighted by samples) to the epoch's logged loss.
  const first = loss.y.slice(0, 4);
  const weighted = ((first[0] as number) * 48 + (first[1] as number) * 48 + (first[2] as number) * 48 + (first[3] as number) * 16) / 160;
  assert.ok(Math.abs(weighted - (result.history[0] as EpochLogs).loss) < 1e-6);
  assert.match(plot.progressLine(), /done in/);
  // The board: loss and accuracy each in their own panel, with reader names.
  const panelOf = new Map(plot.figure().traces.map((t) => [t['name'] as string, t['yaxis']]));
  assert.deepEqual(Object.fromEntries(panelOf), { loss: 'y', accuracy: 'y2', 'validation loss': 'y', 'validation accuracy': 'y2' });

  const failing = new LivePlotCallback({ logOutsideNotebook: false });
  await assert.rejects(
    trainer.fit(data, { epochs: 5, batchSize: 16, plot: false, callbacks: [failing, { onEpochEnd: () => { throw new Error('a callback failed'); } }] }),
    /a callback failed/,
  );
  assert.throws(() => failing.plot?.update(1, { loss: 1 }), /this plot was closed/);
  trainer.dispose();
  model.dispose();
  data.dispose();
  unseed();
});

test('logValue gives a logged number, or says what was logged', () => {
  const logs: EpochLogs = { epoch: 2, loss: 0.3, accuracy: 0.9, learningRate: 0.01, seconds: 1 };
  assert.equal(logValue(logs, 'accuracy'), 0.9);
  assert.throws(() => logValue(logs, 'validationAccuracy'), /Epoch 2 did not log "validationAccuracy"; it logged epoch, loss, accuracy, learningRate, seconds\. .*validationData/);
});

/** A callback with progress of its own: it counts the batches it saw, as a number and as a tensor. */
class BatchCounter implements TrainerCallback {
  readonly stateKey = 'batchCounter';
  batches = 0;
  restoredFrom: number | null = null;
  private total: Tensor | null = null;

  onBatchEnd(): void {
    this.batches += 1;
  }

  onEpochEnd(): void {
    this.total?.dispose();
    this.total = tf.scalar(this.batches);
  }

  state(): { batches: number } {
    return { batches: this.batches };
  }

  stateTensors(): Tensor[] | null {
    return this.total ? [this.total] : null;
  }

  restore(state: unknown, tensors: Tensor[] | null): void {
    this.batches = (state as { batches: number }).batches;
    this.restoredFrom = this.batches;
    assert.equal(tensors?.[0]?.dataSync()[0], this.batches, 'the tensors come back with the state');
    this.total?.dispose();
    this.total = tensors?.[0] ?? null;
  }

  dispose(): void {
    this.total?.dispose();
    this.total = null;
  }
}

test('the Trainer keeps any callback\'s state(): into checkpoints, back on resume, and on to the next fit', async () => {
  await initBackend({ quiet: true });
  seed(33);
  const folder = mkdtempSync(join(tmpdir(), 'dlkit-callbacks-'));
  const data = blobs(64);
  const before = tf.memory().numTensors;
  const model = mlp({ inputShape: [2], hidden: [4], outputs: 2 });
  const trainer = new Trainer(model, { learningRate: 0.05 });
  const first = new BatchCounter();
  await trainer.fit(data, { epochs: 2, batchSize: 16, plot: false, callbacks: [first], checkpoint: { directory: join(folder, 'run') } });
  assert.equal(first.batches, 8);
  const saved = loadCheckpointFolder(join(folder, 'run'));
  assert.deepEqual(saved.state['callbacks'], { batchCounter: { batches: 8 } });
  assert.deepEqual(Array.from(saved.groups['callback-batchCounter']?.[0]?.values ?? []), [8]);
  // A new trainer resumed from the checkpoint hands the state to a new callback with the same key.
  const model2 = mlp({ inputShape: [2], hidden: [4], outputs: 2 });
  const trainer2 = new Trainer(model2, { learningRate: 0.05 });
  const resumed = new BatchCounter();
  await trainer2.fit(data, { epochs: 3, batchSize: 16, plot: false, callbacks: [resumed], resumeFrom: join(folder, 'run') });
  assert.equal(resumed.restoredFrom, 8);
  assert.equal(resumed.batches, 12);
  // The next fit of the same trainer continues from where this one ended.
  const next = new BatchCounter();
  await trainer2.fit(data, { epochs: 4, batchSize: 16, plot: false, callbacks: [next] });
  assert.equal(next.restoredFrom, 12);
  assert.equal(next.batches, 16);
  // The same callback in another fit simply goes on.
  await trainer2.fit(data, { epochs: 5, batchSize: 16, plot: false, callbacks: [next] });
  assert.equal(next.batches, 20);
  for (const c of [first, resumed, next]) c.dispose();
  trainer.dispose();
  trainer2.dispose();
  model.dispose();
  model2.dispose();
  assert.equal(tf.memory().numTensors, before, 'the kept copies were freed with the trainers');
  data.dispose();
  rmSync(folder, { recursive: true, force: true });
  unseed();
});

test('CheckpointCallback saves every everyEpochs epochs and at the end, and refuses a foreign folder when it is made', async () => {
  await initBackend({ quiet: true });
  seed(34);
  const folder = mkdtempSync(join(tmpdir(), 'dlkit-callbacks-'));
  const mine = join(folder, 'mine');
  mkdirSync(mine);
  writeFileSync(join(mine, 'notes.txt'), 'mine\n');
  assert.throws(() => new CheckpointCallback({ directory: mine }), /Cannot save checkpoints to .*not a dlkit checkpoint.*notes\.txt/);
  assert.throws(() => new CheckpointCallback({ directory: join(folder, 'run'), everyEpochs: 0 }), /everyEpochs must be a positive integer, got 0/);
  const data = blobs(32);
  const model = mlp({ inputShape: [2], hidden: [4], outputs: 2 });
  const trainer = new Trainer(model, { learningRate: 0.05 });
  const savedEpochs: number[] = [];
  const checkpoints = new CheckpointCallback({ directory: join(folder, 'run'), everyEpochs: 2 });
  const watch: TrainerCallback = { onEpochEnd: () => void savedEpochs.push(readdirSync(folder).includes('run') ? (loadCheckpointFolder(join(folder, 'run')).state['epoch'] as number) : 0) };
  await trainer.fit(data, { epochs: 5, batchSize: 16, plot: false, callbacks: [checkpoints, watch] });
  assert.deepEqual(savedEpochs, [0, 2, 2, 4, 5]);
  trainer.dispose();
  model.dispose();
  data.dispose();
  rmSync(folder, { recursive: true, force: true });
  unseed();
});
