/** Scores from a model (chapter 10): its output for each row of a plain matrix, with no tensors left behind. */
import { tf } from '../backend/tf';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';

/** The model's output per row (its single unit, or unit `output`), in batches of `batchSize`. */
export function predictScores(model: LayersModel | ((x: Tensor) => Tensor), rows: readonly (readonly number[])[], options: { output?: number; batchSize?: number } = {}): Float32Array {
  if (rows.length === 0) return new Float32Array(0);
  const batchSize = options.batchSize ?? 2048;
  const out = new Float32Array(rows.length);
  const run = typeof model === 'function' ? model : (x: Tensor) => model.predict(x) as Tensor;
  for (let start = 0; start < rows.length; start += batchSize) {
    const chunk = rows.slice(start, start + batchSize) as number[][];
    const values = tf.tidy(() => {
      const y = run(tf.tensor2d(chunk));
      const width = y.rank === 1 ? 1 : (y.shape[1] as number);
      const output = options.output ?? 0;
      if (width > 1 && options.output === undefined) throw new Error(`predictScores: the model has ${width} outputs; say which one with { output }.`);
      if (output < 0 || output >= width) throw new Error(`predictScores: output ${output} does not exist; the model has ${width} outputs.`);
      return (y.rank === 1 ? y : y.slice([0, output], [-1, 1]).reshape([-1])).dataSync() as Float32Array;
    });
    out.set(values, start);
  }
  return out;
}
