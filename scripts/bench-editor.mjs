// Editor benchmark: writes a `.tnn` with ~25 M trits (ResNet-50 scale), then measures
// open-to-rendered time of the model viewer against just reading the file's bytes:
//   read   = fs.readFile of the file
//   parse  = the inspect worker (dist/workers/inspect.js) parsing + building the view
//   render = dist/webview.js in Chromium receiving the view until header + table are in the DOM
// Usage: node esbuild.mjs && node scripts/bench-editor.mjs [--trits 25000000] [--keep] [--screenshot dir] [--runs N]
// `--resnet50 [--size S]`: torchvision's ResNet-50 made ternary (TWN, latent float weights kept) instead of the
// synthetic file (scripts/resnet50-fixture.mjs); `--model m.tnn`: any model. Medians of --runs (default 3) runs;
// `charts` is the time until the per-layer charts are drawn too (they may follow the table's first paint).
// `--gguf`: the GGUF scale benchmark instead (scripts/bench-gguf.mjs).
if (process.argv.includes('--gguf')) {
  await import('./bench-gguf.mjs');
  process.exit(0);
}
import * as esbuild from 'esbuild';
import { mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { resnet50Tnn } from './resnet50-fixture.mjs';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : dflt; };
const targetTrits = Number(arg('--trits', '25000000'));
const shotDir = arg('--screenshot', null);
const work = mkdtempSync(path.join(tmpdir(), 'tritscope-bench-editor-'));

// A tiny bundle exposing the generator and the worker client (TypeScript sources, bundled here).
const entry = path.join(work, 'entry.ts');
writeFileSync(entry, `
export { serializeTnn } from ${JSON.stringify(path.join(root, 'src/core/format/index'))};
export { buildEditorModel, channelsForTrits } from ${JSON.stringify(path.join(root, 'test/unit/cost/fixtures'))};
export { InspectClient } from ${JSON.stringify(path.join(root, 'src/extension/editor/inspectClient'))};
export { builtinProfiles } from ${JSON.stringify(path.join(root, 'src/core/cost'))};
`);
await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: path.join(work, 'entry.mjs'), logLevel: 'warning' });
const lib = await import(pathToFileURL(path.join(work, 'entry.mjs')).href);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const given = arg('--model', null) ?? (process.argv.includes('--resnet50') ? await resnet50Tnn(Number(arg('--size', '224')), console.log) : null);
const file = given ?? path.join(work, 'resnet-scale.tnn');
if (given) console.log(`model: ${path.basename(given)}, file ${(statSync(given).size / 2 ** 20).toFixed(1)} MiB`);
else {
  const t0 = performance.now();
  const channels = lib.channelsForTrits(targetTrits);
  const model = lib.buildEditorModel({ channels, latent: false, inputShape: [3, 224, 224], name: 'resnet50-scale', classes: 1000 });
  writeFileSync(file, lib.serializeTnn(model));
  const trits = [...model.tensors.values()].filter((t) => t.kind === 'trits').reduce((a, t) => a + t.count, 0);
  console.log(`model: ${trits.toLocaleString()} trits in ${model.graph.layers.length} layers, file ${(statSync(file).size / 2 ** 20).toFixed(1)} MiB (generated in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

const reps = Number(arg('--runs', '3'));
const readMs = [];
for (let i = 0; i < reps + 1; i++) {
  const t0 = performance.now();
  await readFile(file);
  if (i) readMs.push(performance.now() - t0); // first read warms the page cache for both paths
}

const profile = lib.builtinProfiles()[0];
const parseMs = [];
let view;
for (let i = 0; i < reps; i++) {
  const client = new lib.InspectClient(root);
  const t0 = performance.now();
  view = await client.load(file, profile);
  parseMs.push(performance.now() - t0);
  client.dispose();
}

// Render in Chromium: the real webview bundle with a stub acquireVsCodeApi.
const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
const html = path.join(work, 'index.html');
writeFileSync(html, `<!DOCTYPE html><html><head><link rel="stylesheet" href="${pathToFileURL(path.join(root, 'dist/webview.css'))}">
<style>body{--vscode-foreground:#ccc;--vscode-editor-background:#1e1e1e;--vscode-editorWidget-border:#454545;--vscode-descriptionForeground:#9d9d9d;--vscode-charts-red:#f14c4c;--vscode-charts-blue:#3794ff;--vscode-charts-green:#89d185;--vscode-charts-orange:#d18616;--vscode-charts-purple:#b180d7;--vscode-charts-yellow:#cca700;--vscode-list-activeSelectionBackground:#04395e;--vscode-focusBorder:#007fd4;font-family:sans-serif;font-size:13px}</style></head>
<body class="vscode-dark"><div id="root"></div><script>
window.__posted=[];window.acquireVsCodeApi=()=>({postMessage:(m)=>window.__posted.push(m),getState:()=>undefined,setState:()=>{}});
</script><script src="${pathToFileURL(path.join(root, 'dist/webview.js'))}"></script></body></html>`);
const renderMs = [], chartsMs = [];
for (let i = 0; i < reps; i++) {
  await page.goto(pathToFileURL(html).href);
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
  const ms = await page.evaluate(async (m) => {
    const t0 = performance.now();
    window.postMessage(m, '*');
    // `table`: the animation frame whose paint first shows header and table (rAF callbacks run just before the paint).
    let table = 0;
    await new Promise((res) => {
      const check = () => {
        if (document.querySelector('#layer-table tbody tr') && document.querySelector('#model-name')) { table = performance.now() - t0; res(); } else requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    });
    // The trit chart has pixels: drawn with the table (before) or after its first paint (scheduleCharts).
    const drawn = () => {
      const c = document.querySelector('#chart-trits-canvas');
      if (!c || !c.width) return false;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let k = 3; k < d.length; k += 4) if (d[k]) return true;
      return false;
    };
    await new Promise((res) => { const check = () => (drawn() || performance.now() - t0 > 10_000 ? res() : setTimeout(check, 5)); check(); });
    return { table, charts: performance.now() - t0 };
  }, { type: 'model', model: view, profiles: [], profileId: profile.id });
  renderMs.push(ms.table);
  chartsMs.push(ms.charts);
}
if (shotDir) {
  mkdirSync(shotDir, { recursive: true });
  await page.screenshot({ path: path.join(shotDir, 'bench-editor.png'), fullPage: true });
}
await browser.close();

const r = median(readMs), p = median(parseMs), d = median(renderMs), ch = median(chartsMs);
const round = (xs) => xs.map((x) => +x.toFixed(1));
const report = {
  model: path.basename(file), runs: reps, trits: view.header.ternaryParams, layers: view.layers.length, fileBytes: view.header.fileBytes,
  readMs: r, workerParseMs: p, renderMs: d, openToRenderedMs: p + d, chartsDrawnMs: ch, openToChartsMs: p + ch, ratio: (p + d) / r,
  samples: { readMs: round(readMs), workerParseMs: round(parseMs), renderMs: round(renderMs), chartsDrawnMs: round(chartsMs) },
};
console.log(JSON.stringify(report, null, 2));
console.log(`medians of ${reps}: open-to-rendered (table) ${(p + d).toFixed(0)} ms = ${report.ratio.toFixed(1)}× reading the bytes (${r.toFixed(1)} ms); worker ${p.toFixed(0)} ms, render ${d.toFixed(0)} ms; charts drawn at ${(p + ch).toFixed(0)} ms`);
if (given) {
  const out = path.join(root, 'test-results', `bench-editor-${path.basename(file, '.tnn')}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
}
if (!process.argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
