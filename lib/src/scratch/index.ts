/** From-scratch math (chapters 3-4) on Float64Array, exported as the namespace `scratch`. */
export { Matrix } from './matrix';
export { activations, getActivation, applyActivation, activationDerivative } from './activations';
export type { Activation, ActivationName } from './activations';
export { meanSquaredErrorLoss, softmaxCrossEntropyLoss, softmax, logSoftmax, getLoss } from './losses';
export type { Loss, LossName } from './losses';
export { DenseLayer, NeuralNetwork } from './network';
export type { ForwardCache, NetworkGradients, NeuralNetworkOptions, ParameterUpdater } from './network';
export { gradientCheck, numericalGradient, relativeError } from './gradient-check';
export type { GradientCheckResult, GradientCheckRow } from './gradient-check';
export { GradientDescentOptimizer, MomentumOptimizer, AdamOptimizer } from './optimizers';
export {
  linearRegressionPredict,
  linearRegressionLoss,
  linearRegressionGradient,
  articleGradient,
  solveLinearSystem,
  normalEquation,
  fitLinearRegression,
} from './linear-regression';
export type {
  LinearModel,
  LinearGradient,
  LinearOptimizerName,
  FitLinearRegressionOptions,
  FitLinearRegressionResult,
} from './linear-regression';
export { matrixToTensor, tensorToMatrix, tensorFlowGradients, largestStepDifference } from './tensorflow-bridge';
export type { TensorFlowGradients, StepComparisonOptions } from './tensorflow-bridge';
