/**
 * The sample float models trained on Fashion-MNIST (samples/models/). Both use
 * only layers the importers support (conv2d, batchnorm, relu, maxpool,
 * flatten, dense, softmax); the CNN has three ternarizable middle layers
 * (conv2, conv3, dense1) between a float first and last layer.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from './backend';

export type SampleArch = 'cnn' | 'mlp';
export const SAMPLE_ARCHS: SampleArch[] = ['cnn', 'mlp'];

/** Input is NHWC [28, 28, 1] (TF.js layout); importers convert to NCHW. */
export function buildSampleModel(tf: Tf, arch: SampleArch, seed: number): tfjs.LayersModel {
  let s = seed;
  const init = () => tf.initializers.glorotUniform({ seed: s++ });
  const m = tf.sequential({ name: `fashion_${arch}` });
  if (arch === 'mlp') {
    m.add(tf.layers.flatten({ inputShape: [28, 28, 1], name: 'flatten' }));
    m.add(tf.layers.dense({ units: 256, activation: 'relu', kernelInitializer: init(), name: 'dense1' }));
    m.add(tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(), name: 'dense2' }));
    m.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(), name: 'dense3' }));
    return m;
  }
  const block = (filters: number, i: number, first: boolean) => {
    m.add(tf.layers.conv2d({
      ...(first ? { inputShape: [28, 28, 1] } : {}), filters, kernelSize: 3, padding: 'same', useBias: false,
      kernelInitializer: init(), name: `conv${i}`,
    }));
    m.add(tf.layers.batchNormalization({ momentum: 0.9, name: `bn${i}` }));
    m.add(tf.layers.reLU({ name: `relu${i}` }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `pool${i}` }));
  };
  block(8, 1, true);
  block(16, 2, false);
  block(32, 3, false);
  m.add(tf.layers.flatten({ name: 'flatten' }));
  m.add(tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: init(), name: 'dense1' }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(), name: 'dense2' }));
  return m;
}
