// Reproduces the sample float models (samples/models/) with fixed seeds:
// `npm run sample` (builds first). Writes TF.js Layers folders, ONNX copies,
// metrics.json per model and samples/models/README.md with the accuracies.
// Options: --only cnn|mlp, --epochs N (overrides the defaults below).
import { spawnSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const argv = process.argv.slice(2);
const arg = (k) => { const i = argv.indexOf(`--${k}`); return i >= 0 ? argv[i + 1] : undefined; };
const SAMPLES = [
  { arch: 'cnn', epochs: 6, seed: 1 },
  { arch: 'mlp', epochs: 6, seed: 1 },
].filter((s) => !arg('only') || s.arch === arg('only'));

for (const s of SAMPLES) {
  const dir = path.join(root, 'samples/models', `fashion-${s.arch}`);
  const epochs = arg('epochs') ?? String(s.epochs);
  console.log(`training fashion-${s.arch} (${epochs} epochs, seed ${s.seed}) → ${path.relative(root, dir)}`);
  const r = spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), 'train', '--arch', s.arch, '--data', 'fashion-mnist:train',
    '--epochs', epochs, '--seed', String(s.seed), '-o', dir, '--onnx', path.join(root, 'samples/models', `fashion-${s.arch}.onnx`)], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// samples/models/README.md from every metrics.json present.
const rows = ['cnn', 'mlp'].flatMap((arch) => {
  try {
    return [{ arch, ...JSON.parse(readFileSync(path.join(root, 'samples/models', `fashion-${arch}`, 'metrics.json'), 'utf8')) }];
  } catch { return []; }
});
const table = rows.map((m) => `| fashion-${m.arch} | ${(m.testAccuracy * 100).toFixed(2)} % | ${m.epochs} | ${m.trainSamples} | ${m.seed} | ${m.backend} | ${(m.epochSeconds.reduce((a, b) => a + b, 0) / m.epochs).toFixed(0)} s |`).join('\n');
const readme = `# Sample models (trained by Tritscope on Fashion-MNIST)

Reproduce with \`npm run sample\` (scripts/train-sample.mjs → \`tritscope train\`). Test top-1 on the
10 000-image Fashion-MNIST test set; Adam (lr 0.001), batch 64, seeded init and shuffle.

| model | test top-1 | epochs | train samples | seed | backend | time/epoch |
|---|---|---|---|---|---|---|
${table}

- \`fashion-cnn/\` (TF.js Layers \`model.json\` + \`weights.bin\`) and \`fashion-cnn.onnx\`: conv 1→8 3×3 same + BN + ReLU + maxpool2 →
  conv 8→16 + BN + ReLU + maxpool2 → conv 16→32 + BN + ReLU + maxpool2 → flatten (288) → dense 64 + ReLU → dense 10 + softmax.
  Ternarizable middle layers: conv2, conv3, dense1 (first and last stay float).
- \`fashion-mlp/\` and \`fashion-mlp.onnx\`: flatten 784 → dense 256 + ReLU → dense 128 + ReLU → dense 10 + softmax.
- Input: one 28×28 grey image, pixels scaled to [0, 1] (TF.js NHWC [28,28,1]; the importers present it as NCHW [1,28,28]).
- Each folder's \`metrics.json\` holds the numbers above.
`;
const out = path.join(root, 'samples/models/README.md');
writeFileSync(out + '.tmp', readme);
renameSync(out + '.tmp', out);
console.log(readme);
