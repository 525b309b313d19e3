/** Numerical gradient checking (chapter 3): backpropagation's gradients against central differences. */
import { Matrix } from './matrix';
import { NeuralNetwork } from './network';

/** ‖a − b‖ / (‖a‖ + ‖b‖) over all entries, 0 when both are zero. */
export function relativeError(a: Matrix, b: Matrix): number {
  a.assertSameShape(b, 'relativeError');
  const denominator = a.norm() + b.norm();
  return denominator === 0 ? 0 : a.subtract(b).norm() / denominator;
}

/** ∂f/∂θ by central differences (f(θ + ε) − f(θ − ε)) / 2ε; `parameter` is changed during the call and restored exactly. */
export function numericalGradient(lossFunction: () => number, parameter: Matrix, epsilon = 1e-5): Matrix {
  if (!(epsilon > 0)) throw new Error(`numericalGradient: epsilon must be positive, got ${epsilon}.`);
  const gradient = new Matrix(parameter.rows, parameter.cols);
  for (let k = 0; k < parameter.data.length; k++) {
    const original = parameter.data[k]!;
    parameter.data[k] = original + epsilon;
    const plus = lossFunction();
    parameter.data[k] = original - epsilon;
    const minus = lossFunction();
    parameter.data[k] = original;
    gradient.data[k] = (plus - minus) / (2 * epsilon);
  }
  return gradient;
}

/** One line of a gradient check: a parameter and how far backpropagation is from the numerical gradient. */
export interface GradientCheckRow {
  parameter: string;
  shape: string;
  maxAbsoluteDifference: number;
  relativeError: number;
}

export interface GradientCheckResult {
  rows: GradientCheckRow[];
  /** The worst relative error over all parameters. */
  maxRelativeError: number;
}

/** Checks `network.backward` on one batch: correct float64 gradients give about 1e-10; above 1e-7 a derivative is wrong. */
export function gradientCheck(network: NeuralNetwork, inputs: Matrix, targets: Matrix, options: { epsilon?: number } = {}): GradientCheckResult {
  network.computeLoss(inputs, targets);
  const analytic = NeuralNetwork.gradientList(network.backward(targets));
  const names = network.parameterNames();
  const rows = network.parameters().map((parameter, index): GradientCheckRow => {
    const numeric = numericalGradient(() => network.loss.value(network.forward(inputs), targets), parameter, options.epsilon);
    const exact = analytic[index]!;
    return {
      parameter: names[index]!,
      shape: `${parameter.rows}×${parameter.cols}`,
      maxAbsoluteDifference: exact.maxAbsDifference(numeric),
      relativeError: relativeError(exact, numeric),
    };
  });
  return { rows, maxRelativeError: Math.max(...rows.map((row) => row.relativeError)) };
}
