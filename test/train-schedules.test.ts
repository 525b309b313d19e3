// Learning-rate schedules as pure functions of the position in training: linear decay, alone and after a warm-up
// (BERT's fine-tuning schedule), and its clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linearDecay, warmup } from 'dlkit';

const at = (step: number, totalSteps = 100) => ({ step, epoch: 0, stepsPerEpoch: 10, totalSteps });
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

test('linear decay: a straight line from initial to final over the run, then final', () => {
  const decay = linearDecay({ initial: 2, final: 0 });
  close(decay(at(0)), 2);
  close(decay(at(25)), 1.5);
  close(decay(at(50)), 1);
  close(decay(at(100)), 0);
  close(decay(at(150)), 0);
  const over = linearDecay({ initial: 1, final: 0.5, steps: 10 });
  close(over(at(5)), 0.75);
  close(over(at(20)), 0.5);
  // a straight line: equal steps lower the rate by equal amounts (a cosine would not)
  const drops = [0, 20, 40, 60, 80].map((s) => decay(at(s)) - decay(at(s + 20)));
  drops.forEach((d) => close(d, 0.4));
});

test("warm-up then linear decay, BERT's fine-tuning schedule: up over the warm-up, then down to 0 at the end", () => {
  const schedule = warmup({ steps: 10, then: linearDecay({ initial: 2e-5 }) });
  close(schedule(at(4)), 1e-5);
  close(schedule(at(10)), 2e-5);
  close(schedule(at(55)), 1e-5);
  close(schedule(at(100)), 0);
});

test('linear decay: bad settings are clear errors', () => {
  assert.throws(() => linearDecay({ initial: -1 }), /linearDecay: the learning rate must be a finite number >= 0, got -1/);
  assert.throws(() => linearDecay({ initial: 1, final: Number.NaN }), /linearDecay: the learning rate/);
  assert.throws(() => linearDecay({ initial: 1, steps: 0 }), /linearDecay: steps must be at least 1/);
});
