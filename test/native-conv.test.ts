/**
 * Strided 1x1 convolutions' filter gradient on the native rung (lib/src/backend/native/conv.ts) against the cpu
 * backend, for the shapes where TensorFlow 2.21's oneDNN kernel (AVX2) writes out of bounds: few input channels,
 * height and width multiples of the stride. Without the wrapper this file's process dies of a heap corruption
 * with one intra-op thread (initBackend's default here) and gets wrong gradients with two. Skipped when the
 * native rung is not built here.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from 'dlkit';
import type { Tensor, Tensor4D } from 'dlkit';
import { compareBackends, normal, nativeRungForTests } from './helpers/parity';

const OP_TOLERANCE = 1e-4;

const native = nativeRungForTests(20261207);
const skipped = (t: TestContext) => native.skipped(t);

type Case = { x: [number, number, number, number]; filters: number; strides: number | [number, number]; pad: 'same' | 'valid' };

/** The gradients of sum(conv2d(x, w) * r) for the filter and the input, from fixed numbers. */
function convGradients({ x: shape, filters, strides, pad }: Case): () => Tensor[] {
  const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);
  const filterShape = [1, 1, shape[3], filters];
  const [xs, ws] = [normal([size(shape)]), normal([size(filterShape)])];
  const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
  const outShape = [shape[0], Math.ceil(shape[1] / sh), Math.ceil(shape[2] / sw), filters];
  const rs = normal([size(outShape)]);
  return () => {
    const x = tf.tensor4d(xs, shape);
    const w = tf.tensor4d(ws, filterShape as [number, number, number, number]);
    const r = tf.tensor(rs, outShape);
    const loss = (input: Tensor, filter: Tensor): Tensor => tf.sum(tf.mul(tf.conv2d(input as Tensor4D, filter as Tensor4D, strides, pad), r));
    return tf.grads(loss)([x, w]);
  };
}

test('strided 1x1 filter gradients match the cpu backend (the shapes oneDNN corrupts the heap on)', async (t) => {
  if (skipped(t)) return;
  const cases: Case[] = [
    { x: [16, 8, 8, 4], filters: 8, strides: 2, pad: 'same' },
    { x: [16, 8, 8, 1], filters: 8, strides: 2, pad: 'same' },
    { x: [16, 8, 8, 5], filters: 8, strides: 2, pad: 'valid' },
    { x: [1, 8, 8, 6], filters: 8, strides: 2, pad: 'same' },
    { x: [4, 9, 8, 3], filters: 4, strides: [3, 2], pad: 'valid' },
    { x: [8, 14, 14, 16], filters: 32, strides: 2, pad: 'same' },
  ];
  for (const c of cases) {
    const worst = await compareBackends(`conv 1x1 ${c.x.join('x')}->${c.filters} stride ${String(c.strides)} ${c.pad}`, convGradients(c), OP_TOLERANCE, 'cpu', 'tensorflow');
    assert.ok(worst <= OP_TOLERANCE);
  }
  await tf.setBackend('tensorflow');
});
