/** The coefficients of a linear model (chapter 10): how each standardised input moves the log-odds. */
import type { LayersModel } from '@tensorflow/tfjs';

/** One row of `linearCoefficients`. */
export type Coefficient = {
  feature: string;
  /** Change of the log-odds per unit of the input (per standard deviation for a standardised input). */
  coefficient: number;
  /** exp(coefficient): the factor the odds are multiplied by. */
  oddsRatio: number;
};

/** The weights of a one-output dense model, named by `featureNames`, plus the intercept. */
export function linearCoefficients(model: LayersModel, featureNames: readonly string[]): { intercept: number; coefficients: Coefficient[] } {
  const dense = model.layers.filter((layer) => layer.getWeights().length > 0);
  if (dense.length !== 1) {
    throw new Error(`linearCoefficients: the model has ${dense.length} layers with weights; coefficients are only meaningful for a single dense layer (logistic regression).`);
  }
  const [kernel, bias] = (dense[0] as (typeof dense)[number]).getWeights();
  if (!kernel || kernel.rank !== 2 || kernel.shape[1] !== 1) {
    throw new Error(`linearCoefficients: expected a kernel of shape [inputs, 1], got [${kernel?.shape.join(', ')}].`);
  }
  if (kernel.shape[0] !== featureNames.length) {
    throw new Error(`linearCoefficients: the model has ${kernel.shape[0]} inputs but ${featureNames.length} feature names were given.`);
  }
  const weights = Array.from(kernel.dataSync());
  const intercept = bias ? (bias.dataSync()[0] as number) : 0;
  return {
    intercept,
    coefficients: weights.map((w, i) => ({ feature: featureNames[i] as string, coefficient: w, oddsRatio: Math.exp(w) })),
  };
}
