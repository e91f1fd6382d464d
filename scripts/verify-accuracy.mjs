// Full 10 000-image cross-check of the float sample models: onnxruntime-web (test set
// decoded independently from the IDX files) versus `tritscope eval` and runReference.
// The unit test test/unit/verify/ort-accuracy.test.ts runs the same check on 2 000 images.
// usage: node scripts/verify-accuracy.mjs [model.onnx …] [--limit N] [--json]
import * as esbuild from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const argv = process.argv.slice(2);
const limitAt = argv.indexOf('--limit');
const limit = limitAt >= 0 ? Number(argv[limitAt + 1]) : 10000;
const json = argv.includes('--json');
const models = argv.filter((a, i) => !a.startsWith('--') && i !== limitAt + 1);
if (!models.length) models.push('samples/models/fashion-cnn.onnx', 'samples/models/fashion-mlp.onnx');

// Inside the repository (out/ is git-ignored) so the bundle resolves node_modules.
mkdirSync('out', { recursive: true });
const dir = mkdtempSync(path.resolve('out/verify-'));
try {
  const outfile = path.join(dir, 'accuracy.cjs');
  // Only the reference engine runs here: the packed engine's .wat kernels are never loaded, so stub them.
  await esbuild.build({
    entryPoints: ['test/unit/verify/accuracy.ts'], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile,
    packages: 'external', loader: { '.wat': 'empty' }, logLevel: 'warning',
  });
  const { compareWithOrt } = createRequire(import.meta.url)(outfile);
  const results = [];
  for (const model of models) {
    const started = Date.now();
    const r = await compareWithOrt(path.resolve(model), limit);
    results.push(r);
    if (!json) {
      console.log(`${model} (${r.n} images, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
      console.log(`  onnxruntime-web   top-1 ${(100 * r.ortCorrect / r.n).toFixed(2)} % (${r.ortCorrect} correct)`);
      console.log(`  tritscope eval    top-1 ${(100 * r.evalTop1).toFixed(2)} % (${r.evalCorrect} correct)`);
      console.log(`  runReference      ${r.referenceCorrect} correct; argmax agreement with onnxruntime ${(100 * r.agreement).toFixed(3)} %, max |Δoutput| ${r.maxAbsDiff.toExponential(2)}`);
      for (const d of r.disagreements) console.log(`  image ${d.index} (label ${d.label}): onnxruntime ${d.ort}, ours ${d.ours}, onnxruntime top-2 margin ${d.ortMargin.toExponential(2)}`);
    }
  }
  if (json) console.log(JSON.stringify(results, null, 1));
  const bad = results.filter((r) => r.evalCorrect !== r.ortCorrect && Math.abs(r.evalCorrect - r.ortCorrect) > r.disagreements.length);
  process.exitCode = bad.length || results.some((r) => r.agreement < 0.999) ? 1 : 0;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
