import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, initBackend, loadFashionMnist, FASHION_MNIST_CLASS_NAMES, FASHION_MNIST_DEBIAN_DIRECTORY, fashionMnistInstallAdvice } from 'dlkit';

// npm test installs Debian's dataset-fashion-mnist when it runs as root; elsewhere the reader may not have it.
const installed = existsSync(join(FASHION_MNIST_DEBIAN_DIRECTORY, 'train-labels-idx1-ubyte.gz'));
const skip = installed ? false : `Fashion-MNIST is not installed in ${FASHION_MNIST_DEBIAN_DIRECTORY} (apt-get install dataset-fashion-mnist)`;

test('loadFashionMnist reads the Debian copy: shapes, grey levels in [0, 1], labels 0-9 with 6,000 / 1,000 of each class', { skip }, async () => {
  await initBackend({ quiet: true });
  const before = tf.memory().numTensors;
  const fashion = loadFashionMnist({ subset: { train: 60_000, test: 10_000 } });
  assert.deepEqual(fashion.train.x.shape, [60_000, 28, 28, 1]);
  assert.deepEqual(fashion.test.x.shape, [10_000, 28, 28, 1]);
  assert.equal(fashion.train.labels().dtype, 'int32');
  assert.deepEqual(tf.tidy(() => [tf.min(fashion.train.x).dataSync()[0], tf.max(fashion.train.x).dataSync()[0]]), [0, 1]);
  // Fashion-MNIST is balanced: exactly 6,000 training and 1,000 test images per class, labels 0 to 9.
  for (const [set, perClass] of [[fashion.train, 6000], [fashion.test, 1000]] as const) {
    const counts = new Array(10).fill(0);
    for (const label of set.labels().dataSync()) {
      assert.ok(Number.isInteger(label) && label >= 0 && label <= 9, `label ${label} out of range`);
      counts[label] += 1;
    }
    assert.deepEqual(counts, new Array(10).fill(perClass));
  }
  assert.equal(fashion.classNames.length, 10);
  assert.equal(fashion.classNames[9], 'Ankle boot');
  fashion.classNames[0] = 'changed';
  assert.equal(FASHION_MNIST_CLASS_NAMES[0], 'T-shirt/top', 'a caller cannot change the shared class names');
  // Not MNIST by mistake: the first training labels of Fashion-MNIST (ankle boot, T-shirt, T-shirt, dress) differ from MNIST's 5, 0, 4, 1.
  assert.deepEqual(Array.from(fashion.train.labels().dataSync().subarray(0, 4)), [9, 0, 0, 3]);
  const flat = loadFashionMnist({ subset: { train: 5, test: 5 }, shape: 'flat' });
  assert.deepEqual(flat.train.x.shape, [5, 784]);
  for (const set of [fashion.train, fashion.test, flat.train, flat.test]) set.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
});

test('loadFashionMnist says how to install the files when they are missing', { skip }, async () => {
  await initBackend({ quiet: true });
  const before = tf.memory().numTensors;
  const absent = join(tmpdir(), 'dlkit-no-such-fashion-folder');
  assert.throws(() => loadFashionMnist({ directory: absent }), (error: Error) =>
    error.message.includes(`the folder ${absent} does not exist`) && error.message.includes('https://github.com/zalandoresearch/fashion-mnist'));
  // The environment variable is honoured, and the default folder's advice names the Debian package.
  process.env['DLKIT_FASHION_MNIST'] = absent;
  try {
    assert.throws(() => loadFashionMnist(), new RegExp(`the folder ${absent} does not exist`));
  } finally {
    delete process.env['DLKIT_FASHION_MNIST'];
  }
  const folder = mkdtempSync(join(tmpdir(), 'dlkit-fashion-'));
  for (const name of readdirSync(FASHION_MNIST_DEBIAN_DIRECTORY)) copyFileSync(join(FASHION_MNIST_DEBIAN_DIRECTORY, name), join(folder, name));
  unlinkSync(join(folder, 't10k-labels-idx1-ubyte.gz'));
  assert.throws(
    () => loadFashionMnist({ directory: folder, subset: { train: 10, test: 10 } }),
    (error: Error) => error.message.startsWith(`Fashion-MNIST file ${join(folder, 't10k-labels-idx1-ubyte')} is missing`) && /t10k-labels-idx1-ubyte\.gz from https:/.test(error.message),
  );
  assert.equal(tf.memory().numTensors, before, 'the training set read before the error is disposed');
  rmSync(folder, { recursive: true, force: true });
  assert.throws(() => loadFashionMnist({ subset: { train: 0 } }), /loadFashionMnist: subset.train must be a positive number of images, got 0/);
});

test('the advice for the default folder names the Debian package; for a folder of the reader\'s own, the files', () => {
  assert.match(fashionMnistInstallAdvice(FASHION_MNIST_DEBIAN_DIRECTORY), /apt-get install --no-install-recommends dataset-fashion-mnist/);
  assert.doesNotMatch(fashionMnistInstallAdvice('/home/reader/fashion'), /apt-get/);
  assert.match(fashionMnistInstallAdvice('/home/reader/fashion'), /Put the four files there/);
});
