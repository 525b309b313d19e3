/**
 * The one TensorFlow.js instance of the book (chapter 0).
 *
 * Notebooks import `tf` from `dlkit` rather than from `@tensorflow/tfjs`, so that
 * the library and the reader's cells always share one engine, one set of
 * registered kernels and one memory counter.
 */
import * as tfjs from '@tensorflow/tfjs';

/** TensorFlow.js, the instance every chapter and dlkit share (chapter 0). */
export const tf = tfjs;
/** TensorFlow.js types, importable from dlkit (`tf` is a value, not a namespace, in notebooks). */
export type { Tensor, Rank, Scalar, Tensor1D, Tensor2D, Tensor3D, Tensor4D, LayersModel, Sequential } from '@tensorflow/tfjs';
