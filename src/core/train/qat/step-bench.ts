/**
 * Float vs fake-quantized training step time on the same backend, measured
 * interleaved (float, quant, float, …) on the same batch so that machine load
 * affects both alike; medians of the per-step wall times.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { FloatModel } from '../../graph/types';
import type { Tf } from '../backend';
import { gatherBatch, range } from '../batches';
import type { TrainData } from '../training-data';
import { ceLoss } from './kd';
import { QatNet } from './qat-net';

export interface StepTiming { floatMs: number; quantMs: number; ratio: number; steps: number; batch: number }

const median = (v: number[]) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

export function measureStepRatio(tf: Tf, model: FloatModel, data: TrainData, steps = 20, batch = 64): StepTiming {
  const floatNet = new QatNet(tf, model, { quant: { method: 'asym-uniform', uniform: true, asymmetric: true }, rprelu: false });
  const quantNet = new QatNet(tf, model, { quant: { method: 'asym-uniform', uniform: true, asymmetric: true }, rprelu: true });
  quantNet.quantWeights = quantNet.quantActs = true;
  const { x, y } = gatherBatch(tf, data, range(0, Math.min(batch, data.n)));
  const optF = tf.train.adam(1e-4), optQ = tf.train.adam(1e-4);
  const step = (net: QatNet, opt: tfjs.Optimizer): number => {
    const t0 = performance.now();
    const loss = opt.minimize(() => ceLoss(tf, net.forward(x, true), y), true, net.trainableVariables());
    loss?.dataSync();
    loss?.dispose();
    return performance.now() - t0;
  };
  try {
    step(floatNet, optF); step(quantNet, optQ); // warm-up (kernel setup, XNNPACK operator creation)
    const f: number[] = [], q: number[] = [];
    for (let i = 0; i < steps; i++) { f.push(step(floatNet, optF)); q.push(step(quantNet, optQ)); }
    const floatMs = median(f), quantMs = median(q);
    return { floatMs, quantMs, ratio: quantMs / floatMs, steps, batch: x.shape[0] };
  } finally {
    x.dispose(); y.dispose(); optF.dispose(); optQ.dispose(); floatNet.dispose(); quantNet.dispose();
  }
}
