/** What the Trainer can train (chapter 5): a `tf.LayersModel` or a custom model, and the checks on its data. */
import { tf } from '../backend/tf';
import type { LayersModel, Scalar, Tensor, Variable } from '@tensorflow/tfjs';
import { Dataset, type Batch } from '../data/dataset';
import type { StoredTensor } from './checkpoint';
import type { LossFunction, TrainingLossName } from './metrics';

/** A model that writes its own forward pass; `loss` may also return the outputs for the metrics (else `predict`). */
export interface CustomModel {
  trainableVariables: Variable[];
  /** Other state saved in checkpoints (running statistics, say). */
  variables?: Variable[];
  /** Mean loss of a batch (`training`: false in validation); with `outputs` null or a scalar, metrics use `predict`. */
  loss(batch: Batch, training: boolean): Scalar | { loss: Scalar; outputs: Tensor | null };
  /** The model's outputs for `x`, used by metrics and `Trainer.predict`. */
  predict?(x: Tensor): Tensor;
}

export type TrainableModel = LayersModel | CustomModel;

export function isLayersModel(model: TrainableModel): model is LayersModel {
  return model instanceof tf.LayersModel;
}

/** A shape as text, `[any, 2]`. */
export function describeShape(shape: (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'any' : d)).join(', ')}]`;
}

function allVariables(model: CustomModel): Variable[] {
  return [...model.trainableVariables, ...(model.variables ?? [])];
}

/** Every weight of the model, trainable or not, in a fixed order: the tensors themselves, not copies. */
export function modelWeights(model: TrainableModel): Tensor[] {
  return isLayersModel(model) ? model.getWeights() : allVariables(model);
}

/** The names of `modelWeights`, as stored in checkpoints. */
export function modelWeightNames(model: TrainableModel): string[] {
  return isLayersModel(model) ? model.weights.map((w) => w.originalName ?? w.name) : allVariables(model).map((v) => v.name);
}

/** Assigns `values` (in the order of `modelWeights`) to the model's weights. */
export function setModelWeights(model: TrainableModel, values: Tensor[]): void {
  if (isLayersModel(model)) model.setWeights(values);
  else allVariables(model).forEach((v, i) => v.assign(values[i] as Tensor));
}

/** Whether the model's outputs are raw scores (a linear last layer) rather than probabilities. */
export function outputsAreLogits(model: TrainableModel): boolean {
  if (!isLayersModel(model)) return false;
  const last = model.layers[model.layers.length - 1];
  const activation = last ? (last.getConfig() as { activation?: string }).activation : undefined;
  return activation === undefined || activation === 'linear';
}

/** The loss the Trainer picks from the labels: class indices, label rows or targets. */
export function defaultLossName(labels: Tensor): TrainingLossName {
  if (labels.dtype === 'int32' && (labels.rank === 1 || (labels.rank === 2 && labels.shape[1] === 1))) return 'sparseCategoricalCrossentropy';
  if (labels.rank >= 2 && (labels.shape[labels.rank - 1] as number) > 1) return 'categoricalCrossentropy';
  return 'meanSquaredError';
}

/** Checks that `data` (`what`: training, validation, ...) has one label per sample and the model's feature shape; as a Dataset. */
export function checkData(model: TrainableModel, data: Dataset | { x: Tensor; y: Tensor }, what: string): Dataset<Tensor> {
  if (!data || !(data.x instanceof tf.Tensor)) throw new Error(`Trainer: the ${what} data must be a Dataset or { x, y } tensors.`);
  const { x, y } = data;
  if (!(y instanceof tf.Tensor)) throw new Error(`Trainer: the ${what} data has no labels; give labels (y) to train or evaluate.`);
  if (x.rank === 0 || x.shape[0] === 0) throw new Error(`Trainer: the ${what} data is empty (0 samples); load or build some samples first.`);
  if (x.shape[0] !== y.shape[0]) {
    throw new Error(
      `Trainer: the ${what} data has ${x.shape[0]} samples of features ${describeShape(x.shape)} but ${y.shape[0]} labels ${describeShape(y.shape)}; give exactly one label per sample.`,
    );
  }
  if (isLayersModel(model)) {
    const expected = model.inputs[0]?.shape ?? [];
    if (!(expected.length === x.rank && expected.every((d, i) => i === 0 || d === null || d === x.shape[i]))) {
      throw new Error(
        `Trainer: the ${what} features have shape ${describeShape(x.shape)} but the model expects ${describeShape(expected)} (first axis = samples); ` +
          'reshape the data (for MNIST: loadMnist({ shape: "flat" }) for an MLP, the default [28, 28, 1] for a CNN) or build the model for this shape.',
      );
    }
  }
  return (data instanceof Dataset ? data : new Dataset(x, y)) as Dataset<Tensor>;
}

/** Checks that labels `y` suit the loss `lossName` and the model's outputs. */
export function checkLabels(model: TrainableModel, lossName: TrainingLossName | undefined, y: Tensor, what: string): void {
  if (!isLayersModel(model)) return;
  const outputShape = model.outputs[0]?.shape ?? [];
  const classes = outputShape[outputShape.length - 1] ?? null;
  if (lossName === 'sparseCategoricalCrossentropy') {
    if (!(y.rank === 1 || (y.rank === 2 && y.shape[1] === 1))) {
      throw new Error(
        `Trainer: sparseCategoricalCrossentropy needs one class index per sample, but the ${what} labels have shape ${describeShape(y.shape)}; ` +
          'pass int32 class indices, or loss: "categoricalCrossentropy" for one-hot rows.',
      );
    }
    const [low, high, fractional] = tf.tidy(() => {
      const f = y.toFloat();
      return [tf.min(f), tf.max(f), tf.sum(tf.abs(tf.sub(f, tf.round(f))))].map((t) => t.dataSync()[0] as number);
    }) as [number, number, number];
    if (fractional > 0) throw new Error(`Trainer: the ${what} labels must be whole class indices; some are fractional.`);
    if (classes !== null && (low < 0 || high >= classes)) {
      throw new Error(
        `Trainer: the ${what} labels range from ${low} to ${high}, but the model has ${classes} outputs (classes 0 to ${classes - 1}); ` +
          'give the last layer one unit per class, or fix the labels.',
      );
    }
  } else if (lossName === 'categoricalCrossentropy' && classes !== null && y.shape[y.rank - 1] !== classes) {
    throw new Error(`Trainer: the ${what} label rows have ${y.shape[y.rank - 1]} columns but the model has ${classes} outputs; they must match.`);
  }
}

/** The model's outputs for `x` in inference mode; a custom model needs `predict`. */
export function modelOutputs(model: TrainableModel, x: Tensor): Tensor {
  if (isLayersModel(model)) return model.apply(x, { training: false }) as Tensor;
  if (!model.predict) throw new Error('Trainer.predict: this custom model has no predict(x) method; add one.');
  return model.predict(x);
}

/** The loss of a batch, and the outputs when the model gives them (a custom model may not). */
export function forwardPass(model: TrainableModel, loss: LossFunction, batch: Batch, training: boolean): { loss: Scalar; outputs: Tensor | null } {
  if (isLayersModel(model)) {
    const outputs = model.apply(batch.x, { training }) as Tensor;
    return { loss: loss(batch.y, outputs), outputs };
  }
  const result = model.loss(batch, training);
  if (result instanceof tf.Tensor) return { loss: result as Scalar, outputs: null };
  return { loss: result.loss, outputs: result.outputs };
}

/** The sum of a Layers model's regularisation terms (weight decay, say), or null without any. */
export function regularisationLoss(model: TrainableModel): Scalar | null {
  if (!isLayersModel(model)) return null;
  const losses = (model as unknown as { calculateLosses?: () => Scalar[] }).calculateLosses?.() ?? [];
  return losses.length === 0 ? null : (tf.addN(losses) as Scalar);
}

/** Checks that weights saved in the checkpoint at `path` fit `model` (count and shapes). */
export function checkSameWeights(model: TrainableModel, stored: StoredTensor[], path: string): void {
  const current = modelWeights(model);
  const names = modelWeightNames(model);
  const differentModel = (why: string): Error =>
    new Error(`The checkpoint in ${path} was saved from a different model: ${why}. Build the same model (same layers and sizes) as when it was saved, or train from scratch.`);
  if (stored.length !== current.length) throw differentModel(`it has ${stored.length} weight tensors, this model has ${current.length}`);
  stored.forEach((s, i) => {
    const shape = (current[i] as Tensor).shape;
    if (s.shape.length !== shape.length || s.shape.some((d, j) => d !== shape[j])) {
      throw differentModel(`weight ${i} (${s.name}) has shape ${describeShape(s.shape)} there but ${describeShape(shape)} here (${names[i]})`);
    }
  });
}
