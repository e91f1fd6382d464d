import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initTf } from '../../../src/core/train/backend';
import { ceLoss, distillationLoss, kdLoss } from '../../../src/core/train/qat/kd';

const softmax = (v: number[]) => { const m = Math.max(...v); const e = v.map((x) => Math.exp(x - m)); const s = e.reduce((a, b) => a + b, 0); return e.map((x) => x / s); };
const logits = [[2, 0.5, -1], [0.1, 0.2, 3]];
const teacher = [[0.7, 0.2, 0.1], [0.05, 0.15, 0.8]];
const labels = [0, 1];

function handKd(T = 1): number {
  let s = 0;
  logits.forEach((l, i) => {
    const ps = softmax(l.map((v) => v / T));
    const ptRaw = teacher[i];
    const pt = T === 1 ? ptRaw : softmax(ptRaw.map((p) => Math.log(p) / T));
    s += pt.reduce((a, p, k) => a + p * (Math.log(p) - Math.log(ps[k])), 0);
  });
  return (s / logits.length) * T * T;
}
const handCe = () => logits.reduce((a, l, i) => a - Math.log(softmax(l)[labels[i]]), 0) / logits.length;

test('KD loss (Eq. 10) is the batch-mean KL(teacher ‖ student), by hand', async () => {
  const { tf } = await initTf({ prefer: 'cpu' });
  const v = kdLoss(tf, tf.tensor2d(logits), tf.tensor2d(teacher)).dataSync()[0];
  assert.ok(Math.abs(v - handKd()) < 1e-5, `${v} vs ${handKd()}`);
  const v2 = kdLoss(tf, tf.tensor2d(logits), tf.tensor2d(teacher), 2).dataSync()[0];
  assert.ok(Math.abs(v2 - handKd(2)) < 1e-5, `T=2: ${v2} vs ${handKd(2)}`);
  // Zero when the student reproduces the teacher.
  const same = kdLoss(tf, tf.log(tf.tensor2d(teacher)), tf.tensor2d(teacher)).dataSync()[0];
  assert.ok(Math.abs(same) < 1e-6);
});

test('Eq. 11 mixes λ·KD + (1−λ)·CE; λ = 1 is Eq. 10 and no teacher is plain CE', async () => {
  const { tf } = await initTf({ prefer: 'cpu' });
  const l = tf.tensor2d(logits), t = tf.tensor2d(teacher), y = tf.tensor1d(labels, 'int32');
  assert.ok(Math.abs(ceLoss(tf, l, y).dataSync()[0] - handCe()) < 1e-5);
  const mixed = distillationLoss(tf, l, y, t, 0.9).dataSync()[0];
  assert.ok(Math.abs(mixed - (0.9 * handKd() + 0.1 * handCe())) < 1e-5, `${mixed}`);
  assert.ok(Math.abs(distillationLoss(tf, l, y, t, 1).dataSync()[0] - handKd()) < 1e-5);
  assert.ok(Math.abs(distillationLoss(tf, l, y, undefined, 0.9).dataSync()[0] - handCe()) < 1e-5);
});
