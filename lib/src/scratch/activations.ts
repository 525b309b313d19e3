/** Activation functions with their derivatives (chapter 3): backpropagation needs f'(Z) at the cached Z. */
import { Matrix } from './matrix';

/** The activations the from-scratch network knows. */
export type ActivationName = 'sigmoid' | 'tanh' | 'relu' | 'identity';

/** An activation `f` applied entry-wise, with its derivative `f'`. */
export interface Activation {
  name: ActivationName;
  /** `f(z)` for one number. */
  apply(z: number): number;
  /** `f'(z)` for one number. */
  derivative(z: number): number;
}

function logistic(z: number): number {
  // Written so that neither branch overflows: exp of a large positive number is never taken.
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** sigmoid (σ' = σ(1−σ)), tanh (1 − tanh²), relu (derivative 0 at 0, as tfjs), identity. */
export const activations: Readonly<Record<ActivationName, Activation>> = {
  sigmoid: {
    name: 'sigmoid',
    apply: logistic,
    derivative: (z) => {
      const s = logistic(z);
      return s * (1 - s);
    },
  },
  tanh: {
    name: 'tanh',
    apply: Math.tanh,
    derivative: (z) => {
      const t = Math.tanh(z);
      return 1 - t * t;
    },
  },
  relu: {
    name: 'relu',
    apply: (z) => (z > 0 ? z : 0),
    derivative: (z) => (z > 0 ? 1 : 0),
  },
  identity: {
    name: 'identity',
    apply: (z) => z,
    derivative: () => 1,
  },
};

/** Looks an activation up by name, with a clear error for an unknown one. */
export function getActivation(name: string): Activation {
  const found = (activations as Record<string, Activation>)[name];
  if (!found) {
    throw new Error(`Unknown activation "${name}". Use one of: ${Object.keys(activations).join(', ')}.`);
  }
  return found;
}

/** `f(Z)` entry-wise. */
export function applyActivation(activation: Activation, z: Matrix): Matrix {
  return z.map(activation.apply);
}

/** `f'(Z)` entry-wise. */
export function activationDerivative(activation: Activation, z: Matrix): Matrix {
  return z.map(activation.derivative);
}
