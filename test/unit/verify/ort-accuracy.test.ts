/**
 * Accuracy of the float sample models by an independent runtime (onnxruntime-web,
 * with the test set decoded here from the IDX files) versus `tritscope eval` and
 * runReference after our ONNX importer, on a fixed subset (the first 2 000 test
 * images); scripts/verify-accuracy.mjs runs all 10 000.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { compareWithOrt, type AccuracyComparison } from './accuracy';
import { SAMPLES } from './independent';

const SUBSET = 2000;

function check(r: AccuracyComparison): void {
  const what = `${path.basename(r.model)} on ${r.n} images`;
  // The decode and both runtimes are sane: a trained model, not chance level.
  assert.ok(r.ortCorrect / r.n > 0.8, `${what}: onnxruntime top-1 ${r.ortCorrect / r.n}`);
  assert.ok(r.maxAbsDiff <= 1e-4, `${what}: max |ours − onnxruntime| = ${r.maxAbsDiff}`);
  assert.ok(r.agreement >= 0.999, `${what}: argmax agreement ${r.agreement}`);
  // A prediction may flip only where onnxruntime's top two outputs are a float tie.
  for (const d of r.disagreements) assert.ok(d.ortMargin < 1e-4, `${what}: image ${d.index} ours ${d.ours} vs onnxruntime ${d.ort}, margin ${d.ortMargin}`);
  // eval and runReference are the same computation; onnxruntime may differ by the flipped ties only.
  assert.equal(r.evalCorrect, r.referenceCorrect, `${what}: tritscope eval vs runReference`);
  assert.ok(Math.abs(r.evalCorrect - r.ortCorrect) <= r.disagreements.length, `${what}: eval ${r.evalCorrect} vs onnxruntime ${r.ortCorrect} correct`);
  if (!r.disagreements.length) assert.equal(r.evalCorrect, r.ortCorrect);
}

for (const name of ['fashion-cnn', 'fashion-mlp']) {
  test(`${name}.onnx: tritscope eval top-1 equals onnxruntime-web's on the first ${SUBSET} test images`, async () => {
    const onnx = path.join(SAMPLES, `${name}.onnx`);
    assert.ok(existsSync(onnx), `${onnx} is missing (npm run sample)`);
    check(await compareWithOrt(onnx, SUBSET));
  });
}
