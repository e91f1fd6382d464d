// The debugger on a ResNet-scale model (`node scripts/bench-debug.mjs --large [--trits N] [--size S]
// [--no-float] [--model m.tnn | --resnet50 [--size S]] [--runs N] [--json]`). Generates
// test/fixtures/resnet-like.ts's model (~25 M trits, 3×112×112 input) unless --model is given; with
// --resnet50, torchvision's ResNet-50 made ternary (TWN) at S×S, default 224 (scripts/resnet50-fixture.mjs).
// With --runs N it repeats the whole session N times and prints medians over the runs. It drives a TritscopeDebugSession over DAP as VS Code does:
//   launch → first stop; F10 over every layer (next → stopped, then stackTrace + scopes + the Output
//   scope's variables); stepBack at the result (cached states); a fresh `continue` to the end; a
//   breakpoint on the layer with the largest output and the paged expansion of that tensor.
// The session runs IN THIS PROCESS, as the inline adapter runs in the extension host (the inference
// worker computes): a 10 ms timer measures how late this thread's event loop runs in each phase, i.e.
// how much the adapter itself would hold up the extension host. Sizes of `tritscope/layer` events
// (what each stop ships to the workbench and the activation view) are reported too.
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { resnet50Tnn } from './resnet50-fixture.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** Nearest-rank percentile summary, ms rounded to 0.01 (same rule as latency-stats.ts). */
export function stats(xs) {
  if (!xs.length) return { n: 0, median: NaN, p95: NaN, max: NaN };
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
  const mid = s.length >> 1;
  const r = (x) => +x.toFixed(2);
  return { n: s.length, median: r(s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2), p95: r(at(0.95)), max: r(s.at(-1)) };
}

/**
 * Lateness of a 10 ms timer on this thread, tagged with the phase it fell in, and the thread's
 * event-loop utilization per phase (share of wall time spent running JS/callbacks, not waiting).
 */
function eventLoopProbe() {
  const samples = {}, busy = {}, spikes = [];
  let phase = 'idle', label = '', timer, last = performance.now(), stopped = false;
  let mark = performance.eventLoopUtilization();
  const closePhase = () => {
    const now = performance.eventLoopUtilization();
    const d = performance.eventLoopUtilization(now, mark);
    mark = now;
    const b = (busy[phase] ??= { active: 0, total: 0 });
    b.active += d.active;
    b.total += d.active + d.idle;
  };
  const tick = () => {
    const now = performance.now();
    const late = Math.max(0, now - last - 10);
    (samples[phase] ??= []).push(late);
    if (late > 20) spikes.push({ phase, during: label, ms: +late.toFixed(1) });
    last = now;
    if (!stopped) timer = setTimeout(tick, 10);
  };
  timer = setTimeout(tick, 10);
  return {
    set phase(p) { closePhase(); phase = p; },
    /** What is in flight (for the list of spikes > 20 ms). */
    set label(l) { label = l; },
    stop() {
      closePhase();
      stopped = true;
      clearTimeout(timer);
      const utilization = Object.fromEntries(Object.entries(busy).map(([k, b]) => [k, +(b.active / Math.max(1e-9, b.total)).toFixed(3)]));
      return { samples, utilization, spikes };
    },
  };
}

async function bundle(work) {
  const entry = path.join(work, 'entry.ts');
  writeFileSync(entry, `
export { TritscopeDebugSession } from ${JSON.stringify(path.join(root, 'src/debug/session'))};
export { WorkerEngineConnection } from ${JSON.stringify(path.join(root, 'src/debug/engineClient'))};
export { downsampleView } from ${JSON.stringify(path.join(root, 'src/debug/tensorMath'))};
export { peekTnnHeader } from ${JSON.stringify(path.join(root, 'src/core/format/index'))};
`);
  await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: path.join(work, 'entry.mjs'), logLevel: 'warning', banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } });
  await esbuild.build({ entryPoints: [path.join(root, 'test/fixtures/resnet-like.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: path.join(work, 'gen.cjs'), logLevel: 'warning' });
  return import(pathToFileURL(path.join(work, 'entry.mjs')).href);
}

/**
 * The activation view (dist/activations.js in Chromium, stub VS Code API) rendering the view of a
 * 1×256×56×56 output: message → 64 heatmaps painted (next animation frame), median of 10.
 */
async function renderTiming(lib, work) {
  if (!existsSync('/usr/bin/chromium')) return undefined;
  const t = { shape: [1, 256, 56, 56], data: new Float32Array(256 * 56 * 56) };
  for (let i = 0; i < t.data.length; i++) t.data[i] = Math.max(0, Math.sin(i * 0.37) * 2 + Math.cos(i * 0.011));
  const view = { index: 3, name: 'wide', label: 'wide', ...lib.downsampleView(t) };
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const dist = pathToFileURL(path.join(root, 'dist')).href;
    const html = path.join(work, 'activations.html');
    writeFileSync(html, `<!DOCTYPE html><html><head><link rel="stylesheet" href="${dist}/activations.css"></head>
<body class="vscode-dark"><div id="root"></div><script>window.acquireVsCodeApi=()=>({postMessage(){},getState(){},setState(s){window.__state=JSON.stringify(s).length;}});</script>
<script src="${dist}/activations.js"></script></body></html>`);
    await page.goto(pathToFileURL(html).href);
    await page.waitForSelector('h2', { timeout: 30_000 });
    const ms = [];
    for (let i = 0; i < 10; i++) {
      ms.push(await page.evaluate(async (m) => {
        document.querySelectorAll('canvas').forEach((c) => c.remove());
        const t0 = performance.now();
        window.postMessage(m, '*');
        await new Promise((r, reject) => {
          const check = () => (document.querySelectorAll('canvas[aria-label^="channel"]').length === m.view.channels.length ? r() : performance.now() - t0 > 10_000 ? reject(new Error('no heatmaps after 10 s')) : setTimeout(check, 0));
          check();
        });
        await new Promise((r) => requestAnimationFrame(() => r()));
        const dt = performance.now() - t0;
        return dt;
      }, { type: 'layer', view: { ...view, index: i } }));
    }
    return { jsonBytes: JSON.stringify(view).length, maps: view.channels.length, side: view.channels[0].width, renderMs: stats(ms) };
  } finally {
    await browser.close();
  }
}

export async function main(argv) {
  const arg = (k, d) => { const i = argv.indexOf(`--${k}`); return i >= 0 ? argv[i + 1] : d; };
  const json = argv.includes('--json');
  const quiet = argv.includes('--json-quiet'); // a run of mainRuns: its report is returned, not printed
  const compareFloat = !argv.includes('--no-float');
  const log = (...a) => { if (!json && !argv.includes('--json-quiet')) console.log(...a); };
  const work = mkdtempSync(path.join(tmpdir(), 'tritscope-bench-debug-large-'));
  const lib = await bundle(work);
  let model = arg('model');
  const report = { date: new Date().toISOString(), compareFloat, input: 'random:0' };
  if (!model && argv.includes('--resnet50')) model = await resnet50Tnn(Number(arg('size', '224')), log);
  if (!model) {
    model = path.join(work, 'resnet-like.tnn');
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [path.join(work, 'gen.cjs'), model, arg('trits', '25000000'), arg('size', '112')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`model generation failed: ${r.stderr}`);
    report.generateMs = +(performance.now() - t0).toFixed(0);
    report.trits = Number(/(\d+) trits/.exec(r.stdout)?.[1]);
  }
  report.model = path.basename(model);
  report.fileBytes = statSync(model).size;
  const header = await lib.peekTnnHeader(model);
  const opOf = new Map(header.graph.layers.map((l) => [l.name, l.op]));
  report.inputShape = header.graph.inputs[0]?.shape;

  const workerPath = path.join(root, 'dist/workers/inference.js');
  // In-memory streams, no socket: messages cost what they cost inline (no TCP, no Nagle delays).
  const toAdapter = new PassThrough(), fromAdapter = new PassThrough();
  const session = new lib.TritscopeDebugSession({ connect: () => new lib.WorkerEngineConnection(workerPath) });
  session.setRunAsServer(true);
  session.start(toAdapter, fromAdapter);
  const probe = eventLoopProbe();
  await new Promise((r) => setTimeout(r, 1000)); // idle baseline

  const dc = new DebugClient('node', '', 'tritscope');
  dc.defaultTimeout = 240_000;
  const layerEventBytes = [];
  dc.on('tritscope/layer', (e) => layerEventBytes.push(JSON.stringify(e).length));
  dc.connect(fromAdapter, toAdapter);
  const timings = { stepMs: [], stepUiMs: [], stepBackMs: [], convStepMs: [], convStepUiMs: [] };
  const frames = [];
  try {
    // 1. launch → first stop (model read, engine compile in the worker).
    probe.phase = 'launch';
    let t0 = performance.now();
    await Promise.all([
      dc.waitForEvent('stopped'),
      dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()),
      dc.initializeRequest().then(() => dc.launch({ model, input: report.input, stopOnEntry: true, compareFloat })),
    ]);
    report.launchToFirstStopMs = +(performance.now() - t0).toFixed(0);
    const listing = (await dc.sourceRequest({ source: { path: `tritscope-listing:${model}.listing` }, sourceReference: 0 })).body.content;
    report.layers = listing.split('\n').filter((l) => /^\s+\d+\s/.test(l)).length;
    log(`launch → first stop ${report.launchToFirstStopMs} ms`);

    // 2. F10 over every layer, as the Variables view refreshes after each stop.
    probe.phase = 'stepping';
    const outputOf = async () => {
      const frame = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
      const scopes = (await dc.scopesRequest({ frameId: frame.id })).body.scopes;
      const out = scopes.find((s) => s.name === 'Output') ?? scopes[0];
      const vars = (await dc.variablesRequest({ variablesReference: out.variablesReference })).body.variables;
      return { frame, tensor: vars.find((v) => v.type === 'tensor') };
    };
    frames.push({ ...(await outputOf()).frame });
    for (let i = 0; i < report.layers; i++) {
      probe.label = `next after ${frames.at(-1).name}`;
      const a = performance.now();
      await Promise.all([dc.waitForEvent('stopped'), dc.nextRequest({ threadId: 1 })]);
      const b = performance.now();
      probe.label = 'stackTrace/scopes/variables';
      const { frame, tensor } = await outputOf();
      const c = performance.now();
      timings.stepMs.push(b - a);
      timings.stepUiMs.push(c - a);
      // a stop shows the layer it just ran (its output in Variables)
      if (opOf.get(frame.name) === 'conv2d') { timings.convStepMs.push(b - a); timings.convStepUiMs.push(c - a); }
      const count = tensor ? Number(/^\[([\d×]+)\]/.exec(tensor.value)?.[1].split('×').reduce((x, y) => x * y, 1)) : 0;
      frames.push({ name: frame.name, line: frame.line, count, ms: +(c - a).toFixed(1) });
      if (frame.name === 'result') break;
    }
    if (frames.at(-1).name !== 'result') throw new Error(`${report.layers} steps did not reach the result line (at ${frames.at(-1).name})`);
    const slowest = frames.slice(1).reduce((m, f) => (f.ms > m.ms ? f : m));
    report.slowestStep = { layer: slowest.name, ms: slowest.ms };
    log(`stepped ${timings.stepMs.length} times; slowest: ${slowest.name} ${slowest.ms} ms`);

    // 3. stepBack from the result: cached states.
    probe.phase = 'stepBack';
    for (let i = 0; i < 5; i++) {
      t0 = performance.now();
      await Promise.all([dc.waitForEvent('stopped'), dc.stepBackRequest({ threadId: 1 })]);
      await outputOf();
      timings.stepBackMs.push(performance.now() - t0);
    }

    // 4. A fresh run (restart = new stepper) continued to the end.
    probe.phase = 'restart';
    await Promise.all([dc.waitForEvent('stopped'), dc.customRequest('restart', { arguments: { input: report.input } })]);
    probe.phase = 'continue';
    t0 = performance.now();
    const [end] = await Promise.all([dc.waitForEvent('stopped'), dc.continueRequest({ threadId: 1 })]);
    report.continueToEndMs = +(performance.now() - t0).toFixed(0);
    if (end.body.description !== 'end of inference') throw new Error(`continue stopped with ${JSON.stringify(end.body)}`);
    report.result = (await dc.customRequest('tritscope/result')).body.text;
    log(`continue → end ${report.continueToEndMs} ms: ${report.result}`);

    // 5. Breakpoint on the layer with the largest output, then its tensor expanded page by page.
    const largest = frames.filter((f) => f.count).reduce((m, f) => (f.count > m.count ? f : m));
    probe.phase = 'restart';
    await dc.setBreakpointsRequest({ source: { path: `tritscope-listing:${model}.listing` }, breakpoints: [{ line: largest.line }] });
    await Promise.all([dc.waitForEvent('stopped'), dc.customRequest('restart', { arguments: { input: report.input } })]);
    probe.phase = 'continue';
    await Promise.all([dc.waitForEvent('stopped'), dc.continueRequest({ threadId: 1 })]);
    probe.phase = 'variables';
    t0 = performance.now();
    const { frame, tensor } = await outputOf();
    if (frame.name !== largest.name) throw new Error(`breakpoint stopped at ${frame.name}, expected ${largest.name}`);
    const top = (await dc.variablesRequest({ variablesReference: tensor.variablesReference })).body.variables;
    const t1 = performance.now();
    let level = top.filter((v) => v.name.startsWith('['));
    const depth = [level.length];
    while (level[0]?.variablesReference) {
      level = (await dc.variablesRequest({ variablesReference: level[0].variablesReference, filter: 'indexed', start: 0, count: 100 })).body.variables;
      depth.push(level.length);
    }
    const t2 = performance.now();
    if (top.length > 110 || depth.some((n) => n > 100)) throw new Error(`a page holds more than 100 children: ${top.length}, ${depth}`);
    report.largestOutput = { layer: largest.name, values: largest.count, firstPageChildren: top.length, pagesToFirstValue: depth, expandMs: +(t1 - t0).toFixed(1), drillToValuesMs: +(t2 - t1).toFixed(1) };
  } finally {
    const { samples, utilization, spikes } = probe.stop();
    report.latenessSpikesOver20Ms = spikes;
    report.eventLoopLatenessMs = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, stats(v)]));
    report.eventLoopUtilization = utilization;
    await dc.disconnectRequest().catch(() => undefined);
    toAdapter.end();
  }
  report.step = stats(timings.stepMs);
  report.stepWithVariables = stats(timings.stepUiMs);
  report.stepBack = stats(timings.stepBackMs);
  report.convStep = stats(timings.convStepMs);
  report.convStepWithVariables = stats(timings.convStepUiMs);
  report.layerEventBytes = stats(layerEventBytes);
  report.perLayer = frames.slice(1).map(({ name, ms }) => ({ name, ms }));
  if (!argv.includes('--no-render')) report.activationViewRender = await renderTiming(lib, work).catch((e) => ({ error: e.message.split('\n')[0] }));

  rmSync(work, { recursive: true, force: true });
  if (quiet) return report;
  if (json) { console.log(JSON.stringify(report, null, 2)); return report; }
  const f = (s) => `${String(s.median).padStart(9)} ${String(s.p95).padStart(9)} ${String(s.max).padStart(9)}`;
  console.log(`\nmodel ${report.model}: ${report.trits?.toLocaleString() ?? '?'} trits, ${report.layers} layers, ${(report.fileBytes / 2 ** 20).toFixed(1)} MiB; compareFloat ${compareFloat}`);
  console.log(`${'(ms)'.padEnd(34)} ${'median'.padStart(9)} ${'p95'.padStart(9)} ${'max'.padStart(9)}`);
  console.log(`${'F10: next → stopped'.padEnd(34)} ${f(report.step)}`);
  console.log(`${'F10 + stack/scopes/variables'.padEnd(34)} ${f(report.stepWithVariables)}`);
  console.log(`${`F10 onto a conv (${report.convStep.n})`.padEnd(34)} ${f(report.convStep)}`);
  console.log(`${'F10 onto a conv + variables'.padEnd(34)} ${f(report.convStepWithVariables)}`);
  console.log(`${'stepBack (+ variables)'.padEnd(34)} ${f(report.stepBack)}`);
  for (const [k, s] of Object.entries(report.eventLoopLatenessMs)) console.log(`${`adapter loop lateness: ${k}`.padEnd(34)} ${f(s)}   busy ${(100 * report.eventLoopUtilization[k]).toFixed(1)} %`);
  console.log(`launch → first stop ${report.launchToFirstStopMs} ms; continue → end ${report.continueToEndMs} ms`);
  const lo = report.largestOutput;
  console.log(`largest output ${lo.layer} (${lo.values.toLocaleString()} values): ${lo.firstPageChildren} children on the first page, pages ${lo.pagesToFirstValue.join(' → ')} to the values; expand ${lo.expandMs} ms, drill down ${lo.drillToValuesMs} ms`);
  if (report.latenessSpikesOver20Ms.length) console.log(`lateness spikes > 20 ms: ${report.latenessSpikesOver20Ms.map((x) => `${x.ms} ms (${x.phase}: ${x.during})`).join('; ')}`);
  console.log(`tritscope/layer event size (bytes): median ${report.layerEventBytes.median}, max ${report.layerEventBytes.max}`);
  const r = report.activationViewRender;
  if (r?.renderMs) console.log(`activation view of a 1×256×56×56 output: ${r.maps} maps of ${r.side}×${r.side}, ${r.jsonBytes} bytes; rendered in median ${r.renderMs.median} ms, max ${r.renderMs.max} ms (Chromium)`);
  else if (r) console.log(`activation view render: ${r.error}`);
  const out = path.join(root, 'test-results', argv.includes('--resnet50') ? 'bench-debug-resnet50-run.json' : 'bench-debug-large-dap.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  console.log(`(${path.relative(root, out)})`);
  return report;
}

/**
 * `--runs N`: N sessions, each launched afresh (model read, engine compile, first stop), stepped over every
 * layer and continued to the end; prints the median over runs of each headline number (each run's own
 * numbers are medians over its steps). The activation-view render is timed in the first run only.
 */
export async function mainRuns(argv) {
  const i = argv.indexOf('--runs');
  const n = i >= 0 ? Number(argv[i + 1]) : 1;
  if (!(n > 1)) return main(argv);
  const rest = argv.filter((a, k) => k !== i && k !== i + 1 && a !== '--json');
  const reports = [];
  for (let r = 0; r < n; r++) {
    console.log(`run ${r + 1}/${n}…`);
    reports.push(await main([...rest, '--json-quiet', ...(r ? ['--no-render'] : [])]));
  }
  const med = (xs) => stats(xs.filter((x) => Number.isFinite(x))).median;
  const first = reports[0];
  const summary = {
    date: new Date().toISOString(), model: first.model, inputShape: first.inputShape, layers: first.layers, fileBytes: first.fileBytes,
    compareFloat: first.compareFloat, runs: n,
    launchToFirstStopMs: med(reports.map((x) => x.launchToFirstStopMs)),
    stepMedianMs: med(reports.map((x) => x.step.median)),
    stepWithVariablesMedianMs: med(reports.map((x) => x.stepWithVariables.median)),
    convStepMedianMs: med(reports.map((x) => x.convStep.median)),
    convStepWithVariablesMedianMs: med(reports.map((x) => x.convStepWithVariables.median)),
    convStepWithVariablesMaxMs: med(reports.map((x) => x.convStepWithVariables.max)),
    slowestStepMs: med(reports.map((x) => x.slowestStep.ms)),
    continueToEndMs: med(reports.map((x) => x.continueToEndMs)),
    perRun: reports.map((x) => ({ launchToFirstStopMs: x.launchToFirstStopMs, convStep: x.convStepWithVariables, step: x.stepWithVariables, slowestStep: x.slowestStep, continueToEndMs: x.continueToEndMs })),
    activationViewRender: first.activationViewRender,
    result: first.result,
  };
  if (argv.includes('--json')) console.log(JSON.stringify(summary, null, 2));
  else {
    console.log(`\nmodel ${summary.model} (input ${summary.inputShape?.join('×')}), ${summary.layers} layers, compareFloat ${summary.compareFloat}: medians over ${n} runs (ms)`);
    for (const k of ['launchToFirstStopMs', 'stepMedianMs', 'stepWithVariablesMedianMs', 'convStepMedianMs', 'convStepWithVariablesMedianMs', 'convStepWithVariablesMaxMs', 'slowestStepMs', 'continueToEndMs']) console.log(`  ${k.padEnd(32)} ${summary[k]}`);
  }
  const out = path.join(root, 'test-results', argv.includes('--resnet50') ? 'bench-debug-resnet50.json' : 'bench-debug-large-runs.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(summary, null, 2) + '\n');
  console.log(`(${path.relative(root, out)})`);
  return summary;
}
