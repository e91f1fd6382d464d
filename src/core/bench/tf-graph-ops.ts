/**
 * The tfjs baseline's translations of the ops that torchvision CNNs add to the
 * sequential set in tf-baseline.ts: residual `add`, global average pooling,
 * `clip` (ReLU6), padded max pooling and depthwise convolution. Activations are
 * NHWC. Returns undefined for a layer tf-baseline.ts translates itself.
 */
import type * as tf from '@tensorflow/tfjs';
import { ExecutionError } from '../errors';
import { listAttr, numAttr } from '../exec/shapes';
import type { Layer } from '../graph/types';
import type { Tensor } from '../tensor';

/** One layer's forward: x = its first input, xs = all of them. */
export type TfOp = (x: tf.Tensor, xs: tf.Tensor[]) => tf.Tensor;

export function tfGraphOp(tfx: typeof tf, layer: Layer, w: (role: string) => Tensor | undefined): TfOp | undefined {
  const keep = (t: Tensor, shape?: number[]): tf.Tensor => tfx.keep(tfx.tensor(t.data, shape ?? t.shape));
  switch (layer.op) {
    case 'add':
      if (layer.inputs.length !== 2) throw new ExecutionError(`bench: tfjs baseline: layer '${layer.name}': add of ${layer.inputs.length} inputs is not supported`);
      return (_x, xs) => tfx.add(xs[0], xs[1]);
    case 'globalavgpool':
      return (x) => tfx.mean(x, [1, 2], true);
    case 'clip': {
      const lo = numAttr(layer, 'min', -Infinity), hi = numAttr(layer, 'max', Infinity);
      return (x) => tfx.clipByValue(x, lo, hi);
    }
    case 'maxpool': {
      const [pt, pl, pb, pr] = listAttr(layer, 'pads', [0, 0, 0, 0]);
      if (pt === 0 && pl === 0 && pb === 0 && pr === 0) return undefined;
      const k = listAttr(layer, 'kernel', []) as [number, number];
      const s = listAttr(layer, 'strides', k) as [number, number];
      // -inf padding never wins a max: the same result as skipping cells outside the image
      return (x) => tfx.maxPool(tfx.pad(x as tf.Tensor4D, [[0, 0], [pt, pb], [pl, pr], [0, 0]], -Infinity), k, s, 'valid');
    }
    case 'conv2d': {
      const group = numAttr(layer, 'group', 1);
      if (group === 1) return undefined;
      const wt = w('weight') as Tensor;
      const [o, ig, kh, kw] = wt.shape;
      if (ig !== 1 || o % group !== 0) throw new ExecutionError(`bench: tfjs baseline: layer '${layer.name}': grouped conv with ${ig} input channels per group is not supported (depthwise only)`);
      // OIHW [C·mult, 1, kh, kw] → tfjs depthwise filter [kh, kw, C, mult]
      const filt = tfx.keep(tfx.transpose(tfx.tensor4d(wt.data, [group, o / group, kh, kw]), [2, 3, 0, 1]));
      const b = w('bias');
      const bias = b ? keep(b, [b.data.length]) : undefined;
      const [pt, pl, pb, pr] = listAttr(layer, 'pads', [0, 0, 0, 0]);
      const strides = listAttr(layer, 'strides', [1, 1]) as [number, number];
      const dil = listAttr(layer, 'dilations', [1, 1]) as [number, number];
      return (x) => {
        const y = tfx.depthwiseConv2d(x as tf.Tensor4D, filt as tf.Tensor4D, strides, [[0, 0], [pt, pb], [pl, pr], [0, 0]], 'NHWC', dil);
        return bias ? tfx.add(y, bias) : y;
      };
    }
    default:
      return undefined;
  }
}
