import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKEND_LADDERS, initBackend, parseBackendName, tf } from 'dlkit';
import { repositoryRoot } from './helpers/notebooks';

test('an unknown DLKIT_BACKEND value is a clear error naming the valid ones', async () => {
  assert.throws(() => parseBackendName('gpu'), /Unknown backend "gpu". Use one of: node-gpu, node, wasm, cpu/);
  await assert.rejects(initBackend({ backend: 'tpu', quiet: true }), /Unknown backend "tpu"/);
});

test('the ladder picks a working backend and reports every rung it tried', async () => {
  const report = await initBackend({ backend: '', quiet: true });
  assert.equal(tf.getBackend(), report.tfBackend);
  assert.ok(report.attempts.at(-1)?.ok);
  assert.ok(report.attempts.slice(0, -1).every((a) => !a.ok && a.detail.length > 0));
  // The printed line stays short: the rungs that failed are named, their long reasons stay in report.reason.
  const failed = report.attempts.filter((a) => !a.ok);
  assert.ok(report.summary.length <= 80, `summary too long: ${report.summary}`);
  for (const attempt of failed) {
    assert.ok(report.summary.includes(attempt.name));
    assert.ok(report.reason.includes(attempt.detail));
  }
});

test('the latency ladder starts at wasm, the training ladder at the native rungs; an unknown workload is an error', async () => {
  assert.deepEqual(BACKEND_LADDERS.throughput.slice(0, 2), ['node-gpu', 'node']);
  const latency = await initBackend({ backend: '', workload: 'latency', quiet: true });
  assert.equal(latency.attempts[0]?.name, 'wasm', 'wasm is tried first for latency-bound work');
  assert.equal(latency.name, 'wasm', `wasm is installed with dlkit, so it is chosen: ${latency.reason}`);
  assert.equal(tf.getBackend(), 'wasm');
  assert.match(latency.summary, /tiny operations/);
  const training = await initBackend({ backend: '', quiet: true });
  assert.equal(training.attempts[0]?.name, 'node-gpu', 'training tries the native GPU rung first');
  const forced = await initBackend({ backend: 'cpu', workload: 'latency', quiet: true });
  assert.equal(forced.name, 'cpu', 'DLKIT_BACKEND (or backend) still wins over the workload');
  await assert.rejects(initBackend({ backend: '', workload: 'fast' as never, quiet: true }), /unknown workload "fast"/);
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

test('the book\'s scripts stop on an unknown DLKIT_BACKEND with the message alone and exit 1', () => {
  const env = { ...process.env, DLKIT_BACKEND: 'tpu' };
  const noStack = (output: string) => !/^\s+at /m.test(output) && !/Unhandled|triggerUncaughtException/.test(output);
  // npm start, npm test and npm run book share this check, run after dlkit is built.
  const shared = spawnSync(process.execPath, ['--input-type=module', '-e', "import('./scripts/setup.mjs').then((m) => m.checkBackendVariable())"], { cwd: repositoryRoot, env, encoding: 'utf8' });
  assert.equal(shared.status, 1, shared.stdout + shared.stderr);
  assert.match(shared.stderr, /Unknown backend "tpu"\. Use one of: node-gpu, node, wasm, cpu/);
  assert.ok(noStack(shared.stderr), shared.stderr);
  // npm run bench, which used to ignore DLKIT_BACKEND and measure every backend.
  const folder = mkdtempSync(join(tmpdir(), 'dlkit-backend-'));
  const bench = spawnSync(process.execPath, [join(repositoryRoot, 'scripts', 'bench.mjs'), '--smoke', '--prepared', '--only', 'matmul-1024', '--out', join(folder, 'out.json')], { cwd: repositoryRoot, env, encoding: 'utf8' });
  rmSync(folder, { recursive: true, force: true });
  assert.equal(bench.status, 1, bench.stdout + bench.stderr);
  assert.match(bench.stderr, /Unknown backend "tpu"/);
  assert.ok(noStack(bench.stderr), bench.stderr);
  // A valid or empty value passes the check.
  for (const value of ['wasm', '']) {
    const ok = spawnSync(process.execPath, ['--input-type=module', '-e', "import('./scripts/setup.mjs').then((m) => m.checkBackendVariable())"], { cwd: repositoryRoot, env: { ...process.env, DLKIT_BACKEND: value }, encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
  }
});
