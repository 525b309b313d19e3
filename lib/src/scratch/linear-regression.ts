/**
 * Linear regression three ways (chapter 4): gradient descent, the normal equation, and descent along the article's
 * (wrong) "gradient". ŷ = XW + b, X m×n, W n×1; L(W, b) = (1/2m) Σᵢ (ŷᵢ − yᵢ)².
 */
import { Matrix, shapeText } from './matrix';
import { ParameterUpdater } from './network';
import { AdamOptimizer, GradientDescentOptimizer, MomentumOptimizer } from './optimizers';
import { Random, rng } from '../util/random';

/** Weights W (n×1) and bias b of a linear model ŷ = XW + b. */
export interface LinearModel {
  weights: Matrix;
  bias: number;
}

/** The gradient of the loss: ∂L/∂W (n×1) and ∂L/∂b. */
export interface LinearGradient {
  weights: Matrix;
  bias: number;
}

function checkData(inputs: Matrix, targets: Matrix, what: string): void {
  if (targets.cols !== 1 || targets.rows !== inputs.rows) {
    throw new Error(
      `${what}: the inputs are ${shapeText(inputs)} (m×n), so the targets must be ${inputs.rows}×1, got ${shapeText(targets)}. ` +
        'Use Matrix.fromArray(yValues) for a column of targets.',
    );
  }
  if (inputs.rows === 0) throw new Error(`${what}: there are no examples; give at least one row.`);
}

function checkModel(inputs: Matrix, model: LinearModel, what: string): void {
  if (model.weights.cols !== 1 || model.weights.rows !== inputs.cols) {
    throw new Error(`${what}: the inputs have ${inputs.cols} features, so the weights must be ${inputs.cols}×1, got ${shapeText(model.weights)}.`);
  }
}

/** ŷ = XW + b, an m×1 column. */
export function linearRegressionPredict(inputs: Matrix, model: LinearModel): Matrix {
  checkModel(inputs, model, 'linearRegressionPredict');
  return inputs.matmul(model.weights).map((v) => v + model.bias);
}

/** L = (1/2m) Σᵢ (ŷᵢ − yᵢ)², the article's loss. */
export function linearRegressionLoss(inputs: Matrix, targets: Matrix, model: LinearModel): number {
  checkData(inputs, targets, 'linearRegressionLoss');
  const residual = linearRegressionPredict(inputs, model).subtract(targets);
  return residual.hadamard(residual).sum() / (2 * inputs.rows);
}

/** The correct gradient: ∂L/∂W = (1/m) Xᵀ(ŷ − y) (n×1), ∂L/∂b = (1/m) Σᵢ (ŷᵢ − yᵢ). */
export function linearRegressionGradient(inputs: Matrix, targets: Matrix, model: LinearModel): LinearGradient {
  checkData(inputs, targets, 'linearRegressionGradient');
  const residual = linearRegressionPredict(inputs, model).subtract(targets);
  const m = inputs.rows;
  return { weights: inputs.transpose().matmul(residual).scale(1 / m), bias: residual.sum() / m };
}

/**
 * The article's gradient ∇L(W) = (1/m) Σᵢ (yᵢ − ŷᵢ)·(XᵢW + b − yᵢ) = −2·L(W, b): one number, never positive, with
 * no Xᵢ in it. As an update it adds 2αL to every weight, and the run blows up.
 */
export function articleGradient(inputs: Matrix, targets: Matrix, model: LinearModel): number {
  checkData(inputs, targets, 'articleGradient');
  const predictions = linearRegressionPredict(inputs, model);
  let total = 0;
  for (let i = 0; i < inputs.rows; i++) {
    let rowTimesWeights = 0;
    for (let j = 0; j < inputs.cols; j++) rowTimesWeights += inputs.data[i * inputs.cols + j]! * model.weights.data[j]!;
    const y = targets.data[i]!;
    total += (y - predictions.data[i]!) * (rowTimesWeights + model.bias - y);
  }
  return total / inputs.rows;
}

/** Solves A·X = B (A n×n, B n×k) by Gaussian elimination with partial pivoting; throws if A is singular. */
export function solveLinearSystem(a: Matrix, b: Matrix): Matrix {
  if (a.rows !== a.cols) throw new Error(`solveLinearSystem: A must be square, got ${shapeText(a)}.`);
  if (b.rows !== a.rows) throw new Error(`solveLinearSystem: A is ${shapeText(a)} so B needs ${a.rows} rows, got ${shapeText(b)}.`);
  const n = a.rows;
  const k = b.cols;
  const lhs = a.clone().data;
  const rhs = b.clone().data;
  let scale = 0;
  for (let i = 0; i < lhs.length; i++) scale = Math.max(scale, Math.abs(lhs[i]!));
  const tolerance = scale * n * Number.EPSILON * 16;
  for (let column = 0; column < n; column++) {
    let pivotRow = column;
    for (let r = column + 1; r < n; r++) if (Math.abs(lhs[r * n + column]!) > Math.abs(lhs[pivotRow * n + column]!)) pivotRow = r;
    const pivot = lhs[pivotRow * n + column]!;
    if (!(Math.abs(pivot) > tolerance)) {
      throw new Error(
        `solveLinearSystem: the matrix is singular (no usable pivot in column ${column}, largest candidate ${pivot.toExponential(2)}); ` +
          'its columns are linearly dependent, so the system has no unique solution.',
      );
    }
    if (pivotRow !== column) {
      for (let j = 0; j < n; j++) [lhs[column * n + j], lhs[pivotRow * n + j]] = [lhs[pivotRow * n + j]!, lhs[column * n + j]!];
      for (let j = 0; j < k; j++) [rhs[column * k + j], rhs[pivotRow * k + j]] = [rhs[pivotRow * k + j]!, rhs[column * k + j]!];
    }
    for (let r = column + 1; r < n; r++) {
      const factor = lhs[r * n + column]! / pivot;
      if (factor === 0) continue;
      for (let j = column; j < n; j++) lhs[r * n + j]! -= factor * lhs[column * n + j]!;
      for (let j = 0; j < k; j++) rhs[r * k + j]! -= factor * rhs[column * k + j]!;
    }
  }
  const solution = new Matrix(n, k);
  for (let row = n - 1; row >= 0; row--) {
    for (let j = 0; j < k; j++) {
      let value = rhs[row * k + j]!;
      for (let c = row + 1; c < n; c++) value -= lhs[row * n + c]! * solution.data[c * k + j]!;
      solution.data[row * k + j] = value / lhs[row * n + row]!;
    }
  }
  return solution;
}

/** The normal equation X̃ᵀX̃ θ = X̃ᵀy with X̃ = [X, 1], θ = [W; b]; throws when X̃ᵀX̃ is singular. */
export function normalEquation(inputs: Matrix, targets: Matrix): LinearModel {
  checkData(inputs, targets, 'normalEquation');
  const m = inputs.rows;
  const n = inputs.cols;
  const augmented = new Matrix(m, n + 1);
  for (let i = 0; i < m; i++) {
    augmented.data.set(inputs.data.subarray(i * n, (i + 1) * n), i * (n + 1));
    augmented.data[i * (n + 1) + n] = 1;
  }
  const transposed = augmented.transpose();
  let theta: Matrix;
  try {
    theta = solveLinearSystem(transposed.matmul(augmented), transposed.matmul(targets));
  } catch (error) {
    throw new Error(
      `normalEquation: XᵀX (with a column of ones for the bias) is singular, so the least-squares solution is not unique. ` +
        `Some feature is a linear combination of the others or constant (it duplicates the bias), or there are fewer examples (${m}) ` +
        `than parameters (${n + 1}). Remove the dependent feature or add a ridge term. (${(error as Error).message})`,
    );
  }
  return { weights: new Matrix(n, 1, theta.data.slice(0, n)), bias: theta.data[n]! };
}

/** Which optimiser `fitLinearRegression` uses. */
export type LinearOptimizerName = 'gradientDescent' | 'momentum' | 'adam';

export interface FitLinearRegressionOptions {
  /** Needed unless `optimizer` is an optimiser object, which carries its own. */
  learningRate?: number;
  /** Passes over the data. */
  epochs: number;
  /** Examples per update; default m (full batch). 1 is single-sample SGD. */
  batchSize?: number;
  /** Default 'gradientDescent'; or an optimiser object (it receives [W (n×1), b (1×1)]). */
  optimizer?: LinearOptimizerName | ParameterUpdater;
  /** 'correct' (default) or 'article': descend along the article's scalar, added to every parameter. */
  gradient?: 'correct' | 'article';
  /** Starting point; default W = 0, b = 0. */
  initial?: LinearModel;
  /** Shuffles mini-batches each epoch; default dlkit's seeded `rng()`. */
  random?: Random;
}

export interface FitLinearRegressionResult {
  model: LinearModel;
  /** Full-data loss before the first update and after every update. */
  losses: number[];
  /** Full-data loss before training and after every epoch. */
  epochLosses: number[];
  /** [W₁, ..., Wₙ, b] before the first update and after every update: the descent path. */
  path: number[][];
  /** True if the loss stopped being finite. */
  diverged: boolean;
}

function makeOptimizer(choice: LinearOptimizerName | ParameterUpdater | undefined, learningRate: number | undefined): ParameterUpdater {
  if (typeof choice === 'object') return choice;
  if (learningRate === undefined) {
    throw new Error(`fitLinearRegression: give a learningRate (or pass an optimiser object, which has its own).`);
  }
  if (choice === undefined || choice === 'gradientDescent') return new GradientDescentOptimizer(learningRate);
  if (choice === 'momentum') return new MomentumOptimizer(learningRate, 0.9);
  if (choice === 'adam') return new AdamOptimizer(learningRate);
  throw new Error(`fitLinearRegression: unknown optimizer '${String(choice)}'; use 'gradientDescent', 'momentum' or 'adam', or an optimiser object.`);
}

/** Trains ŷ = XW + b by (mini-batch) gradient descent, recording the loss and the parameter path. */
export function fitLinearRegression(inputs: Matrix, targets: Matrix, options: FitLinearRegressionOptions): FitLinearRegressionResult {
  checkData(inputs, targets, 'fitLinearRegression');
  const m = inputs.rows;
  const n = inputs.cols;
  const batchSize = options.batchSize ?? m;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > m) {
    throw new Error(`fitLinearRegression: batchSize must be an integer from 1 to m = ${m}, got ${batchSize}.`);
  }
  if (!Number.isInteger(options.epochs) || options.epochs < 0) {
    throw new Error(`fitLinearRegression: epochs must be a non-negative integer, got ${options.epochs}.`);
  }
  const optimizer = makeOptimizer(options.optimizer, options.learningRate);
  const random = options.random ?? rng();
  const weights = options.initial ? options.initial.weights.clone() : Matrix.zeros(n, 1);
  const bias = Matrix.filled(1, 1, options.initial?.bias ?? 0);
  const model = (): LinearModel => ({ weights, bias: bias.data[0]! });
  checkModel(inputs, model(), 'fitLinearRegression');
  const losses = [linearRegressionLoss(inputs, targets, model())];
  const epochLosses = [losses[0]!];
  const path = [[...weights.data, bias.data[0]!]];
  const order = Array.from({ length: m }, (_, i) => i);
  let diverged = false;
  for (let epoch = 0; epoch < options.epochs && !diverged; epoch++) {
    if (batchSize < m) random.shuffle(order);
    for (let start = 0; start < m; start += batchSize) {
      const batch = order.slice(start, Math.min(start + batchSize, m));
      const batchInputs = batchSize === m ? inputs : inputs.selectRows(batch);
      const batchTargets = batchSize === m ? targets : targets.selectRows(batch);
      let gradients: Matrix[];
      if (options.gradient === 'article') {
        const g = articleGradient(batchInputs, batchTargets, model());
        gradients = [Matrix.filled(n, 1, g), Matrix.filled(1, 1, g)];
      } else {
        const g = linearRegressionGradient(batchInputs, batchTargets, model());
        gradients = [g.weights, Matrix.filled(1, 1, g.bias)];
      }
      optimizer.step([weights, bias], gradients);
      const loss = linearRegressionLoss(inputs, targets, model());
      losses.push(loss);
      path.push([...weights.data, bias.data[0]!]);
      // A loss that is no longer finite ends training: the run diverged.
      if (!Number.isFinite(loss)) {
        diverged = true;
        break;
      }
    }
    epochLosses.push(losses[losses.length - 1]!);
  }
  return { model: { weights: weights.clone(), bias: bias.data[0]! }, losses, epochLosses, path, diverged };
}
