/**
 * Fashion-MNIST (chapter 7): 70,000 grey 28x28 photographs of clothes in ten
 * classes, by Zalando Research (Xiao, Rasul and Vollgraf, 2017), a drop-in
 * replacement for MNIST with the same file layout, the same sizes and the
 * same four IDX files. The book reads the copy that Debian's package
 * `dataset-fashion-mnist` installs in /usr/share/datasets/fashion-mnist (MIT
 * licence); see datasets/fashion-mnist/README.md.
 */
import { existsSync } from 'node:fs';
import type { Tensor } from '@tensorflow/tfjs';
import type { Dataset } from './dataset';
import { loadIdxImageFolder } from './mnist';

/** Where Debian's package `dataset-fashion-mnist` puts the IDX files (chapter 7). */
export const FASHION_MNIST_DEBIAN_DIRECTORY = '/usr/share/datasets/fashion-mnist';

/** The ten Fashion-MNIST classes, in label order 0-9 (chapter 7). */
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

/** Options of `loadFashionMnist` (chapter 7). */
export interface FashionMnistOptions {
  /**
   * Use only the first `train` training and `test` test images. Default: all
   * (60,000 and 10,000), or 6,000 and 2,000 in quick mode (`DLKIT_QUICK=1`).
   */
  subset?: { train?: number; test?: number };
  /** Shape of one image: `'image'` gives `[28, 28, 1]` (default), `'flat'` gives `[784]`. */
  shape?: 'image' | 'flat';
  /**
   * Folder holding the four IDX files (plain or `.gz`). Default: the
   * environment variable `DLKIT_FASHION_MNIST` if set, else Debian's
   * /usr/share/datasets/fashion-mnist.
   */
  directory?: string;
}

/** Fashion-MNIST as two datasets, grey levels in [0, 1], int32 labels 0-9, and the class names (chapter 7). */
export interface FashionMnist {
  train: Dataset<Tensor>;
  test: Dataset<Tensor>;
  /** 'T-shirt/top', 'Trouser', ... 'Ankle boot'. */
  classNames: string[];
}

/** What installs the Fashion-MNIST files, for the error messages (chapter 7). */
export function fashionMnistInstallAdvice(directory: string): string {
  const where = directory === FASHION_MNIST_DEBIAN_DIRECTORY
    ? `On Debian or Ubuntu install the package that holds them: \`sudo apt-get install --no-install-recommends dataset-fashion-mnist\` ` +
      '(`npm start` and `npm test` do it themselves when they run as root). Elsewhere, '
    : 'Put the four files there: ';
  return (
    `${where}download train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and ` +
    't10k-labels-idx1-ubyte.gz from https://github.com/zalandoresearch/fashion-mnist (folder data/fashion) into a folder ' +
    'and pass it as `directory` or in the environment variable DLKIT_FASHION_MNIST.'
  );
}

/**
 * Loads Fashion-MNIST from its local IDX files (chapter 7), the same way
 * `loadMnist` reads MNIST. Throws a message that says how to install the
 * files when they are missing.
 */
export function loadFashionMnist(options: FashionMnistOptions = {}): FashionMnist {
  const fromEnvironment = process.env['DLKIT_FASHION_MNIST']?.trim();
  const directory = options.directory ?? (fromEnvironment ? fromEnvironment : FASHION_MNIST_DEBIAN_DIRECTORY);
  const whatToDo = fashionMnistInstallAdvice(directory);
  if (!existsSync(directory)) throw new Error(`Fashion-MNIST: the folder ${directory} does not exist. ${whatToDo}`);
  const { train, test } = loadIdxImageFolder(directory, { ...options, name: 'Fashion-MNIST', whatToDo, caller: 'loadFashionMnist' });
  return { train, test, classNames: [...FASHION_MNIST_CLASS_NAMES] };
}
