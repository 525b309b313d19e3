// The data test/fixtures/checkpoint-v1 was trained on (its make.js builds the same 24 points): the tests
// that resume that checkpoint train on it again.
import { Dataset } from 'dlkit';

/** 24 points on a circle, labelled by their x coordinate, as make.js made them. */
export function checkpointV1Data(): Dataset {
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 24; i++) {
    const angle = (i * 2 * Math.PI) / 24;
    x.push([Math.cos(angle) + 0.1 * (i % 3), Math.sin(angle) - 0.05 * (i % 5)]);
    y.push(Math.cos(angle) > 0.2 ? 1 : 0);
  }
  return Dataset.fromArrays(x, y);
}
