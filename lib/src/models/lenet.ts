/** LeNet (chapter 7): the convolutional network of LeCun et al. 1998 in the LeNet-5 layout, ReLU and max pooling by default. */
import { tf } from '../backend/tf';
import type { Sequential } from '@tensorflow/tfjs';
import { BATCH_NORM_MOMENTUM, glorotUniform, heNormal, type LayerActivationName } from './layers';
import { checkPositiveIntegers } from '../util/validate';

export interface LenetOptions {
  /** Shape of one image (default [28, 28, 1]). */
  inputShape?: number[];
  /** Classes (default 10). */
  classes?: number;
  /** Filters of the two convolutions (default [6, 16], as in LeNet-5). */
  filters?: [number, number];
  /** Units of the two hidden dense layers (default [120, 84]). */
  dense?: [number, number];
  /** Activation (default relu; LeNet-5 used sigmoid-like tanh). */
  activation?: LayerActivationName;
  /** Batch normalisation after each convolution (default false). */
  batchNorm?: boolean;
}

/** conv 5x5 (same) - pool - conv 5x5 - pool - dense - dense - softmax. */
export function lenet(options: LenetOptions = {}): Sequential {
  const inputShape = options.inputShape ?? [28, 28, 1];
  if (inputShape.length !== 3) throw new Error(`lenet: inputShape must be [height, width, channels], got [${inputShape.join(', ')}].`);
  checkPositiveIntegers('lenet', { inputShape });
  const [f1, f2] = options.filters ?? [6, 16];
  const [d1, d2] = options.dense ?? [120, 84];
  const activation = options.activation ?? 'relu';
  const model = tf.sequential({ name: 'lenet' });
  const conv = (filters: number, first: boolean, padding: 'same' | 'valid'): void => {
    model.add(
      tf.layers.conv2d({
        filters,
        kernelSize: 5,
        padding,
        activation: options.batchNorm ? 'linear' : activation,
        kernelInitializer: heNormal(),
        ...(first ? { inputShape } : {}),
      }),
    );
    if (options.batchNorm) {
      model.add(tf.layers.batchNormalization({ momentum: BATCH_NORM_MOMENTUM }));
      model.add(tf.layers.activation({ activation }));
    }
    model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  };
  conv(f1, true, 'same');
  conv(f2, false, 'valid');
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: d1, activation, kernelInitializer: heNormal() }));
  model.add(tf.layers.dense({ units: d2, activation, kernelInitializer: heNormal() }));
  model.add(tf.layers.dense({ units: options.classes ?? 10, activation: 'softmax', kernelInitializer: glorotUniform() }));
  return model;
}
