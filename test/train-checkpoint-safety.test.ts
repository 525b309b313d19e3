import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import fs = require('node:fs');
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, seed, unseed, Dataset, Trainer, mlp, loadCheckpointFolder, checkCheckpointDirectory, type LayersModel } from 'dlkit';

function temporaryFolder(): string {
  return mkdtempSync(join(tmpdir(), 'dlkit-safety-'));
}

/** A small labelled set and a model with a trainer; `epochsBegun` counts the epochs training started. */
async function setup(): Promise<{ data: Dataset; model: LayersModel; trainer: Trainer; epochsBegun: () => number; dispose: () => void }> {
  await initBackend({ quiet: true });
  seed(11);
  const data = Dataset.fromArrays([[0, 1], [1, 0], [1, 1], [0, 0]], [0, 1, 1, 0]);
  const model = mlp({ inputShape: [2], hidden: [3], outputs: 2 });
  const trainer = new Trainer(model, { learningRate: 0.01 });
  let begun = 0;
  const original = trainer.fit.bind(trainer);
  trainer.fit = (d, options) => original(d, { ...options, callbacks: [...(options.callbacks ?? []), { onEpochBegin: () => void (begun += 1) }] });
  return {
    data,
    model,
    trainer,
    epochsBegun: () => begun,
    dispose: () => {
      trainer.optimizer.dispose();
      model.dispose();
      data.dispose();
      unseed();
    },
  };
}

/** Every file under `folder` (recursively) with its bytes. */
function snapshot(folder: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile()) files.set(path, readFileSync(path));
  }
  return files;
}

function assertUnchanged(before: Map<string, Buffer>, folder: string): void {
  const after = snapshot(folder);
  for (const [path, bytes] of before) {
    assert.ok(after.has(path), `${path} was deleted`);
    assert.ok(bytes.equals(after.get(path) as Buffer), `${path} changed`);
  }
}

test('a folder holding foreign files (and a nested folder) is refused before training, and every file survives byte for byte', async () => {
  const { data, trainer, epochsBegun, dispose } = await setup();
  const root = temporaryFolder();
  const mywork = join(root, 'mywork');
  mkdirSync(join(mywork, 'drafts', 'old'), { recursive: true });
  writeFileSync(join(mywork, 'notes.txt'), 'my notes\n');
  writeFileSync(join(mywork, 'results.csv'), 'epoch,accuracy\n1,0.9\n');
  writeFileSync(join(mywork, 'drafts', 'old', 'idea.md'), Buffer.from([0, 1, 2, 255]));
  const before = snapshot(root);
  await assert.rejects(trainer.fit(data, { epochs: 2, batchSize: 2, plot: false, checkpoint: { directory: mywork } }), (error: Error) => {
    assert.match(error.message, new RegExp(`Cannot save checkpoints to ${mywork.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(error.message, /drafts\/, notes\.txt, results\.csv/);
    assert.match(error.message, /new or empty folder/);
    return true;
  });
  assert.equal(epochsBegun(), 0, 'no epoch started');
  assert.equal(trainer.epoch, 0);
  // Saving by hand is refused the same way.
  await assert.rejects(trainer.saveCheckpoint(mywork), /not a dlkit checkpoint/);
  assertUnchanged(before, root);
  assert.deepEqual(readdirSync(root), ['mywork']);
  rmSync(root, { recursive: true, force: true });
  dispose();
});

test('a checkpoint folder the reader added a file to is not replaced, and the file survives', async () => {
  const { data, trainer, dispose } = await setup();
  const root = temporaryFolder();
  const directory = join(root, 'run');
  await trainer.fit(data, { epochs: 1, batchSize: 2, plot: false, checkpoint: { directory } });
  writeFileSync(join(directory, 'notes.txt'), 'what I saw at epoch 1\n');
  mkdirSync(join(directory, 'plots'));
  writeFileSync(join(directory, 'plots', 'loss.png'), Buffer.from([137, 80, 78, 71]));
  const before = snapshot(root);
  await assert.rejects(trainer.fit(data, { epochs: 2, batchSize: 2, plot: false, checkpoint: { directory } }), /files that are not part of the checkpoint: notes\.txt, plots\//);
  assert.equal(trainer.epoch, 1, 'no further epoch was trained');
  await assert.rejects(trainer.saveCheckpoint(directory), /notes\.txt/);
  assertUnchanged(before, root);
  rmSync(root, { recursive: true, force: true });
  dispose();
});

test('a file, the working folder, a project folder and a notebooks folder are refused; an empty folder is fine', async () => {
  const { data, trainer, dispose } = await setup();
  const root = temporaryFolder();
  const file = join(root, 'weights');
  writeFileSync(file, 'not a folder');
  await assert.rejects(trainer.fit(data, { epochs: 1, batchSize: 2, plot: false, checkpoint: { directory: file } }), /is a file, not a folder/);
  assert.equal(readFileSync(file, 'utf8'), 'not a folder');

  const project = join(root, 'project');
  mkdirSync(join(project, 'notebooks'), { recursive: true });
  writeFileSync(join(project, 'package.json'), '{}');
  writeFileSync(join(project, 'notebooks', '05_deep_learning_mlp.ipynb'), '{"cells": []}');
  const before = snapshot(root);
  await assert.rejects(trainer.fit(data, { epochs: 1, batchSize: 2, plot: false, checkpoint: { directory: project } }), /package\.json.*looks like a project/);
  await assert.rejects(trainer.fit(data, { epochs: 1, batchSize: 2, plot: false, checkpoint: { directory: join(project, 'notebooks') } }), /05_deep_learning_mlp\.ipynb/);
  // '.' from a kernel started in notebooks/, and the folder above it.
  const working = process.cwd();
  process.chdir(join(project, 'notebooks'));
  try {
    await assert.rejects(trainer.fit(data, { epochs: 1, batchSize: 2, plot: false, checkpoint: { directory: '.' } }), /is the working folder/);
    await assert.rejects(trainer.fit(data, { epochs: 1, batchSize: 2, plot: false, checkpoint: { directory: '..' } }), /is the working folder .* or one of its parents/);
    // Even an empty working folder: a save would rename it away.
    mkdirSync(join(project, 'notebooks', 'empty'));
    process.chdir(join(project, 'notebooks', 'empty'));
    await assert.rejects(trainer.fit(data, { epochs: 1, batchSize: 2, plot: false, checkpoint: { directory: '.' } }), /is the working folder/);
  } finally {
    process.chdir(working);
  }
  rmSync(join(project, 'notebooks', 'empty'), { recursive: true });
  assertUnchanged(before, root);
  assert.equal(trainer.epoch, 0);

  const empty = join(root, 'empty');
  mkdirSync(empty);
  await trainer.fit(data, { epochs: 1, batchSize: 2, plot: false, checkpoint: { directory: empty } });
  assert.equal(loadCheckpointFolder(empty).state['epoch'], 1);
  rmSync(root, { recursive: true, force: true });
  dispose();
});

test('a foreign NAME.previous folder is neither deleted nor overwritten', async () => {
  const { data, trainer, dispose } = await setup();
  const root = temporaryFolder();
  const directory = join(root, 'run');
  await trainer.fit(data, { epochs: 1, batchSize: 2, plot: false, checkpoint: { directory } });
  mkdirSync(`${directory}.previous`);
  writeFileSync(join(`${directory}.previous`, 'keep.txt'), 'mine');
  const before = snapshot(root);
  await assert.rejects(trainer.fit(data, { epochs: 2, batchSize: 2, plot: false, checkpoint: { directory } }), /run\.previous .* is not a dlkit checkpoint.*keep\.txt/);
  await assert.rejects(trainer.saveCheckpoint(directory), /keep\.txt/);
  assertUnchanged(before, root);
  rmSync(root, { recursive: true, force: true });
  dispose();
});

test('leftover temporary folders of killed saves of this checkpoint are removed by the next save, and nothing else', async () => {
  const { data, trainer, dispose } = await setup();
  const root = temporaryFolder();
  const directory = join(root, 'run');
  await trainer.fit(data, { epochs: 1, batchSize: 2, plot: false, checkpoint: { directory } });
  // A process that has exited: its pid is free, as after a kill -9 during a save.
  const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
  const plant = (name: string, files: Record<string, string>): string => {
    const folder = join(root, name);
    mkdirSync(folder);
    for (const [file, text] of Object.entries(files)) writeFileSync(join(folder, file), text);
    return folder;
  };
  const leftover1 = plant(`.run.saving-${dead}-1700000000000`, { 'model.bin': 'x'.repeat(100), 'optimizer.bin': 'y' });
  const leftover2 = plant(`.run.saving-${dead}-1700000000001`, { 'model.bin': 'x' });
  // Not ours to remove: another checkpoint's, a name that only looks similar, and one holding a reader's file.
  plant(`.other.saving-${dead}-1700000000000`, { 'model.bin': 'x' });
  plant(`.run.saving-${dead}-17x`, { 'model.bin': 'x' });
  plant(`run.saving-${dead}-1700000000000`, { 'model.bin': 'x' });
  const mixed = plant(`.run.saving-${dead}-1700000000002`, { 'model.bin': 'x', 'notes.txt': 'mine' });
  await trainer.fit(data, { epochs: 2, batchSize: 2, plot: false, checkpoint: { directory } });
  assert.equal(loadCheckpointFolder(directory).state['epoch'], 2);
  assert.ok(!existsSync(leftover1) && !existsSync(leftover2), 'the leftovers are gone');
  assert.deepEqual(readdirSync(mixed), ['notes.txt'], "the reader's file in a leftover folder is kept");
  assert.deepEqual(readdirSync(root).sort(), [`.other.saving-${dead}-1700000000000`, `.run.saving-${dead}-1700000000002`, `.run.saving-${dead}-17x`, 'run', `run.saving-${dead}-1700000000000`].sort());
  rmSync(root, { recursive: true, force: true });
  dispose();
});

test('a folder that cannot be written is found before the first epoch, with what to do', async (t) => {
  const { data, trainer, epochsBegun, dispose } = await setup();
  const root = temporaryFolder();
  const file = join(root, 'a-file');
  writeFileSync(file, 'x');
  // A path under a file (ENOTDIR): the old code trained an epoch, then failed in mkdir.
  await assert.rejects(trainer.fit(data, { epochs: 1, batchSize: 2, plot: false, checkpoint: { directory: join(file, 'run') } }), /part of the path is a file, not a folder/);
  assert.equal(epochsBegun(), 0);

  // Permission denied, injected (tests run as root, who may write anywhere).
  const mkdir = mock.method(fs, 'mkdirSync', (path: fs.PathLike) => {
    throw Object.assign(new Error(`EACCES: permission denied, mkdir '${String(path)}'`), { code: 'EACCES' });
  });
  try {
    await assert.rejects(trainer.fit(data, { epochs: 1, batchSize: 2, plot: false, checkpoint: { directory: join(root, 'run') } }), (error: Error) => {
      assert.match(error.message, /Cannot save checkpoints in .*dlkit-safety-.*may not create folders there \(EACCES, permission denied\)/);
      assert.match(error.message, /a folder you can write to .*\(chmod u\+w\)/);
      return true;
    });
  } finally {
    mkdir.mock.restore();
  }
  assert.equal(epochsBegun(), 0);
  assert.deepEqual(readdirSync(root), ['a-file'], 'the probe left nothing behind');

  // A real file system that refuses folders, when there is one.
  let refused = false;
  try {
    fs.mkdirSync('/sys/dlkit-probe');
    fs.rmdirSync('/sys/dlkit-probe');
  } catch {
    refused = true;
  }
  if (!refused) t.diagnostic('skipped the /sys case: this process may create folders in /sys');
  else assert.throws(() => checkCheckpointDirectory('/sys/dlkit-checkpoint'), /Cannot save checkpoints in \/sys: this process may not create folders there/);
  rmSync(root, { recursive: true, force: true });
  dispose();
});
