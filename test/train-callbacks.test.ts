import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, seed, unseed, Dataset, Trainer, mlp, EarlyStopping, LivePlotCallback, logValue, type EpochLogs, type EarlyStoppingState } from 'dlkit';

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

test('an EarlyStopping callback in callbacks does what the earlyStopping option does', async () => {
  await initBackend({ quiet: true });
  const run = async (asCallback: boolean): Promise<{ epochs: number; best?: number; stopped: boolean; weights: number[] }> => {
    seed(31);
    const data = blobs(96);
    const model = mlp({ inputShape: [2], hidden: [8], outputs: 2 });
    const trainer = new Trainer(model, { learningRate: 0.05 });
    const options = { monitor: 'loss', mode: 'max' as const, patience: 2 };
    const result = await trainer.fit(data, { epochs: 10, batchSize: 16, plot: false, ...(asCallback ? { callbacks: [new EarlyStopping(options)] } : { earlyStopping: options }) });
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

test('EarlyStopping: state() is plain JSON and restore() continues from it', async () => {
  await initBackend({ quiet: true });
  const early = new EarlyStopping({ monitor: 'validationLoss', patience: 2 });
  assert.throws(() => new EarlyStopping({ patience: 0 }), /patience must be a positive integer/);
  const weights = [tf.scalar(1)];
  const control = { stopTraining: false, learningRate: 0.1, epoch: 0, history: [] as EpochLogs[], weights: () => weights, setWeights: () => undefined };
  early.onTrainBegin({ epochs: 5, samplesPerEpoch: 10, stepsPerEpoch: 1, metrics: [], validation: true });
  assert.deepEqual(early.state(), { monitor: 'validationLoss', mode: 'min', best: null, bestEpoch: 0, wait: 0 });
  early.onEpochEnd({ epoch: 1, loss: 1, validationLoss: 0.5, learningRate: 0.1, seconds: 0 }, control);
  early.onEpochEnd({ epoch: 2, loss: 1, validationLoss: 0.7, learningRate: 0.1, seconds: 0 }, control);
  const saved: EarlyStoppingState = JSON.parse(JSON.stringify(early.state()));
  assert.deepEqual(saved, { monitor: 'validationLoss', mode: 'min', best: 0.5, bestEpoch: 1, wait: 1 });
  const resumed = new EarlyStopping({ patience: 2 });
  resumed.restore(saved, early.takeBestWeights());
  resumed.onTrainBegin({ epochs: 5, samplesPerEpoch: 10, stepsPerEpoch: 1, metrics: [], validation: true });
  resumed.onEpochEnd({ epoch: 3, loss: 1, validationLoss: 0.6, learningRate: 0.1, seconds: 0 }, control);
  assert.equal(control.stopTraining, true, 'patience 2 counts the epoch before the resume');
  assert.equal(resumed.stopped, true);
  assert.throws(() => new EarlyStopping({ monitor: 'loss' }).restore(saved), /watches "validationLoss" but this callback watches "loss"/);
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
