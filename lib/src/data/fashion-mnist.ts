/**
 * Fashion-MNIST (chapter 7; Xiao, Rasul and Vollgraf 2017): 70,000 grey 28x28 photographs of clothes in ten classes,
 * MNIST's layout, read from Debian's `dataset-fashion-mnist` (MIT; datasets/fashion-mnist/README.md).
 */
import { existsSync } from 'node:fs';
import { loadIdxImageFolder, type Mnist, type MnistOptions } from './mnist';

/** Where Debian's package `dataset-fashion-mnist` puts the IDX files. */
export const FASHION_MNIST_DEBIAN_DIRECTORY = '/usr/share/datasets/fashion-mnist';

/** The ten Fashion-MNIST classes, in label order 0-9. */
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

/** Options of `loadFashionMnist`: those of `loadMnist`. */
export interface FashionMnistOptions extends Omit<MnistOptions, 'directory'> {
  /** Folder of the four IDX files (plain or `.gz`); default `DLKIT_FASHION_MNIST`, else Debian's folder. */
  directory?: string;
}

/** Fashion-MNIST as `loadMnist` gives MNIST; the class names are 'T-shirt/top', 'Trouser', ... 'Ankle boot'. */
export type FashionMnist = Mnist;

/** What installs the Fashion-MNIST files, for the error messages. */
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

/** Loads Fashion-MNIST from its IDX files as `loadMnist` does; the error says how to install missing files. */
export function loadFashionMnist(options: FashionMnistOptions = {}): FashionMnist {
  const fromEnvironment = process.env['DLKIT_FASHION_MNIST']?.trim();
  const directory = options.directory ?? (fromEnvironment ? fromEnvironment : FASHION_MNIST_DEBIAN_DIRECTORY);
  const whatToDo = fashionMnistInstallAdvice(directory);
  if (!existsSync(directory)) throw new Error(`Fashion-MNIST: the folder ${directory} does not exist. ${whatToDo}`);
  const { train, test } = loadIdxImageFolder(directory, { ...options, name: 'Fashion-MNIST', whatToDo, caller: 'loadFashionMnist' });
  return { train, test, classNames: [...FASHION_MNIST_CLASS_NAMES] };
}
