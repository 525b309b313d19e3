/** Training throughput (chapters 5 and 7): samples per second through dlkit's Trainer or tfjs' `model.fit`, on random data. */
import { tf } from '../backend/tf';
import type { LayersModel } from '@tensorflow/tfjs';
import { Dataset } from '../data/dataset';
import { lenet } from '../models/lenet';
import { mlp } from '../models/mlp';
import { BOOK_RESNET_OPTIONS, resnet } from '../models/resnet';
import { Trainer } from '../train/trainer';
import { measureRate, type RateSummary } from '../util/timing';
import { watchInterrupts } from '../notebook/interrupt';

/** The models `measureTrainingThroughput` knows by name. */
export type ThroughputPreset = 'mlp' | 'lenet' | 'resnet';

const PRESETS: Record<ThroughputPreset, { build: () => LayersModel; inputShape: number[]; batchSize: number; steps: number; smokeSteps: number }> = {
  mlp: { build: () => mlp({ inputShape: [784], hidden: [256, 128], outputs: 10 }), inputShape: [784], batchSize: 128, steps: 40, smokeSteps: 2 },
  lenet: { build: () => lenet(), inputShape: [28, 28, 1], batchSize: 64, steps: 20, smokeSteps: 2 },
  resnet: { build: () => resnet({ ...BOOK_RESNET_OPTIONS, stages: [...BOOK_RESNET_OPTIONS.stages] }), inputShape: [28, 28, 1], batchSize: 64, steps: 8, smokeSteps: 1 },
};

export interface ThroughputOptions {
  /** A preset name ('mlp': 784-256-128-10; 'lenet'; 'resnet': the chapter-7 ResNet), or a builder of a fresh, uncompiled softmax model. */
  model?: ThroughputPreset | (() => LayersModel);
  /** Shape of one sample (preset default, else required). */
  inputShape?: number[];
  /** Classes (default 10). */
  classes?: number;
  /** Samples per step (preset default: 128 for mlp, 64 for the CNNs). */
  batchSize?: number;
  /** Samples per timed repetition (default: the preset's steps * batchSize). */
  samples?: number;
  /** 'smoke' runs one or two steps per repetition (for tests; also used for the CNN presets on the slow cpu backend). */
  size?: 'full' | 'smoke';
  /** Untimed repetitions first (default 1). */
  warmup?: number;
  /** Timed repetitions (default 3). */
  repetitions?: number;
  /** 'trainer' (dlkit's Trainer, int labels; default) or 'fit' (tfjs model.fit, one-hot labels). */
  method?: 'trainer' | 'fit';
  /** Learning rate of the Adam optimiser (default 0.001). */
  learningRate?: number;
}

/** One throughput measurement: median, min and max samples/s over the repetitions. */
export interface ThroughputResult {
  method: 'trainer' | 'fit';
  backend: string;
  batchSize: number;
  /** Samples in all timed repetitions together. */
  samples: number;
  seconds: number;
  /** Samples per second: the median, slowest and fastest repetition. */
  median: number;
  min: number;
  max: number;
  repetitions: number;
}

/**
 * Units per second of `trainer` fitting `data` one more epoch per run (chapters 6, 8, 13): `warmup` untimed runs, then
 * `repetitions` timed ones, through `measureRate`. `units` is what one epoch processes (tokens, ratings, samples). An
 * interrupted epoch is an error: it trained less than it was timed for.
 */
export async function measureFitRate(
  trainer: Trainer,
  data: Parameters<Trainer['fit']>[0],
  options: { batchSize: number; units: number; warmup?: number; repetitions?: number; caller: string },
): Promise<RateSummary & { seconds: number }> {
  return measureRate(async () => {
    const result = await trainer.fit(data, { epochs: trainer.epoch + 1, batchSize: options.batchSize, plot: false });
    if (result.interrupted) throw new Error(`${options.caller}: interrupted in epoch ${result.interrupted.epoch}; run it again to measure.`);
    return options.units;
  }, { warmup: options.warmup ?? 1, repetitions: options.repetitions ?? 3 });
}

/** Measures training samples per second on the current backend. */
export async function measureTrainingThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const preset = typeof options.model === 'string' ? PRESETS[options.model] : undefined;
  if (typeof options.model === 'string' && !preset) throw new Error(`measureTrainingThroughput: unknown model "${options.model}"; use mlp, lenet, resnet or a builder function.`);
  const build = preset?.build ?? (typeof options.model === 'function' ? options.model : undefined);
  const inputShape = options.inputShape ?? preset?.inputShape;
  if (!build || !inputShape) throw new Error('measureTrainingThroughput: give model (a preset name or a builder) and, for a builder, inputShape.');
  const classes = options.classes ?? 10;
  const batchSize = options.batchSize ?? preset?.batchSize ?? 64;
  // The pure-JavaScript cpu backend trains convolutions at a few samples per second: use the smoke sizes there.
  const small = options.size === 'smoke' || (tf.getBackend() === 'cpu' && options.model !== 'mlp');
  const steps = small ? (preset?.smokeSteps ?? 2) : (preset?.steps ?? 40);
  const samples = options.samples ?? batchSize * steps;
  const repetitions = options.repetitions ?? 3;
  const method = options.method ?? 'trainer';
  const model = build();
  const x = tf.randomUniform([samples, ...inputShape], 0, 1, 'float32', 1);
  const labels = tf.randomUniform([samples], 0, classes, 'int32', 2);
  const optimizer = tf.train.adam(options.learningRate ?? 0.001);
  const repeat = { warmup: options.warmup ?? 1, repetitions };
  let rates: RateSummary & { seconds: number };
  try {
    if (method === 'fit') {
      const y = tf.oneHot(labels, classes);
      const interrupts = watchInterrupts();
      try {
        model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
        // tfjs' fit stops after the batch in which `stopTraining` was set; a partial measurement would mislead.
        const callbacks = {
          onBatchEnd: async () => {
            if (await interrupts.shouldStop()) model.stopTraining = true;
          },
        };
        rates = await measureRate(async () => {
          await model.fit(x, y, { batchSize, epochs: 1, verbose: 0, callbacks });
          if (interrupts.requested) throw new Error('measureTrainingThroughput: interrupted; run it again to measure.');
          return samples;
        }, repeat);
      } finally {
        y.dispose();
      }
    } else {
      const trainer = new Trainer(model, { optimizer, seed: 1 });
      rates = await measureFitRate(trainer, new Dataset(x, labels), { ...repeat, batchSize, units: samples, caller: 'measureTrainingThroughput' });
    }
  } finally {
    x.dispose();
    labels.dispose();
    model.dispose();
    optimizer.dispose();
  }
  return { method, backend: tf.getBackend(), batchSize, samples: samples * repetitions, ...rates };
}
