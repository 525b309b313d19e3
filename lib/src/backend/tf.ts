/**
 * The one TensorFlow.js instance of the book (chapter 0).
 *
 * Notebooks import `tf` from `dlkit` rather than from `@tensorflow/tfjs`, so that
 * the library and the reader's cells always share one engine, one set of
 * registered kernels and one memory counter.
 */
import * as tfjs from '@tensorflow/tfjs';

export const tf = tfjs;
export type { Tensor, Rank, Scalar, Tensor1D, Tensor2D, Tensor3D, Tensor4D, LayersModel, Sequential } from '@tensorflow/tfjs';
