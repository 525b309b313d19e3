/**
 * A resumable masked-language-model pre-training run (chapter 6; `npm run pretrain`): the `Trainer` on the chapter's
 * training reviews with a checkpoint per pass, a progress line, and a release at the end. A killed run resumes to the
 * same weights as an uninterrupted one.
 */
import * as fs from 'node:fs';
import { join, resolve } from 'node:path';
import { tf } from '../backend/tf';
import type { Scalar, Tensor } from '@tensorflow/tfjs';
import { loadImdb, splitReviews } from '../data/imdb';
import { MaskedLanguageModel, type SpecialTokenIds } from '../models/transformer/heads';
import { TransformerEncoder, idsTensor } from '../models/transformer/encoder';
import { savePretrained, type PretrainedConfig } from '../models/pretrained-encoder';
import { LivePlot } from '../plot/live-plot';
import { documentWindows } from '../text/windows';
import { WordPieceTokenizer } from '../text/wordpiece';
import type { BatchInfo, EpochLogs, TrainerCallback, TrainerControl, TrainingPlan } from '../train/callbacks';
import { cosineDecay, warmup } from '../train/schedules';
import { Trainer } from '../train/trainer';
import { rng, seed } from '../util/random';
import { checkRecipe, type PretrainingRecipe } from './recipe';

/** The texts a run reads: the corpus and the held-out texts for masked-token accuracy. */
export interface PretrainingTexts {
  train: readonly string[];
  heldOut: readonly string[];
}

/**
 * The chapter's training reviews (never test): the first `trainReviews` are the corpus, the next `heldOutReviews` not
 * in it are held out.
 */
export function imdbPretrainingTexts(recipe: PretrainingRecipe): PretrainingTexts {
  const { train } = splitReviews(loadImdb(), { seed: recipe.splitSeed });
  const corpus = train.slice(0, recipe.trainReviews).map((r) => r.text);
  const seen = new Set(corpus);
  const heldOut = train
    .slice(recipe.trainReviews)
    .map((r) => r.text)
    .filter((text) => !seen.has(text))
    .slice(0, recipe.heldOutReviews);
  if (corpus.length < recipe.trainReviews || heldOut.length < recipe.heldOutReviews) {
    throw new Error(`pretrain: the recipe wants ${recipe.trainReviews} + ${recipe.heldOutReviews} reviews, the training split has ${train.length}.`);
  }
  return { train: corpus, heldOut };
}

/** Options of `pretrain`. */
export interface PretrainOptions {
  /** Where the checkpoint, the vocabulary and the log of the run live (outside the repository: it survives sessions). */
  runDirectory: string;
  /** Where the release goes at the end (default: none written). */
  releaseDirectory?: string;
  /** The texts (default `imdbPretrainingTexts(recipe)`). */
  texts?: PretrainingTexts;
  /** Stop after this many passes in this call (a test's stand-in for a killed run); the checkpoint stays. */
  stopAfterEpochs?: number;
  /** Print the progress line (default true). */
  log?: boolean;
}

/** What `pretrain` returns. */
export interface PretrainResult {
  /** Passes done in total (with those before a resume). */
  epochs: number;
  finished: boolean;
  history: EpochLogs[];
  /** The trained model; the caller disposes it (`mlm.dispose()`, `mlm.encoder.dispose()`). */
  mlm: MaskedLanguageModel;
  tokenizer: WordPieceTokenizer;
  config: PretrainedConfig | null;
}

/** The masked-LM head that also adds up its masked-token accuracy while training, for the progress line. */
class AccuracyTrackingModel extends MaskedLanguageModel {
  private readonly kept: Tensor[] = [];
  private predicted = 0;
  override loss(batch: { x: Tensor }, training: boolean): Scalar {
    const out = this.maskedLoss(batch.x, training);
    if (training) {
      this.kept.push(tf.keep(tf.mul(out.accuracy, out.predicted)));
      this.predicted += out.predicted;
    }
    return out.loss;
  }
  /** Masked-token accuracy of the training batches since the last call (NaN if none). */
  takeAccuracy(): number {
    if (this.kept.length === 0) return Number.NaN;
    const right = tf.tidy(() => tf.addN(this.kept).dataSync()[0] as number);
    tf.dispose(this.kept.splice(0));
    const accuracy = right / this.predicted;
    this.predicted = 0;
    return accuracy;
  }
}

/** Progress line, held-out evaluation after each pass, and a log of each pass (with the run's step and tokens). */
class PretrainingProgress implements TrainerCallback {
  private plot: LivePlot | null = null;
  private plan: TrainingPlan | null = null;
  private epochRight = 0;
  private epochBatches = 0;
  private steps = 0;
  private firstStep = 0;
  /** Token positions per step, padding included. */
  private readonly tokensPerStep: number;
  constructor(
    private readonly model: AccuracyTrackingModel,
    private readonly heldOut: Tensor,
    private readonly recipe: PretrainingRecipe,
    private readonly log: boolean,
  ) {
    this.tokensPerStep = recipe.batchSize * recipe.maxLength;
  }
  onTrainBegin(plan: TrainingPlan, control: TrainerControl): void {
    this.plan = plan;
    this.steps = control.epoch * plan.stepsPerEpoch;
    this.firstStep = this.steps;
    const remaining = Math.max(1, plan.epochs - control.epoch) * plan.stepsPerEpoch;
    // Making the plot must not move the shared generator, or a resumed run (which makes it after restoring that state) would draw other masks.
    const state = rng().getState();
    this.plot = new LivePlot({ title: 'MLM pre-training', xLabel: 'step', total: remaining * this.tokensPerStep, unit: 'tokens', logOutsideNotebook: this.log });
    rng().setState(state);
  }
  onEpochBegin(): void {
    this.epochRight = 0;
    this.epochBatches = 0;
  }
  onBatchEnd(info: BatchInfo): void {
    this.steps += 1;
    if (!info.logs || !this.plot || !this.plan) return;
    const accuracy = this.model.takeAccuracy();
    this.epochRight += accuracy;
    this.epochBatches += 1;
    const total = this.plan.epochs * this.plan.stepsPerEpoch;
    const label = `step ${this.steps}/${total} (pass ${info.epoch + 1}/${this.plan.epochs})`;
    const done = (this.steps - this.firstStep) * this.tokensPerStep;
    this.plot.update(this.steps, { loss: info.logs['loss'] as number, maskedAccuracy: accuracy }, { done, label });
  }
  onEpochEnd(logs: EpochLogs): void {
    const last = this.model.takeAccuracy();
    if (!Number.isNaN(last)) {
      this.epochRight += last;
      this.epochBatches += 1;
    }
    const heldOut = this.model.evaluate(this.heldOut, { seed: this.recipe.seed, batchSize: 128 });
    logs['maskedAccuracy'] = this.epochRight / Math.max(1, this.epochBatches);
    logs['heldOutLoss'] = heldOut.loss;
    logs['heldOutMaskedAccuracy'] = heldOut.accuracy;
    logs['step'] = this.steps;
    logs['tokens'] = this.steps * this.recipe.batchSize * this.recipe.maxLength;
    if (this.log) {
      console.log(
        `pass ${logs.epoch}/${this.plan?.epochs}: step ${this.steps}, loss ${logs.loss.toFixed(3)}, masked accuracy ${(100 * (logs['maskedAccuracy'] as number)).toFixed(1)}%, ` +
          `held-out loss ${heldOut.loss.toFixed(3)}, held-out masked accuracy ${(100 * heldOut.accuracy).toFixed(1)}% (${heldOut.predicted} tokens), ${logs.seconds.toFixed(0)} s`,
      );
    }
  }
  onTrainEnd(_history: EpochLogs[], control: TrainerControl): void {
    const stop = control.interrupted;
    this.plot?.close(stop ? `interrupted at pass ${stop.epoch}, step ${stop.step}: run again to resume from the last checkpoint` : undefined);
  }
}

const RECIPE_FILE = 'recipe.json';
const VOCABULARY_FILE = 'vocab.txt';
const CHECKPOINT_FOLDER = 'checkpoint';

/** The recipe a run folder was started with, or null for a new folder; a different recipe is an error. */
function checkRunFolder(runDirectory: string, recipe: PretrainingRecipe): boolean {
  const path = join(runDirectory, RECIPE_FILE);
  if (!fs.existsSync(path)) return false;
  const saved = JSON.parse(fs.readFileSync(path, 'utf8')) as PretrainingRecipe;
  if (JSON.stringify(saved) !== JSON.stringify(recipe)) {
    throw new Error(
      `pretrain: ${runDirectory} holds a run of another recipe (${path}); resume it with that recipe, or give another run folder (--run DIR) for this one.`,
    );
  }
  return true;
}

/** Pre-trains an encoder, resuming from `runDirectory`'s checkpoint of the same recipe; writes the release when done. */
export async function pretrain(recipe: PretrainingRecipe, options: PretrainOptions): Promise<PretrainResult> {
  checkRecipe(recipe);
  const runDirectory = resolve(options.runDirectory);
  const log = options.log ?? true;
  const say = (line: string) => {
    if (log) console.log(line);
  };
  fs.mkdirSync(runDirectory, { recursive: true });
  const resuming = checkRunFolder(runDirectory, recipe);
  const texts = options.texts ?? imdbPretrainingTexts(recipe);
  const vocabularyPath = join(runDirectory, VOCABULARY_FILE);
  let tokenizer: WordPieceTokenizer;
  if (resuming && fs.existsSync(vocabularyPath)) tokenizer = WordPieceTokenizer.fromVocabularyFile(vocabularyPath);
  else {
    const began = Date.now();
    tokenizer = WordPieceTokenizer.train(texts.train, { vocabularySize: recipe.vocabularySize });
    tokenizer.saveVocabulary(vocabularyPath);
    say(`tokenizer: ${tokenizer.vocabularySize} tokens learned from ${texts.train.length} texts in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  }
  fs.writeFileSync(join(runDirectory, RECIPE_FILE), `${JSON.stringify(recipe, null, 2)}\n`);
  const keepEnd = Math.floor(recipe.maxLength / 2);
  const windows = documentWindows(tokenizer, texts.train, { maxLength: recipe.maxLength, keepEnd }).inputIds;
  const corpus = idsTensor(windows);
  const heldOut = idsTensor(tokenizer.encodeBatch([...texts.heldOut], { maxLength: recipe.maxLength, keepEnd }).inputIds);
  const rows = corpus.shape[0];
  const stepsPerEpoch = Math.ceil(rows / recipe.batchSize);
  const totalSteps = recipe.epochs * stepsPerEpoch;
  say(`corpus: ${texts.train.length} texts as ${rows} rows of ${recipe.maxLength} tokens; ${stepsPerEpoch} steps per pass, ${totalSteps} in all`);
  const warmupSteps = Math.max(1, Math.round(recipe.warmupFraction * totalSteps));
  seed(recipe.seed);
  const encoder = new TransformerEncoder({
    vocabularySize: tokenizer.vocabularySize,
    hiddenSize: recipe.hiddenSize,
    layers: recipe.layers,
    heads: recipe.heads,
    intermediateSize: recipe.intermediateSize,
    maxPositions: recipe.maxLength,
    dropout: recipe.dropout,
    attentionDropout: recipe.dropout,
  });
  const tokens: SpecialTokenIds = tokenizer;
  const model = new AccuracyTrackingModel(encoder, tokens, recipe.maskProbability);
  if (recipe.outputBias === 'log-frequency') {
    const entropy = model.setOutputBiasToLogFrequencies(windows);
    say(`masked-LM output bias: the corpus' log token frequencies (a head that ignores the context: loss ${entropy.toFixed(2)})`);
  }
  say(`encoder: ${encoder.countParams().toLocaleString('en-US')} weights, masked-LM head ${(model.countParams() - encoder.countParams()).toLocaleString('en-US')}`);
  const trainer = new Trainer(model, {
    learningRate: recipe.learningRate,
    // Both parts count their steps from the recipe, not from one call's epochs, so a run cut into calls has the same schedule.
    schedule: warmup({ steps: warmupSteps, then: cosineDecay({ initial: recipe.learningRate, steps: totalSteps - warmupSteps }) }),
    clipNorm: recipe.clipNorm,
    seed: recipe.seed,
  });
  const checkpoint = join(runDirectory, CHECKPOINT_FOLDER);
  const hasCheckpoint = fs.existsSync(join(checkpoint, 'checkpoint.json')) || fs.existsSync(join(`${checkpoint}.previous`, 'checkpoint.json'));
  const labels = tf.zeros([rows], 'int32');
  const progress = new PretrainingProgress(model, heldOut, recipe, log);
  const epochs = options.stopAfterEpochs === undefined ? recipe.epochs : Math.min(recipe.epochs, options.stopAfterEpochs);
  try {
    if (hasCheckpoint) say(`resuming from ${checkpoint}`);
    const fit = await trainer.fit(
      { x: corpus, y: labels },
      {
        epochs,
        batchSize: recipe.batchSize,
        shuffle: true,
        syncEvery: 20,
        plot: false,
        callbacks: [progress],
        checkpoint: { directory: checkpoint },
        ...(hasCheckpoint ? { resumeFrom: checkpoint } : {}),
      },
    );
    const finished = fit.epochs >= recipe.epochs && !fit.interrupted;
    let config: PretrainedConfig | null = null;
    if (finished && options.releaseDirectory !== undefined) {
      const lastLog = fit.history[fit.history.length - 1] as EpochLogs;
      config = savePretrained(options.releaseDirectory, {
        name: recipe.name,
        mlm: model,
        tokenizer,
        recipe,
        log: fit.history,
        summary: {
          steps: lastLog['step'],
          tokens: lastLog['tokens'],
          heldOutReviews: texts.heldOut.length,
          heldOutMaskedAccuracy: lastLog['heldOutMaskedAccuracy'],
          heldOutLoss: lastLog['heldOutLoss'],
          trainingSeconds: fit.history.reduce((s, h) => s + h.seconds, 0),
        },
      });
      say(`release written to ${resolve(options.releaseDirectory)} (weights SHA-256 ${config.weights.sha256})`);
    }
    return { epochs: fit.epochs, finished, history: fit.history, mlm: model, tokenizer, config };
  } finally {
    model.takeAccuracy(); // frees what an interrupted pass left
    trainer.dispose();
    tf.dispose([corpus, heldOut, labels]);
  }
}
