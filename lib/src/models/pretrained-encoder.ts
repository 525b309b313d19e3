/**
 * A pre-trained Transformer encoder as a release folder (chapter 6), loaded offline like `from_pretrained`:
 * `config.json` (shape, manifest, SHA-256 hashes), `weights.bin` (float16), `vocab.txt`, `recipe.json` and
 * `training-log.json`. `npm run pretrain` writes it; `loadPretrained('mini-bert')` reads the book's.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { tf } from '../backend/tf';
import type { Variable } from '@tensorflow/tfjs';
import { datasetFile } from '../data/tables';
import { WordPieceTokenizer } from '../text/wordpiece';
import { MaskedLanguageModel } from './transformer/heads';
import { TransformerEncoder, type TransformerEncoderOptions } from './transformer/encoder';

/** The release format this code writes and reads. */
export const PRETRAINED_FORMAT = 'dlkit-pretrained-encoder';
export const PRETRAINED_VERSION = 1;

/** One tensor in `weights.bin`. */
interface WeightEntry {
  name: string;
  shape: number[];
  /** Byte offset in weights.bin. */
  offset: number;
}

/** What `config.json` of a release holds. */
export interface PretrainedConfig {
  format: typeof PRETRAINED_FORMAT;
  version: number;
  name: string;
  /** The encoder's shape and dropout rates. */
  encoder: Required<TransformerEncoderOptions>;
  /** Chance that the masked-LM head's training chose a token. */
  maskProbability: number;
  weights: { file: string; dtype: 'float16'; bytes: number; sha256: string; tensors: WeightEntry[] };
  vocabulary: { file: string; sha256: string };
  /** Facts about the run that made it: steps, tokens, held-out masked-token accuracy... */
  summary: Record<string, unknown>;
  /** The command that makes the release again. */
  command: string;
}

/** A loaded release. */
export interface PretrainedEncoder {
  encoder: TransformerEncoder;
  /** The masked-language-model head trained with it (its own weights; it shares the encoder). */
  mlm: MaskedLanguageModel;
  tokenizer: WordPieceTokenizer;
  config: PretrainedConfig;
  directory: string;
}

/** The command that makes the book's releases. */
export const PRETRAIN_COMMAND = 'npm run pretrain';

/** The folder of a release the book ships: `datasets/pretrained/NAME`. */
export function pretrainedDirectory(name: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`pretrainedDirectory: a release name is lower-case letters, digits and -, got ${JSON.stringify(name)}.`);
  return datasetFile('pretrained', name);
}

/** Every weight of an encoder and its masked-LM head, with a name that says where it sits. */
export function namedWeights(mlm: MaskedLanguageModel): [string, Variable][] {
  const { embeddings, blocks } = mlm.encoder;
  const named: [string, Variable][] = [
    ['embeddings/token', embeddings.token],
    ['embeddings/position', embeddings.position],
    ['embeddings/segment', embeddings.segment],
    ...normWeights('embeddings/norm', embeddings.norm.variables),
  ];
  blocks.forEach((block, i) => {
    const at = `blocks/${i}`;
    const { attention, feedForward } = block;
    for (const [part, linear] of [['query', attention.query], ['key', attention.key], ['value', attention.value], ['output', attention.output]] as const) {
      named.push(...linearWeights(`${at}/attention/${part}`, linear.variables));
    }
    named.push(...normWeights(`${at}/attentionNorm`, block.attentionNorm.variables));
    named.push(...linearWeights(`${at}/feedForward/up`, feedForward.up.variables));
    named.push(...linearWeights(`${at}/feedForward/down`, feedForward.down.variables));
    named.push(...normWeights(`${at}/outputNorm`, block.outputNorm.variables));
  });
  named.push(...linearWeights('mlm/transform', mlm.transform.variables));
  named.push(...normWeights('mlm/norm', mlm.norm.variables));
  named.push(['mlm/outputBias', mlm.outputBias]);
  return named;
}

function linearWeights(prefix: string, variables: Variable[]): [string, Variable][] {
  return variables.map((v, i) => [`${prefix}/${i === 0 ? 'kernel' : 'bias'}`, v]);
}

function normWeights(prefix: string, variables: Variable[]): [string, Variable][] {
  return variables.map((v, i) => [`${prefix}/${i === 0 ? 'gamma' : 'beta'}`, v]);
}

/** Float32 values to IEEE half precision, rounding to nearest even. */
export function toFloat16(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i] as number;
    const x = u32[0] as number;
    const sign = (x >>> 16) & 0x8000;
    const exponent = (x >>> 23) & 0xff;
    let mantissa = x & 0x7fffff;
    if (exponent === 0xff) {
      out[i] = sign | 0x7c00 | (mantissa ? 0x200 : 0); // infinity or NaN
      continue;
    }
    let e = exponent - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00; // too large: infinity
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign; // too small: zero
        continue;
      }
      mantissa |= 0x800000; // subnormal: the implicit 1 becomes explicit
      const shift = 14 - e;
      const half = 1 << (shift - 1);
      const rest = mantissa & ((1 << shift) - 1);
      let m = mantissa >>> shift;
      if (rest > half || (rest === half && (m & 1) === 1)) m += 1;
      out[i] = sign | m;
      continue;
    }
    let m = mantissa >>> 13;
    const rest = mantissa & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && (m & 1) === 1)) {
      m += 1;
      if (m === 0x400) {
        m = 0;
        e += 1;
        if (e >= 0x1f) {
          out[i] = sign | 0x7c00;
          continue;
        }
      }
    }
    out[i] = sign | (e << 10) | m;
  }
  return out;
}

/** IEEE half-precision values back to float32, exactly. */
export function fromFloat16(halves: Uint16Array): Float32Array {
  const out = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) {
    const h = halves[i] as number;
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >>> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) out[i] = sign * mantissa * 2 ** -24;
    else if (exponent === 0x1f) out[i] = mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
    else out[i] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return out;
}

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What `savePretrained` writes beside the weights. */
export interface ReleaseContents {
  name: string;
  mlm: MaskedLanguageModel;
  tokenizer: WordPieceTokenizer;
  /** The settings of the run, written to recipe.json. */
  recipe: unknown;
  /** The run's log (one entry per checkpointed chunk), written to training-log.json. */
  log: unknown;
  summary: Record<string, unknown>;
  command?: string;
}

/** Writes a release folder beside its place and renames it in, so a reader never sees half a release; returns the config. */
const RELEASE_FILES = ['config.json', 'weights.bin', 'vocab.txt', 'recipe.json', 'training-log.json', 'README.md'];

export function savePretrained(directory: string, contents: ReleaseContents): PretrainedConfig {
  const target = resolve(directory);
  if (fs.existsSync(target)) {
    const foreign = fs.readdirSync(target).filter((f) => !RELEASE_FILES.includes(f));
    if (foreign.length > 0) {
      throw new Error(`savePretrained: ${target} holds files that are not part of a release (${foreign.slice(0, 3).join(', ')}); choose an empty or new folder.`);
    }
  }
  const named = namedWeights(contents.mlm);
  const tensors: WeightEntry[] = [];
  const parts: Uint16Array[] = [];
  let offset = 0;
  for (const [name, variable] of named) {
    const halves = toFloat16(variable.dataSync() as Float32Array);
    tensors.push({ name, shape: variable.shape, offset });
    parts.push(halves);
    offset += halves.byteLength;
  }
  const weights = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    weights.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
    at += p.byteLength;
  }
  const vocabulary = contents.tokenizer.vocabularyText();
  const config: PretrainedConfig = {
    format: PRETRAINED_FORMAT,
    version: PRETRAINED_VERSION,
    name: contents.name,
    encoder: contents.mlm.encoder.config,
    maskProbability: contents.mlm.maskProbability,
    weights: { file: 'weights.bin', dtype: 'float16', bytes: weights.byteLength, sha256: sha256(weights), tensors },
    vocabulary: { file: 'vocab.txt', sha256: sha256(vocabulary) },
    summary: contents.summary,
    command: contents.command ?? PRETRAIN_COMMAND,
  };
  const temporary = join(dirname(target), `.${basename(target)}.writing-${process.pid}`);
  fs.rmSync(temporary, { recursive: true, force: true });
  fs.mkdirSync(temporary, { recursive: true });
  fs.writeFileSync(join(temporary, 'weights.bin'), weights);
  fs.writeFileSync(join(temporary, 'vocab.txt'), vocabulary);
  fs.writeFileSync(join(temporary, 'recipe.json'), `${JSON.stringify(contents.recipe, null, 2)}\n`);
  fs.writeFileSync(join(temporary, 'training-log.json'), `${JSON.stringify(contents.log, null, 1)}\n`);
  fs.writeFileSync(join(temporary, 'config.json'), `${JSON.stringify(config, null, 1)}\n`);
  const readme = join(target, 'README.md');
  if (fs.existsSync(readme)) fs.copyFileSync(readme, join(temporary, 'README.md'));
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(temporary, target);
  return config;
}

/**
 * Loads a pre-trained encoder, its masked-LM head and tokenizer offline from `datasets/pretrained/NAME` (or
 * `directory`). Every file is checked (present, complete, SHA-256, format version); an error names the command
 * that makes the release again. `dropout` and `attentionDropout` set fine-tuning's rates (default: the release's).
 */
export function loadPretrained(name: string, options: { directory?: string; dropout?: number; attentionDropout?: number } = {}): PretrainedEncoder {
  const directory = resolve(options.directory ?? pretrainedDirectory(name));
  const remake = `Make it again with \`${PRETRAIN_COMMAND}\` (it writes ${directory}), or restore the shipped copy with \`git checkout -- ${directory}\`.`;
  const fail = (why: string) => new Error(`loadPretrained('${name}'): ${why}. ${remake}`);
  const configPath = join(directory, 'config.json');
  if (!fs.existsSync(directory)) throw fail(`there is no release folder ${directory}`);
  if (!fs.existsSync(configPath)) throw fail(`${configPath} is missing`);
  let config: PretrainedConfig;
  try {
    config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as PretrainedConfig;
  } catch (error) {
    throw fail(`${configPath} is not valid JSON (${(error as Error).message}); the file is damaged or truncated`);
  }
  if (config.format !== PRETRAINED_FORMAT) throw fail(`${configPath} is not a ${PRETRAINED_FORMAT} release (format ${JSON.stringify(config.format)})`);
  if (config.version !== PRETRAINED_VERSION) {
    throw fail(`${configPath} has format version ${JSON.stringify(config.version)}, but this dlkit reads version ${PRETRAINED_VERSION}`);
  }
  const read = (file: string, bytes: number | null, hash: string): Buffer => {
    const path = join(directory, file);
    if (!fs.existsSync(path)) throw fail(`${path} is missing`);
    const data = fs.readFileSync(path);
    if (bytes !== null && data.length !== bytes) throw fail(`${path} has ${data.length} bytes, config.json says ${bytes} (truncated?)`);
    if (sha256(data) !== hash) throw fail(`${path} does not match its SHA-256 in config.json (changed or damaged)`);
    return data;
  };
  const weights = read(config.weights.file, config.weights.bytes, config.weights.sha256);
  const vocabularyPath = join(directory, config.vocabulary.file);
  read(config.vocabulary.file, null, config.vocabulary.sha256);
  const tokenizer = WordPieceTokenizer.fromVocabularyFile(vocabularyPath);
  const encoder = new TransformerEncoder({
    ...config.encoder,
    dropout: options.dropout ?? config.encoder.dropout,
    attentionDropout: options.attentionDropout ?? config.encoder.attentionDropout,
  });
  const mlm = new MaskedLanguageModel(encoder, tokenizer, config.maskProbability);
  const named = namedWeights(mlm);
  const entries = new Map(config.weights.tensors.map((t) => [t.name, t]));
  if (entries.size !== named.length) {
    encoder.dispose();
    mlm.dispose();
    throw fail(`config.json lists ${entries.size} tensors, the encoder and head have ${named.length}`);
  }
  for (const [weightName, variable] of named) {
    const entry = entries.get(weightName);
    const size = variable.size;
    if (!entry || entry.shape.join(',') !== variable.shape.join(',') || entry.offset + 2 * size > weights.length) {
      encoder.dispose();
      mlm.dispose();
      throw fail(`the weight ${weightName} is missing from config.json or has the wrong shape`);
    }
    const halves = new Uint16Array(size);
    new Uint8Array(halves.buffer).set(weights.subarray(entry.offset, entry.offset + 2 * size));
    tf.tidy(() => variable.assign(tf.tensor(fromFloat16(halves), variable.shape, 'float32')));
  }
  return { encoder, mlm, tokenizer, config, directory };
}
