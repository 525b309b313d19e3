/** What the Trainer measures on a batch (chapter 5): the loss and metrics as one vector [loss, metric 1, ...] summed on the device. */
import { tf } from '../backend/tf';
import type { Scalar, Tensor } from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset';
import { lossByName, metricByName, type LossFunction, type Metric, type MetricName, type TrainingLossName } from './metrics';
import { defaultLossName, forwardPass, isLayersModel, outputsAreLogits, type TrainableModel } from './trainable-model';

export interface ObjectiveOptions {
  loss?: TrainingLossName | LossFunction;
  metrics?: (MetricName | Metric)[];
  fromLogits?: boolean;
}

/** A model's loss and metrics on a batch. */
export class Objective {
  /** The loss's name, unless it was given as a function. */
  readonly lossName: TrainingLossName | undefined;
  readonly loss: LossFunction;
  readonly metrics: Metric[];

  /** `labels` decide the default loss: int32 class indices, label rows or targets. */
  constructor(private readonly model: TrainableModel, options: ObjectiveOptions, labels: Tensor) {
    const fromLogits = options.fromLogits ?? outputsAreLogits(model);
    this.lossName = typeof options.loss === 'function' ? undefined : (options.loss ?? defaultLossName(labels));
    this.loss = typeof options.loss === 'function' ? options.loss : lossByName(this.lossName as TrainingLossName, fromLogits);
    const classifies = isLayersModel(model) ? this.lossName?.includes('Crossentropy') === true : model.predict !== undefined;
    const requested = options.metrics ?? (classifies ? ['accuracy' as const] : []);
    this.metrics = requested.map((m) => (typeof m === 'string' ? metricByName(m, fromLogits) : m));
  }

  /** 'loss' and the metrics' names, in the order of `values`. */
  get names(): string[] {
    return ['loss', ...this.metrics.map((m) => m.name)];
  }

  /** Loss and outputs of one batch (outputs may be null for a custom model without them). */
  forward(x: Tensor, y: Tensor, training: boolean): { loss: Scalar; outputs: Tensor | null } {
    return forwardPass(this.model, this.loss, { x, y }, training);
  }

  /** Loss and metric values of a batch as one vector [loss, metric 1, ...]; metrics use `predict` when `outputs` is null. */
  values(y: Tensor, loss: Scalar, outputs: Tensor | null, x: Tensor): Tensor {
    if (this.metrics.length === 0) return tf.reshape(loss, [1]);
    const predicted = outputs ?? (isLayersModel(this.model) ? null : this.model.predict?.(x)) ?? null;
    if (predicted === null) throw new Error('Trainer: metrics need the model outputs; return { loss, outputs } from loss() or give the model a predict(x) method.');
    return tf.stack([loss, ...this.metrics.map((m) => m.compute(y, predicted))]);
  }

  /** Mean loss and metrics over `data` in inference mode; the generator pauses after each batch so a caller can stop. */
  *meanOver(data: Dataset<Tensor>, batchSize: number): Generator<void, Record<string, number>> {
    let sums: Tensor = tf.zeros([this.names.length]);
    try {
      for (const { x, y } of data.batches(batchSize)) {
        try {
          const next = tf.tidy(() => {
            const { loss, outputs } = this.forward(x, y, false);
            return tf.add(sums, tf.mul(this.values(y, loss, outputs, x), x.shape[0] as number));
          });
          sums.dispose();
          sums = next;
        } finally {
          tf.dispose([x, y]);
        }
        yield;
      }
      const totals = sums.dataSync();
      return Object.fromEntries(this.names.map((n, i) => [n, (totals[i] as number) / data.size]));
    } finally {
      sums.dispose(); // also when the caller stops early (return())
    }
  }
}
