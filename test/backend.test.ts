import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend, parseBackendName, tf } from 'dlkit';

test('an unknown DLKIT_BACKEND value is a clear error naming the valid ones', async () => {
  assert.throws(() => parseBackendName('gpu'), /Unknown backend "gpu". Use one of: node-gpu, node, wasm, cpu/);
  await assert.rejects(initBackend({ backend: 'tpu', quiet: true }), /Unknown backend "tpu"/);
});

test('the ladder picks a working backend and reports every rung it tried', async () => {
  const report = await initBackend({ backend: '', quiet: true });
  assert.equal(tf.getBackend(), report.tfBackend);
  assert.ok(report.attempts.at(-1)?.ok);
  assert.ok(report.attempts.slice(0, -1).every((a) => !a.ok && a.detail.length > 0));
});

test('a forced backend is used, and a forced one that cannot start is an error', async () => {
  const report = await initBackend({ backend: 'cpu', quiet: true });
  assert.equal(report.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  let nativeInstalled = true;
  try {
    const manifest = require('@tensorflow/tfjs-node-gpu/package.json') as { name: string };
    nativeInstalled = manifest.name === '@tensorflow/tfjs-node-gpu';
  } catch {
    nativeInstalled = false;
  }
  if (!nativeInstalled) {
    await assert.rejects(initBackend({ backend: 'node-gpu', quiet: true }), /DLKIT_BACKEND=node-gpu cannot start/);
  }
});
