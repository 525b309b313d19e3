/** The one TensorFlow.js instance of the book (chapter 0): library and cells share one engine, kernels and memory counter. */
import * as tfjs from '@tensorflow/tfjs';

/** TensorFlow.js, the instance every chapter and dlkit share. */
export const tf = tfjs;
/** TensorFlow.js types, importable from dlkit (`tf` is a value, not a namespace, in notebooks). */
export type { Tensor, Rank, Scalar, Tensor1D, Tensor2D, Tensor3D, Tensor4D, LayersModel, Sequential } from '@tensorflow/tfjs';
