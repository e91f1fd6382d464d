// GGUF scale benchmark (`npm run bench:editor -- --gguf`): generates a synthetic
// BitNet-b1.58-2B-shaped GGUF (30 blocks, hidden 2560, FFN 6912, 5 KV heads of 128,
// vocabulary 128256; matrices TQ1_0, token embedding F16, tied output; ≈ 2.4 B
// parameters, ≈ 1.1 GB), streamed to .cache/bench-gguf/ (kept between runs unless
// --clean), then measures, each in a fresh child process:
//   table = header read + tensor listing + block grouping + header facts (reads only the header)
//   stats = full streaming statistics (computeWeightsStats), and the child's peak RSS
//   read  = a plain read of the whole file in the same 16 MiB chunks, from page cache
//   viewer (1 and 2 threads) = the model viewer's path: the extension host's InspectClient starts the inspect worker
//           (dist/workers/inspect.js, memory limits), which reads the header and builds the view, then streams the
//           statistics (2 threads: a helper worker counts half the file); every message is serialized as the host
//           would post it; peak RSS of that process = extension-host side + workers
//   webview = the viewer's default path with its messages relayed live into dist/webview.js in Chromium
//           (statistics start when the webview reports the table drawn, as provider.ts does): open → table in the DOM, and
//           open → last statistics applied, as the webview sees them (epoch clocks of both processes)
// and prints medians and stats/read. Goals: table < 1 s, stats ≤ 5 s, peak RSS < 500 MB.
// Options: --runs N (default 3), --clean (delete the file afterwards), --keep-bundle, --no-webview,
// --screenshot <dir> (the viewer with full statistics, dark theme).
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, writeSync, renameSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : dflt; };
const runs = Number(arg('--runs', '3'));
const work = mkdtempSync(path.join(tmpdir(), 'tritscope-bench-gguf-'));
const cacheDir = path.join(root, '.cache', 'bench-gguf');
const file = path.join(cacheDir, 'bitnet-2b-shaped-tq1_0.gguf');

const entry = path.join(work, 'entry.ts');
writeFileSync(entry, `
export { readGgufListing } from ${JSON.stringify(path.join(root, 'src/core/gguf/listing'))};
export { computeWeightsStats } from ${JSON.stringify(path.join(root, 'src/core/weights/stats'))};
export { groupByBlock } from ${JSON.stringify(path.join(root, 'src/core/weights/grouping'))};
export { modelFacts } from ${JSON.stringify(path.join(root, 'src/core/weights/facts'))};
export { tokenCost } from ${JSON.stringify(path.join(root, 'src/core/weights/token-cost'))};
export { ggufHeader } from ${JSON.stringify(path.join(root, 'test/unit/gguf/writer'))};
export { numberToF16 } from ${JSON.stringify(path.join(root, 'src/core/weights/half'))};
export { InspectClient } from ${JSON.stringify(path.join(root, 'src/extension/editor/inspectClient'))};
`);
await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: path.join(work, 'entry.mjs'), logLevel: 'warning' });
const lib = await import(pathToFileURL(path.join(work, 'entry.mjs')).href);

// ---- the model shape (microsoft/bitnet-b1.58-2B-4T config: 30 layers, 2560 hidden, 6912 FFN, 20 heads, 5 KV heads)
const H = 2560, F = 6912, KV = 640, L = 30, V = 128256;
function tensors() {
  const t = [{ name: 'token_embd.weight', ne: [H, V], typeId: 1 }];
  for (let b = 0; b < L; b++) {
    const p = `blk.${b}.`;
    t.push({ name: p + 'attn_norm.weight', ne: [H], typeId: 0 }, { name: p + 'attn_q.weight', ne: [H, H], typeId: 34 }, { name: p + 'attn_k.weight', ne: [H, KV], typeId: 34 },
      { name: p + 'attn_v.weight', ne: [H, KV], typeId: 34 }, { name: p + 'attn_sub_norm.weight', ne: [H], typeId: 0 }, { name: p + 'attn_output.weight', ne: [H, H], typeId: 34 },
      { name: p + 'ffn_norm.weight', ne: [H], typeId: 0 }, { name: p + 'ffn_gate.weight', ne: [H, F], typeId: 34 }, { name: p + 'ffn_up.weight', ne: [H, F], typeId: 34 },
      { name: p + 'ffn_sub_norm.weight', ne: [F], typeId: 0 }, { name: p + 'ffn_down.weight', ne: [F, H], typeId: 34 });
  }
  t.push({ name: 'output_norm.weight', ne: [H], typeId: 0 });
  return t.map((x) => {
    const n = x.ne.reduce((a, b) => a * b, 1);
    return { ...x, elements: n, byteLength: x.typeId === 34 ? (n / 256) * 54 : x.typeId === 1 ? 2 * n : 4 * n };
  });
}

// ---- streamed generation: TQ1_0 blocks from random base-3 digits with quantize_row_tq1_0_ref's 256/243 ceiling rescale
function xorshift(seed) { let x = seed >>> 0 || 1; return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; return (x >>>= 0); }; }
const QS = Uint8Array.from({ length: 243 }, (_, q) => Math.floor((q * 256 + 242) / 243));
const QH = Uint8Array.from({ length: 81 }, (_, q) => Math.floor((q * 3 * 256 + 242) / 243));
const NEG = new Uint8Array(243), POS = new Uint8Array(243);
for (let q = 0; q < 243; q++) for (let r = q, i = 0; i < 5; i++, r = Math.floor(r / 3)) { if (r % 3 === 0) NEG[q]++; else if (r % 3 === 2) POS[q]++; }

function generate() {
  const list = tensors();
  const kvs = {
    'general.architecture': { type: 'string', value: 'bitnet' }, 'general.name': { type: 'string', value: 'bitnet-2b-shaped synthetic' },
    'general.alignment': { type: 'u32', value: 32 }, 'bitnet.context_length': { type: 'u32', value: 4096 }, 'bitnet.block_count': { type: 'u32', value: L },
    'bitnet.embedding_length': { type: 'u32', value: H }, 'bitnet.feed_forward_length': { type: 'u32', value: F },
    'tokenizer.ggml.tokens': { type: 'array', elementType: 'string', value: Array.from({ length: V }, (_, i) => `t${i}`) },
  };
  const { header, offsets } = lib.ggufHeader(kvs, list);
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  const rnd = xorshift(12345);
  const counts = { neg: 0, zero: 0, pos: 0 };
  const chunk = new Uint8Array(16 << 20);
  let pos = 0;
  const put = (bytes) => { writeSync(fd, bytes, 0, bytes.length, pos); pos += bytes.length; };
  put(header);
  const f16 = Uint16Array.from({ length: 1024 }, (_, i) => lib.numberToF16(((i % 512) - 256) / 4096));
  list.forEach((t, i) => {
    const start = header.length + offsets[i];
    if (pos < start) put(new Uint8Array(start - pos));
    if (t.typeId === 34) {
      const perChunk = Math.floor(chunk.length / 54);
      for (let b = 0, nb = t.elements / 256; b < nb; b += perChunk) {
        const n = Math.min(perChunk, nb - b);
        for (let k = 0; k < n; k++) {
          const o = k * 54;
          for (let j = 0; j < 48; j++) { const q = rnd() % 243; chunk[o + j] = QS[q]; counts.neg += NEG[q]; counts.pos += POS[q]; }
          // q < 81 has four base-3 digits; NEG[q] also counts its always-zero fifth digit, hence − 1.
          for (let j = 0; j < 4; j++) { const q = rnd() % 81; chunk[o + 48 + j] = QH[q]; counts.neg += NEG[q] - 1; counts.pos += POS[q]; }
          const d = lib.numberToF16(0.5 + (rnd() % 1024) / 2048);
          chunk[o + 52] = d & 0xff; chunk[o + 53] = d >> 8;
        }
        put(chunk.subarray(0, n * 54));
      }
      counts.zero += t.elements; // fixed up below
    } else if (t.typeId === 1) {
      const words = new Uint16Array(chunk.buffer, 0, chunk.length / 2);
      for (let e = 0; e < t.elements; e += words.length) {
        const n = Math.min(words.length, t.elements - e);
        for (let k = 0; k < n; k++) words[k] = f16[rnd() & 1023];
        put(chunk.subarray(0, 2 * n));
      }
    } else {
      put(new Uint8Array(new Float32Array(t.elements).fill(1).buffer));
    }
  });
  closeSync(fd);
  counts.zero -= counts.neg + counts.pos;
  renameSync(tmp, file);
  writeFileSync(`${file}.json`, JSON.stringify({ bytes: pos, counts }));
}

const expectedBytes = (() => { const l = tensors(); return l.reduce((s, t) => Math.ceil(s / 32) * 32 + t.byteLength, 0); })();
if (!existsSync(`${file}.json`) || !existsSync(file) || statSync(file).size < expectedBytes) {
  const t0 = performance.now();
  generate();
  console.log(`generated ${file} (${(statSync(file).size / 1e9).toFixed(2)} GB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
const known = JSON.parse(readFileSync(`${file}.json`, 'utf8'));

// ---- measurements, each in a fresh child process
const child = path.join(work, 'child.mjs');
writeFileSync(child, `
import { open } from 'node:fs/promises';
const lib = await import(${JSON.stringify(pathToFileURL(path.join(work, 'entry.mjs')).href)});
const [mode, file] = process.argv.slice(2);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
let extra = {};
if (mode === 'table') {
  const listing = await lib.readGgufListing(file);
  const groups = lib.groupByBlock(listing);
  const facts = lib.modelFacts(listing);
  const cost = lib.tokenCost(listing, { bandwidthGBs: 50 });
  extra = { tensors: listing.tensors.length, groups: groups.length, parameters: facts.parameters, headerBytes: listing.headerBytes, tokensPerSecond: cost.tokensPerSecond };
} else if (mode === 'stats') {
  const listing = await lib.readGgufListing(file);
  const stats = await lib.computeWeightsStats(listing);
  const c = { neg: 0, zero: 0, pos: 0 };
  for (const t of stats.tensors) if (t.ternary && t.trits) { c.neg += t.trits.neg; c.zero += t.trits.zero; c.pos += t.trits.pos; }
  extra = { counts: c, bytesRead: stats.bytesRead };
} else if (mode === 'viewer') {
  // The extension host's side of the viewer; with --relay each message is printed for the webview run.
  const threads = Number(process.argv[4]) || undefined; // 0: the viewer's default
  const relay = process.argv.includes('--relay');
  const at = () => performance.timeOrigin + performance.now();
  const say = (m) => { const text = JSON.stringify(m); if (relay) process.stdout.write('MSG ' + text + '\\n'); return text.length; };
  const openAt = at();
  if (relay) console.log('OPEN ' + openAt);
  const client = new lib.InspectClient(${JSON.stringify(root)});
  const opened = await client.open(file, null);
  let messageBytes = say({ type: 'weights', view: opened.view, stats: { rows: [], progress: null, done: null, error: null }, bandwidthGBs: 50 });
  const tableMs = at() - openAt;
  // As the extension host does (provider.ts): the pass starts when the webview says the table is drawn, or after 1 s.
  if (relay) await new Promise((resolve) => {
    const t = setTimeout(resolve, 1000);
    process.stdin.once('data', () => { clearTimeout(t); resolve(); });
  });
  process.stdin.unref?.();
  let messages = 1, maxGapMs = 0, lastAt = at();
  const done = await client.weightsStats((p) => {
    messages++;
    messageBytes += say({ type: 'weightsProgress', progress: p });
    const now = at();
    maxGapMs = Math.max(maxGapMs, now - lastAt);
    lastAt = now;
  }, undefined, threads);
  messageBytes += say({ type: 'weightsDone', done });
  const statsMs = at() - openAt;
  client.dispose();
  const c = done.tritCounts;
  extra = { tableMs, statsMs, workerStatsMs: done.elapsedMs, messages, messageBytes, maxGapMs, counts: { neg: c.neg, zero: c.zero, pos: c.pos }, bytesRead: done.bytesRead };
} else {
  const h = await open(file, 'r');
  const buf = new Uint8Array(16 << 20);
  let total = 0, n;
  while ((n = (await h.read(buf, 0, buf.length, total)).bytesRead) > 0) total += n;
  await h.close();
  extra = { bytesRead: total };
}
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMB: process.resourceUsage().maxRSS / 1024, ...extra }));
`);
const measure = (mode, ...more) => {
  const r = spawnSync(process.execPath, [child, mode, file, ...more], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`${mode} child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
measure('read'); // warm the page cache
const table = [], stats = [], read = [], viewer1 = [], viewer2 = [], webview = [];
const { relayRun, closeBrowser } = process.argv.includes('--no-webview') ? {} : await import('./bench-gguf-webview.mjs');
for (let i = 0; i < runs; i++) {
  read.push(measure('read'));
  table.push(measure('table'));
  stats.push(measure('stats'));
  viewer1.push(measure('viewer', '1'));
  viewer2.push(measure('viewer', '2'));
  if (relayRun) webview.push(await relayRun({ root, child, file, work, shot: i === runs - 1 ? arg('--screenshot', null) : null }));
}
await closeBrowser?.();
const s0 = stats[0];
const countsMatch = [s0, ...viewer1, ...viewer2].every((x) => JSON.stringify(x.counts) === JSON.stringify(known.counts));
const med = (xs, k) => (xs.length ? median(xs.map((x) => x[k])) : null);
const report = {
  file, fileBytes: statSync(file).size, parameters: table[0].parameters, tensors: table[0].tensors, headerBytes: table[0].headerBytes, runs,
  tableMs: median(table.map((x) => x.ms)), statsMs: median(stats.map((x) => x.ms)), plainReadMs: median(read.map((x) => x.ms)),
  statsCpuMs: median(stats.map((x) => x.cpuMs)), tableCpuMs: median(table.map((x) => x.cpuMs)), readCpuMs: median(read.map((x) => x.cpuMs)),
  statsPeakRssMB: median(stats.map((x) => x.peakRssMB)), tablePeakRssMB: median(table.map((x) => x.peakRssMB)),
  tritCountsMatchGenerator: countsMatch, all: { table: table.map((x) => Math.round(x.ms)), stats: stats.map((x) => Math.round(x.ms)), read: read.map((x) => Math.round(x.ms)) },
  viewer: {
    oneThread: { tableMs: med(viewer1, 'tableMs'), statsMs: med(viewer1, 'statsMs'), cpuMs: med(viewer1, 'cpuMs'), peakRssMB: med(viewer1, 'peakRssMB'), all: viewer1.map((x) => Math.round(x.statsMs)) },
    twoThreads: { tableMs: med(viewer2, 'tableMs'), statsMs: med(viewer2, 'statsMs'), cpuMs: med(viewer2, 'cpuMs'), peakRssMB: med(viewer2, 'peakRssMB'), all: viewer2.map((x) => Math.round(x.statsMs)) },
    messages: viewer2[0]?.messages, messageBytes: viewer2[0]?.messageBytes, maxProgressGapMs: med(viewer2, 'maxGapMs'),
    // hostStatsMs: the same run's open → last message on the host side (what the webview adds is the rest).
    webview: webview.length ? { openToTableMs: med(webview, 'openToTableMs'), openToFullStatsMs: med(webview, 'openToFullStatsMs'), hostStatsMs: med(webview, 'hostStatsMs'), peakRssMB: med(webview, 'peakRssMB'), all: webview.map((x) => [Math.round(x.openToTableMs), Math.round(x.openToFullStatsMs), Math.round(x.hostStatsMs)]) } : null,
  },
};
report.statsToReadRatio = report.statsMs / report.plainReadMs;
report.viewer.statsToReadRatio = report.viewer.oneThread.statsMs / report.plainReadMs;
report.viewer.twoThreadsToReadRatio = report.viewer.twoThreads.statsMs / report.plainReadMs;
report.cores = os.availableParallelism();
report.loadAverage = os.loadavg()[0];
console.log(JSON.stringify(report, null, 2));
console.log(`2.4 B-parameter GGUF (${(report.fileBytes / 1e9).toFixed(2)} GB): table ${report.tableMs.toFixed(0)} ms (goal < 1000), full statistics ${(report.statsMs / 1000).toFixed(2)} s (goal ≤ 5) = ${report.statsToReadRatio.toFixed(1)}× a plain read (${report.plainReadMs.toFixed(0)} ms), peak RSS ${report.statsPeakRssMB.toFixed(0)} MB (goal < 500); CPU time ${report.statsCpuMs.toFixed(0)} ms for the statistics (load average ${report.loadAverage.toFixed(1)}); trit counts ${countsMatch ? 'match' : 'DO NOT match'} the generator`);
const v = report.viewer, w = v.webview;
console.log(`viewer (extension host + inspect worker): table ${v.oneThread.tableMs.toFixed(0)} ms, full statistics ${(v.oneThread.statsMs / 1000).toFixed(2)} s = ${v.statsToReadRatio.toFixed(1)}× the plain read with 1 thread, ${(v.twoThreads.statsMs / 1000).toFixed(2)} s with a helper worker (${os.availableParallelism()} cores here; the default splits above 2), peak RSS host + workers ${v.oneThread.peakRssMB.toFixed(0)} MB (2 threads ${v.twoThreads.peakRssMB.toFixed(0)} MB), ${v.messages} messages (${(v.messageBytes / 1024).toFixed(0)} KiB)${
  w ? `; as the webview sees it: open → table ${w.openToTableMs.toFixed(0)} ms, open → full statistics ${(w.openToFullStatsMs / 1000).toFixed(2)} s` : ''}`);
if (!process.argv.includes('--keep-bundle')) rmSync(work, { recursive: true, force: true });
if (process.argv.includes('--clean')) { rmSync(file, { force: true }); rmSync(`${file}.json`, { force: true }); }
if (!countsMatch) process.exit(1);
