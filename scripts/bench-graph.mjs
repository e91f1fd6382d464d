// Graph view benchmark: time from the model message to the first painted frame of the graph tab
// (graph building + dagre layout in the webview's Web Worker + SVG), measured by the webview itself
// (its `graphRendered` message), in Chromium under the viewer's real CSP (nonce scripts, worker-src blob:).
// Also counts long tasks (> 50 ms) on the UI thread meanwhile: the layout must not block it.
//   models: .tnn files given as arguments, else a ResNet-50-topology model (175 layers, test/fixtures).
//   For the torchvision model: docs/graph-view.md says how to export and quantize it into .cache/models/.
// Usage: node esbuild.mjs && node scripts/bench-graph.mjs [model.tnn ...] [--runs 7] [--screenshot dir] [--light]
import * as esbuild from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const runs = Number(opt('--runs', '7'));
const shotDir = opt('--screenshot', null);
const light = argv.includes('--light');
const files = argv.filter((a, i) => !a.startsWith('--') && !['--runs', '--screenshot'].includes(argv[i - 1]));
const work = mkdtempSync(path.join(tmpdir(), 'tritscope-bench-graph-'));

const entry = path.join(work, 'entry.ts');
writeFileSync(entry, `
export { serializeTnn } from ${JSON.stringify(path.join(root, 'src/core/format/index'))};
export { buildResNet50Topology } from ${JSON.stringify(path.join(root, 'test/fixtures/resnet50-topology'))};
export { InspectClient } from ${JSON.stringify(path.join(root, 'src/extension/editor/inspectClient'))};
export { builtinProfiles } from ${JSON.stringify(path.join(root, 'src/core/cost'))};
`);
await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: path.join(work, 'entry.mjs'), logLevel: 'warning' });
const lib = await import(pathToFileURL(path.join(work, 'entry.mjs')).href);
if (!files.length) {
  const f = path.join(work, 'resnet50-topology.tnn');
  writeFileSync(f, lib.serializeTnn(lib.buildResNet50Topology()));
  files.push(f);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const profile = lib.builtinProfiles()[0];
const vars = light
  ? '--vscode-foreground:#3b3b3b;--vscode-editor-background:#ffffff;--vscode-editorWidget-background:#f8f8f8;--vscode-editorWidget-border:#c8c8c8;--vscode-descriptionForeground:#717171;--vscode-charts-red:#e51400;--vscode-charts-blue:#1a85ff;--vscode-charts-green:#388a34;--vscode-charts-orange:#d18616;--vscode-badge-background:#cccccc;--vscode-badge-foreground:#3b3b3b;--vscode-focusBorder:#005fb8'
  : '--vscode-foreground:#cccccc;--vscode-editor-background:#1f1f1f;--vscode-editorWidget-background:#202020;--vscode-editorWidget-border:#454545;--vscode-descriptionForeground:#9d9d9d;--vscode-charts-red:#f14c4c;--vscode-charts-blue:#3794ff;--vscode-charts-green:#89d185;--vscode-charts-orange:#d18616;--vscode-badge-background:#616161;--vscode-badge-foreground:#f8f8f8;--vscode-focusBorder:#0078d4';

const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
const origin = 'http://tritscope.bench';
const nonce = randomBytes(16).toString('base64');
const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${origin}; img-src ${origin} data:; font-src ${origin}; worker-src blob:`;
const cspErrors = [];
page.on('console', (m) => { if (/Content Security Policy|Refused/.test(m.text())) cspErrors.push(m.text()); });
await page.route(`${origin}/**`, (route) => {
  const u = new URL(route.request().url());
  if (u.pathname === '/') {
    return route.fulfill({ contentType: 'text/html', headers: { 'content-security-policy': csp }, body: `<!DOCTYPE html><html><head>
<link rel="stylesheet" href="${origin}/dist/webview.css"><link rel="stylesheet" href="${origin}/vars.css"></head>
<body class="${light ? 'vscode-light' : 'vscode-dark'}"><div id="root"></div>
<script nonce="${nonce}" src="${origin}/stub.js"></script><script nonce="${nonce}" src="${origin}/dist/webview.js"></script></body></html>` });
  }
  if (u.pathname === '/vars.css') return route.fulfill({ contentType: 'text/css', body: `body{${vars};font-family:sans-serif;font-size:13px}` });
  if (u.pathname === '/stub.js') {
    return route.fulfill({ contentType: 'text/javascript', body: `window.__posted=[];window.__long=[];
new PerformanceObserver((l)=>{for(const e of l.getEntries())window.__long.push(e.duration)}).observe({type:'longtask',buffered:true});
window.acquireVsCodeApi=()=>({postMessage:(m)=>window.__posted.push(m),getState:()=>({tab:'graph',graphMetric:'sparsity'}),setState:()=>{}});` });
  }
  return route.fulfill({ path: path.join(root, u.pathname) });
});

const report = [];
for (const file of files) {
  const client = new lib.InspectClient(root);
  const view = await client.load(file, profile);
  client.dispose();
  const total = [], layout = [], longest = [];
  let info;
  for (let i = 0; i < runs; i++) {
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
    await page.evaluate(() => { window.__long.length = 0; });
    await page.evaluate((m) => window.postMessage(m, '*'), { type: 'model', model: view, profiles: [], profileId: profile.id });
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'graphRendered'), undefined, { timeout: 60_000 });
    const r = await page.evaluate(() => ({ m: window.__posted.find((m) => m.type === 'graphRendered'), long: [...window.__long] }));
    info = r.m;
    total.push(r.m.totalMs);
    layout.push(r.m.layoutMs);
    longest.push(Math.max(0, ...r.long));
  }
  const nodes = await page.locator('[data-layer]').count();
  if (shotDir) {
    mkdirSync(shotDir, { recursive: true });
    await page.screenshot({ path: path.join(shotDir, `bench-graph-${path.basename(file, '.tnn')}${light ? '-light' : ''}.png`) });
  }
  const row = { model: path.basename(file), layers: view.layers.length, nodes: info.nodes, edges: info.edges, layerNodesInDom: nodes, layoutIn: info.layoutIn,
    runs, medianTotalMs: median(total), medianLayoutMs: median(layout), medianLongestUiTaskMs: median(longest), totals: total.map((x) => Math.round(x)) };
  report.push(row);
  console.log(`${row.model}: ${row.nodes} nodes, ${row.edges} edges — model to painted graph median ${row.medianTotalMs.toFixed(0)} ms `
    + `(layout ${row.medianLayoutMs.toFixed(0)} ms in the ${row.layoutIn}); longest UI-thread task median ${row.medianLongestUiTaskMs.toFixed(0)} ms; runs ${row.totals.join(', ')}`);
}
await browser.close();
console.log(JSON.stringify({ report, cspErrors }, null, 2));
if (cspErrors.length) process.exitCode = 1;
rmSync(work, { recursive: true, force: true });
