/**
 * TensorFlow's threads per operation chosen per workload before it starts (lib/src/backend/native/threads.ts):
 * the decision as a plain function, and that initBackend makes it before the native rung loads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyNativeThreadSettings, chooseIntraOpThreads } from 'dlkit';

test('one thread per operation for throughput and latency work, TensorFlow\'s default for large products', () => {
  assert.equal(chooseIntraOpThreads('throughput', {}, 2).intraOpThreads, 1);
  assert.equal(chooseIntraOpThreads('latency', {}, 8).intraOpThreads, 1);
  assert.equal(chooseIntraOpThreads('throughput', {}, 2).source, 'dlkit');
  const large = chooseIntraOpThreads('large-products', {}, 2);
  assert.deepEqual([large.intraOpThreads, large.source], [null, 'tensorflow']);
  // One core: one thread is TensorFlow's default anyway, so dlkit sets nothing.
  assert.deepEqual([chooseIntraOpThreads('throughput', {}, 1).intraOpThreads, chooseIntraOpThreads('throughput', {}, 1).source], [null, 'tensorflow']);
});

test("the reader's TF_NUM_INTRAOP_THREADS wins, and a bad value says what to do", () => {
  for (const workload of ['throughput', 'latency', 'large-products'] as const) {
    const chosen = chooseIntraOpThreads(workload, { TF_NUM_INTRAOP_THREADS: '2' }, 2);
    assert.deepEqual([chosen.intraOpThreads, chosen.source], [2, 'environment']);
  }
  assert.deepEqual(chooseIntraOpThreads('throughput', { TF_NUM_INTRAOP_THREADS: '0' }, 2).intraOpThreads, null);
  assert.throws(() => chooseIntraOpThreads('throughput', { TF_NUM_INTRAOP_THREADS: 'two' }, 2), /TF_NUM_INTRAOP_THREADS="two" is not a thread count\. Unset it/);
  assert.throws(() => chooseIntraOpThreads('throughput', { TF_NUM_INTRAOP_THREADS: '1.5' }, 2), /not a thread count/);
});

test('applyNativeThreadSettings writes the choice into the environment only when dlkit chose it', () => {
  const env: NodeJS.ProcessEnv = {};
  assert.equal(applyNativeThreadSettings('throughput', env, 2).intraOpThreads, 1);
  assert.equal(env['TF_NUM_INTRAOP_THREADS'], '1');
  const large: NodeJS.ProcessEnv = {};
  applyNativeThreadSettings('large-products', large, 2);
  assert.equal(large['TF_NUM_INTRAOP_THREADS'], undefined);
  const reader: NodeJS.ProcessEnv = { TF_NUM_INTRAOP_THREADS: '3' };
  applyNativeThreadSettings('throughput', reader, 2);
  assert.equal(reader['TF_NUM_INTRAOP_THREADS'], '3');
});
