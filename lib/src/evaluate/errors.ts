/** Errors of numeric predictions (chapters 8 and 11): RMSE and MAE, for ratings and forecasts. */

/** Checks that `predicted` and `actual` pair up one to one and are not empty; `what` names the caller. */
export function checkPredictionPairs(predicted: ArrayLike<number>, actual: ArrayLike<number>, what: string): void {
  if (predicted.length !== actual.length) {
    throw new Error(`${what}: ${predicted.length} predictions but ${actual.length} actual values; give one prediction per actual value.`);
  }
  if (predicted.length === 0) throw new Error(`${what}: nothing to score, both arrays are empty.`);
}

/** Root mean squared error, sqrt(mean((p − a)²)). */
export function rootMeanSquaredError(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  checkPredictionPairs(predicted, actual, 'rootMeanSquaredError');
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += ((predicted[i] as number) - (actual[i] as number)) ** 2;
  return Math.sqrt(sum / actual.length);
}

/** Mean absolute error, mean(|p − a|). */
export function meanAbsoluteError(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  checkPredictionPairs(predicted, actual, 'meanAbsoluteError');
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs((predicted[i] as number) - (actual[i] as number));
  return sum / actual.length;
}
