/** Bridges to TensorFlow.js (chapters 3-4): matrices ⇄ tensors, tfjs' gradients of a network, optimiser steps. */
import { tf, type Scalar, type Tensor, type Tensor2D } from '../backend/tf';
import { checkPositiveIntegers } from '../util/validate';
import { Matrix } from './matrix';
import { NeuralNetwork, ParameterUpdater } from './network';
import { ActivationName } from './activations';

/** A float32 tensor with the matrix' shape and values. The caller disposes it. */
export function matrixToTensor(matrix: Matrix): Tensor2D {
  return tf.tensor2d(Float32Array.from(matrix.data), [matrix.rows, matrix.cols], 'float32');
}

/** A matrix from a rank-2 tensor (or a rank-1 tensor, as a column). Does not dispose the tensor. */
export function tensorToMatrix(tensor: Tensor): Matrix {
  if (tensor.rank === 2) return new Matrix(tensor.shape[0]!, tensor.shape[1]!, Float64Array.from(tensor.dataSync()));
  if (tensor.rank === 1) return new Matrix(tensor.shape[0]!, 1, Float64Array.from(tensor.dataSync()));
  throw new Error(`tensorToMatrix: expected a rank-1 or rank-2 tensor, got shape [${tensor.shape.join(', ')}].`);
}

function applyTensorActivation(name: ActivationName, z: Tensor): Tensor {
  switch (name) {
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'tanh':
      return tf.tanh(z);
    case 'relu':
      return tf.relu(z);
    case 'identity':
      return z;
  }
}

/** The loss and gradients tfjs' autodiff computes for a network. */
export interface TensorFlowGradients {
  loss: number;
  weights: Matrix[];
  biases: Matrix[];
}

/** `network` rebuilt in TensorFlow.js (float32, same weights, activations, loss) and its `tf.variableGrads` gradients. */
export function tensorFlowGradients(network: NeuralNetwork, inputs: Matrix, targets: Matrix): TensorFlowGradients {
  // tf.variable copies its initial value, so the temporary tensors are tidied away.
  const variables = network.parameters().map((parameter) => tf.tidy(() => tf.variable(matrixToTensor(parameter), true)));
  try {
    const tensors = tf.tidy(() => {
      const x = matrixToTensor(inputs);
      const y = matrixToTensor(targets);
      const m = inputs.rows;
      const lossFunction = (): Scalar => {
        let a: Tensor = x;
        network.layers.forEach((layer, l) => {
          const z = tf.add(tf.matMul(a as Tensor2D, variables[2 * l]! as Tensor2D), variables[2 * l + 1]!);
          a = applyTensorActivation(layer.activation.name, z);
        });
        if (network.loss.name === 'softmaxCrossEntropy') {
          return tf.div(tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(a)))), m) as Scalar;
        }
        return tf.div(tf.sum(tf.square(tf.sub(a, y))), 2 * m) as Scalar;
      };
      const { value, grads } = tf.variableGrads(lossFunction, variables);
      return [value, ...variables.map((v) => grads[v.name]!)];
    });
    const loss = tensors[0]!.dataSync()[0]!;
    const gradients = tensors.slice(1).map((t) => tensorToMatrix(t));
    tf.dispose(tensors);
    return {
      loss,
      weights: gradients.filter((_, i) => i % 2 === 0),
      biases: gradients.filter((_, i) => i % 2 === 1),
    };
  } finally {
    variables.forEach((v) => v.dispose());
  }
}

/** A TensorFlow.js optimiser (`tf.train.sgd(...)`, `tf.train.adam(...)`). */
type TensorFlowOptimizer = InstanceType<typeof tf.Optimizer>;

export interface StepComparisonOptions {
  /** The starting parameters (each a matrix); both sides start from these values rounded to float32. */
  start: Matrix[];
  /** The gradients at the given parameters, one matrix per parameter; both sides receive them rounded to float32. */
  gradient: (parameters: Matrix[]) => Matrix[];
  /** How many steps to compare. */
  steps: number;
}

/** Largest |ours − tfjs| of one step over `steps`; ours restart from tfjs' values after each (no rounding piles up). */
export function largestStepDifference(ours: ParameterUpdater, theirs: TensorFlowOptimizer, options: StepComparisonOptions): number {
  const { start, gradient, steps } = options;
  checkPositiveIntegers('largestStepDifference', { steps });
  if (start.length === 0) throw new Error('largestStepDifference: give at least one starting parameter matrix.');
  const parameters = start.map((p) => p.map(Math.fround));
  const variables = parameters.map((p) => tf.tidy(() => tf.variable(matrixToTensor(p))));
  let worst = 0;
  try {
    for (let step = 0; step < steps; step++) {
      const gradients = gradient(parameters).map((g) => g.map(Math.fround));
      if (gradients.length !== parameters.length) {
        throw new Error(`largestStepDifference: the gradient function returned ${gradients.length} matrices for ${parameters.length} parameters; return one per parameter.`);
      }
      const named: Record<string, Tensor> = {};
      variables.forEach((variable, i) => {
        named[variable.name] = matrixToTensor(gradients[i]!);
      });
      theirs.applyGradients(named);
      tf.dispose(Object.values(named));
      ours.step(parameters, gradients);
      variables.forEach((variable, i) => {
        const values = variable.dataSync();
        const parameter = parameters[i]!;
        worst = Math.max(worst, parameter.maxAbsDifference(new Matrix(parameter.rows, parameter.cols, Float64Array.from(values))));
        parameter.data.set(values);
      });
    }
  } finally {
    tf.dispose(variables);
    theirs.dispose();
  }
  return worst;
}
