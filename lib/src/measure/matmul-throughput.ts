/** Achieved FLOP/s of a matrix product on the current backend (chapter 12), to compare with the peak. */
import { tf } from '../backend/tf';
import { checkPositiveIntegers } from '../util/validate';

/** The FLOP/s of repeated n×n matrix products. */
export interface MatmulThroughput {
  size: number;
  backend: string;
  /** FLOPs per product: 2·n³ (a multiply and an add per term). */
  flopsPerProduct: number;
  /** Seconds per product, the median of the repetitions. */
  seconds: number;
  /** Achieved floating-point operations per second (median repetition). */
  flopsPerSecond: number;
}

/** The median rate of `repetitions` n×n float32 products after one warm-up, each read back so async backends finish in time. */
export async function measureMatmulThroughput(options: { size?: number; repetitions?: number } = {}): Promise<MatmulThroughput> {
  const size = options.size ?? 512;
  const repetitions = options.repetitions ?? 5;
  checkPositiveIntegers('measureMatmulThroughput', { size, repetitions });
  const a = tf.randomNormal([size, size], 0, 1, 'float32', 1);
  const b = tf.randomNormal([size, size], 0, 1, 'float32', 2);
  const times: number[] = [];
  try {
    for (let r = -1; r < repetitions; r++) {
      const start = performance.now();
      const product = tf.matMul(a, b);
      await product.data();
      product.dispose();
      if (r >= 0) times.push((performance.now() - start) / 1000);
    }
  } finally {
    tf.dispose([a, b]);
  }
  times.sort((x, y) => x - y);
  const seconds = times[Math.floor(times.length / 2)] as number;
  const flopsPerProduct = 2 * size ** 3;
  return { size, backend: tf.getBackend(), flopsPerProduct, seconds, flopsPerSecond: flopsPerProduct / seconds };
}
