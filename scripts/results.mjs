// `npm run results`: runs the Fashion-MNIST experiment of src/core/train/results.ts
// (float vs post-training ternary vs QAT with the seed paper's method and its
// ablations) and writes docs/results.md (+ docs/results.json with the raw rows).
// Options: --epochs N (per stage, default 3), --train-limit N (default 20000),
// --test-limit N (default: all 10 000), --only cnn|mlp; --render-only re-renders
// docs/results.md from docs/results.json; --backends-only (re)measures the
// wasm/cpu epoch times into docs/results.json; --headline re-runs only the goal
// rows (float, TWN W+A, the paper's two-stage W+A) on the full training set
// (--train-limit defaults to 60000 there) and stores them beside the full table;
// --row NAME (repeatable) with --headline runs only those rows and merges them
// into the stored headline run. --method ID (repeatable) runs only the rows of
// those quantizers (post-training and QAT, weights only; the rows come from the
// quantizer registry) with the stored table's budget and merges them into it,
// so a new quantizer joins the table without re-running the rest.
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const argv = process.argv.slice(2);
const arg = (k, d) => { const i = argv.indexOf(`--${k}`); return i >= 0 ? argv[i + 1] : d; };

const bundle = path.join(root, 'out/scripts/results.cjs');
mkdirSync(path.dirname(bundle), { recursive: true });
await esbuild.build({
  stdin: {
    contents: "export { runResults, renderResultsMarkdown, measureBackendEpochs, HEADLINE_ROWS, RESULT_ROW_ORDER } from './src/core/train/results'; export { importModel } from './src/core/import/index'; export { QUANTIZER_IDS } from './src/core/quant/index';",
    resolveDir: root, loader: 'ts',
  },
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', outfile: bundle, logLevel: 'warning',
  external: ['@tensorflow/tfjs-node'],
});
const { runResults, renderResultsMarkdown, measureBackendEpochs, HEADLINE_ROWS, RESULT_ROW_ORDER, QUANTIZER_IDS, importModel } = createRequire(import.meta.url)(bundle);
const write = (file, text) => { writeFileSync(`${file}.tmp`, text); renameSync(`${file}.tmp`, file); };
// The PyTorch section comes from python/bench's drivers (docs/results-pytorch.md), not from this script: kept verbatim.
const pytorchFile = path.join(root, 'docs/results-pytorch.md');
const withPytorch = (md) => (existsSync(pytorchFile) ? `${md.trimEnd()}\n\n${readFileSync(pytorchFile, 'utf8')}` : md);
const jsonFile = path.join(root, 'docs/results.json');
const mdFile = path.join(root, 'docs/results.md');
if (argv.includes('--render-only') || argv.includes('--backends-only')) {
  const report = JSON.parse(readFileSync(jsonFile, 'utf8'));
  if (argv.includes('--backends-only')) report.backendEpochs = await measureBackendEpochs();
  write(jsonFile, JSON.stringify(report, null, 2) + '\n');
  write(mdFile, withPytorch(renderResultsMarkdown(report)));
  console.log(renderResultsMarkdown(report));
  process.exit(0);
}

const samples = [['sample CNN (samples/models/fashion-cnn)', 'fashion-cnn'], ['sample MLP (samples/models/fashion-mlp)', 'fashion-mlp']]
  .filter(([, dir]) => !arg('only') || dir.endsWith(arg('only')));
const models = [];
for (const [name, dir] of samples) {
  const file = path.join(process.env.TRITSCOPE_SAMPLES ?? path.join(root, 'samples/models'), dir, 'model.json');
  if (!existsSync(file)) { console.error(`results: ${file} is missing (run npm run sample first)`); process.exit(1); }
  models.push({ name, model: await importModel(file) });
}
const headline = argv.includes('--headline');
const methodArgs = argv.flatMap((a, i) => (a === '--method' ? [argv[i + 1]] : []));
const badMethods = methodArgs.filter((m) => !QUANTIZER_IDS.includes(m));
if (badMethods.length) { console.error(`results: --method must be one of ${QUANTIZER_IDS.join(', ')}; got ${badMethods.join(', ')}`); process.exit(2); }
const stored = existsSync(jsonFile) ? JSON.parse(readFileSync(jsonFile, 'utf8')) : undefined;
if (methodArgs.length && !stored) { console.error(`results: --method merges into ${jsonFile}, which is missing (run the full table first)`); process.exit(1); }
const rowArgs = argv.flatMap((a, i) => (a === '--row' ? [argv[i + 1]] : []));
const unknown = rowArgs.filter((r) => !HEADLINE_ROWS.includes(r));
if (unknown.length) { console.error(`results: --row must be one of ${HEADLINE_ROWS.join(' | ')}; got ${unknown.join(', ')}`); process.exit(2); }
const run = await runResults({
  models,
  // Merged rows must share the stored table's budget.
  epochs: methodArgs.length ? stored.epochs : Number(arg('epochs', '3')),
  trainLimit: methodArgs.length ? stored.trainLimit : Number(arg('train-limit', headline ? '60000' : '20000')),
  testLimit: methodArgs.length ? stored.testSamples : arg('test-limit') ? Number(arg('test-limit')) : undefined,
  onlyRows: headline ? (rowArgs.length ? rowArgs : HEADLINE_ROWS) : undefined,
  methods: methodArgs.length ? methodArgs : undefined,
  log: (l) => console.log(l),
});
const previous = stored;
let report = run;
if (methodArgs.length) {
  // merge: re-run rows replace their namesakes; rows the registry no longer derives are dropped; table order
  const key = (x) => `${x.model}\u0000${x.name}`;
  const byKey = new Map([...previous.rows, ...run.rows].map((x) => [key(x), x]));
  const models = [...new Set([...previous.rows, ...run.rows].map((x) => x.model))];
  report = { ...previous, rows: models.flatMap((m) => RESULT_ROW_ORDER.map((n) => byKey.get(`${m}\u0000${n}`)).filter(Boolean)) };
} else if (headline) {
  // keep the full table; the headline run is stored beside it
  report = previous ?? { ...run, rows: [] };
  const old = report.headline;
  if (rowArgs.length && old) {
    // merge: the re-run rows replace their namesakes; rows in HEADLINE_ROWS order per model
    const key = (x) => `${x.model}\u0000${x.name}`;
    const byKey = new Map([...old.rows, ...run.rows].map((x) => [key(x), x]));
    const order = (x) => (x.kind === 'float' ? -1 : HEADLINE_ROWS.indexOf(x.name));
    const models = [...new Set([...old.rows, ...run.rows].map((x) => x.model))];
    run.rows = models.flatMap((m) => [...byKey.values()].filter((x) => x.model === m).sort((a, b) => order(a) - order(b)));
    run.epochs = old.epochs;
  }
  report.headline = run;
} else {
  if (previous?.headline) report.headline = previous.headline;
  report.backendEpochs = await measureBackendEpochs();
}
mkdirSync(path.join(root, 'docs'), { recursive: true });
write(jsonFile, JSON.stringify(report, null, 2) + '\n');
const md = renderResultsMarkdown(report);
write(mdFile, withPytorch(md));
console.log(md);
