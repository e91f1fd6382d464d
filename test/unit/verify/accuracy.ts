/**
 * Float-model accuracy by onnxruntime-web versus Tritscope (`tritscope eval` and
 * importModel + runReference) on the Fashion-MNIST test split. Used by the unit
 * test (a fixed subset) and by scripts/verify-accuracy.mjs (all 10 000 images).
 */
import { runReference } from '../../../src/core/exec/reference';
import { importModel } from '../../../src/core/import/index';
import { cli } from '../cli/cli-helpers';
import { argmax, fashionTest, ortOutputs, top2Margin } from './independent';

export interface Disagreement {
  index: number;
  label: number;
  ort: number;
  ours: number;
  /** onnxruntime's top-1 minus top-2 output: tiny means a float tie. */
  ortMargin: number;
}

export interface AccuracyComparison {
  model: string;
  n: number;
  ortCorrect: number;
  /** Correct predictions of importModel + runReference, per sample. */
  referenceCorrect: number;
  /** round(top1 · n) of `tritscope eval --json`. */
  evalCorrect: number;
  evalTop1: number;
  agreement: number;
  disagreements: Disagreement[];
  maxAbsDiff: number;
}

export async function compareWithOrt(onnxFile: string, limit: number, batch = 500): Promise<AccuracyComparison> {
  const images = fashionTest(limit);
  const ort = await ortOutputs(onnxFile, images, batch);
  const model = await importModel(onnxFile);
  const per = images.rows * images.cols;
  const k = ort.classes;
  let ortCorrect = 0, referenceCorrect = 0, agree = 0, maxAbsDiff = 0;
  const disagreements: Disagreement[] = [];
  for (let s = 0; s < images.n; s += batch) {
    const m = Math.min(batch, images.n - s);
    const out = runReference(model, { shape: [m, 1, images.rows, images.cols], data: images.pixels.slice(s * per, (s + m) * per) });
    if (out.shape[1] !== k) throw new Error(`${onnxFile}: runReference gives ${out.shape[1]} classes, onnxruntime ${k}`);
    for (let j = 0; j < m; j++) {
      const i = s + j;
      for (let c = 0; c < k; c++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(out.data[j * k + c] - ort.data[i * k + c]));
      const theirs = argmax(ort.data, i * k, k);
      const ours = argmax(out.data, j * k, k);
      if (theirs === images.labels[i]) ortCorrect++;
      if (ours === images.labels[i]) referenceCorrect++;
      if (theirs === ours) agree++;
      else disagreements.push({ index: i, label: images.labels[i], ort: theirs, ours, ortMargin: top2Margin(ort.data, i * k, k) });
    }
  }
  const ev = await cli('eval', onnxFile, '--data', 'fashion-mnist:test', '--limit', String(images.n), '--json');
  if (ev.code !== 0) throw new Error(`tritscope eval failed: ${ev.stderr}`);
  const evalJson = JSON.parse(ev.stdout) as { top1: number; n: number };
  if (evalJson.n !== images.n) throw new Error(`tritscope eval evaluated ${evalJson.n} samples, expected ${images.n}`);
  return {
    model: onnxFile, n: images.n, ortCorrect, referenceCorrect,
    evalCorrect: Math.round(evalJson.top1 * images.n), evalTop1: evalJson.top1,
    agreement: agree / images.n, disagreements, maxAbsDiff,
  };
}
