/**
 * Chapter 12's scaling experiment as one function: one-hidden-layer MLPs of several widths, each
 * trained on the same MNIST images for the same epochs (a fixed budget), their test losses and
 * the power law with a floor fitted to them. Chapter 12 runs it at its own budget; chapter 13
 * reruns it at chapter 12's quick budget to put the MNIST exponent next to its exponent on text.
 */
import type { Dataset } from '../data/dataset';
import { mlp } from '../models/mlp';
import { fitPowerLaw, type PowerLawFit } from '../scale/power-law';
import { Trainer } from '../train/trainer';

/** One width of the family (chapter 12). */
export interface MnistScalingSize {
  width: number;
  /** Every weight counts: an MLP has no embeddings. */
  parameters: number;
  testLoss: number;
  testAccuracy: number;
  /** Test loss after each epoch. */
  lossByEpoch: number[];
  seconds: number;
}

/** The budget of chapter 12's experiment: widths, epochs and how many MNIST images (chapter 12). */
export interface MnistScalingBudget {
  widths: readonly number[];
  epochs: number;
  trainImages: number;
  testImages: number;
}

/** Chapter 12's budgets in full and quick mode (chapter 13 reruns the quick one). */
export const MNIST_SCALING_BUDGETS: { full: MnistScalingBudget; quick: MnistScalingBudget } = {
  full: { widths: [4, 8, 16, 32, 64, 128, 256, 512], epochs: 4, trainImages: 20_000, testImages: 5_000 },
  quick: { widths: [4, 16, 64, 256, 512], epochs: 2, trainImages: 3_000, testImages: 1_000 },
};

/**
 * Trains one MLP per width on `train` for `budget.epochs` epochs (Adam 2e-3, batch 128) and scores each on `test` after
 * every epoch (chapter 12). Returns the family and the fit L(N) = E + a·N^-α of the final test losses (with a floor).
 */
export async function mnistScalingFamily(
  data: { train: Dataset; test: Dataset },
  budget: Pick<MnistScalingBudget, 'widths' | 'epochs'>,
): Promise<{ family: MnistScalingSize[]; fit: PowerLawFit }> {
  if (budget.widths.length < 3) throw new Error(`mnistScalingFamily: a power law with a floor needs at least 3 widths, got ${budget.widths.length}.`);
  const family: MnistScalingSize[] = [];
  for (const width of budget.widths) {
    const model = mlp({ inputShape: [784], hidden: [width], outputs: 10 });
    const trainer = new Trainer(model, { learningRate: 2e-3 });
    try {
      const result = await trainer.fit(data.train, { epochs: budget.epochs, batchSize: 128, validationData: data.test, plot: false });
      if (result.interrupted) throw new Error(`mnistScalingFamily: stopped while training width ${width}; run the cell again for the whole family.`);
      const last = result.history.at(-1)!;
      family.push({
        width,
        parameters: model.countParams(),
        testLoss: last.validationLoss!,
        testAccuracy: last['validationAccuracy']!,
        lossByEpoch: result.history.map((h) => h.validationLoss!),
        seconds: result.seconds,
      });
    } finally {
      trainer.dispose();
      model.dispose();
    }
  }
  const fit = fitPowerLaw(
    family.map((f) => f.parameters),
    family.map((f) => f.testLoss),
    { withFloor: true },
  );
  return { family, fit };
}
