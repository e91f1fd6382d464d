// Cancels `tritscope quantize` at random moments and lists the output folder after each run (issue #15, defect 6).
//
//   node scripts/cancel-trials.mjs [--runs 20] [--seed 15] [--units 2048] [--layers 8] [--json file]
//
// The model is a synthetic TF.js MLP (`--layers` dense layers of `--units`×`--units`, 16 MB each at 2048: with the
// latent weights kept the .tnn is ~130 MB), so a post-training run spends measurable time in every phase: loading,
// ternarizing layer by layer, serializing, writing the temp file, renaming. Each run draws a delay in
// [0, the fastest of three uncancelled runs] (or, for half the runs, in [0, 400 ms] after the CLI announced its temp
// file, so that the short writing phase is hit too) and one of five ways to stop:
//   SIGINT             one Ctrl+C in a terminal
//   SIGINT×2           two Ctrl+C, 5 ms apart
//   SIGTERM            `kill`
//   extension          what "Quantize to ternary"'s Cancel does: SIGTERM, SIGKILL after 700 ms, then remove the temp
//                      files the CLI announced on its --progress json stream (src/extension/quantize/jobTemps.ts)
//   SIGKILL            the extension's last resort at once, then the same removal
// and records the exit code (128 + signal, or 0 when the signal came after the rename), the phase the CLI had
// reached (its last progress line), and the folder listing afterwards. A run passes when the folder holds no temp
// file, an output that is there is complete, exit 0 comes with an output and an exit 128+n without one unless the
// signal was a SIGKILL that landed after the rename (no process can report that one). A run that finished before its signal is listed but
// not counted (it cancelled nothing); the script draws until --runs real cancels. It ends with a Markdown table.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, def) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : def);
const RUNS = Number(opt('runs', 20));
const UNITS = Number(opt('units', 2048));
const LAYERS = Number(opt('layers', 8));
const GRACE_MS = 700;
let seed = Number(opt('seed', 15)) >>> 0;
const random = () => {
  // mulberry32, as src/core/rng.ts
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

function writeModel(dir) {
  mkdirSync(dir, { recursive: true });
  const layers = [{ class_name: 'InputLayer', config: { name: 'input', batch_input_shape: [null, UNITS], dtype: 'float32' } }];
  const weights = [];
  for (let i = 0; i < LAYERS; i++) {
    layers.push({ class_name: 'Dense', config: { name: `d${i}`, units: UNITS, activation: i === LAYERS - 1 ? 'linear' : 'relu', use_bias: true } });
    weights.push({ name: `d${i}/kernel`, shape: [UNITS, UNITS], dtype: 'float32' }, { name: `d${i}/bias`, shape: [UNITS], dtype: 'float32' });
  }
  const json = { format: 'layers-model', modelTopology: { class_name: 'Sequential', config: { name: 'big_mlp', layers } }, weightsManifest: [{ paths: ['weights.bin'], weights }] };
  const floats = new Float32Array(LAYERS * (UNITS * UNITS + UNITS));
  for (let i = 0; i < floats.length; i++) floats[i] = (random() - 0.5) * 0.1;
  writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(floats.buffer));
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  return path.join(dir, 'model.json');
}

function quantize(model, out) {
  const child = spawn(process.execPath, [path.join(root, 'dist/cli.js'), 'quantize', model, '-o', out, '--progress', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const r = { child, temps: new Set(), phase: 'starting', stderr: '', t0: Date.now() };
  r.announced = new Promise((resolve) => { r.onAnnounce = resolve; child.on('close', resolve); });
  let buf = '';
  child.stdout.setEncoding('utf8').on('data', (s) => {
    buf += s;
    for (let nl; (nl = buf.indexOf('\n')) >= 0; ) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        const e = JSON.parse(line);
        if (e.temp) {
          r.temps.add(e.temp);
          r.phase = 'writing the temp file';
          r.onAnnounce();
        } else if (e.type === 'progress') r.phase = `ternarizing (${e.step}/${e.steps})`;
        else if (e.type === 'done') r.phase = 'done';
      } catch {
        /* not JSON */
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (s) => { r.stderr += s; });
  r.exit = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, ms: Date.now() - r.t0 })));
  return r;
}

/** The folder's entries with sizes; temp files flagged. */
function listing(dir) {
  return readdirSync(dir).sort().map((n) => ({ name: n, bytes: lstatSync(path.join(dir, n)).size, temp: n.endsWith('.tmp') }));
}

const work = mkdtempSync(path.join(tmpdir(), 'tritscope-cancel-'));
try {
  if (!existsSync(path.join(root, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: run node esbuild.mjs');
  const model = writeModel(path.join(work, 'model'));
  const outDir = path.join(work, 'out');
  mkdirSync(outDir);
  // Three uncancelled runs; the fastest gives the range the delays are drawn from (a signal after the exit cancels nothing).
  let full = Infinity;
  let refBytes = 0;
  for (let k = 0; k < 3; k++) {
    const ref = quantize(model, path.join(outDir, 'reference.tnn'));
    const refExit = await ref.exit;
    if (refExit.code !== 0) throw new Error(`the uncancelled run failed (${refExit.code}): ${ref.stderr}`);
    full = Math.min(full, refExit.ms);
    refBytes = lstatSync(path.join(outDir, 'reference.tnn')).size;
    rmSync(path.join(outDir, 'reference.tnn'));
  }
  console.log(`model: ${LAYERS} dense layers of ${UNITS}×${UNITS} (${((LAYERS * UNITS * UNITS * 4) / 2 ** 20).toFixed(0)} MB of weights); fastest of 3 uncancelled runs ${full} ms, .tnn ${(refBytes / 2 ** 20).toFixed(1)} MB\n`);

  const ways = ['SIGINT', 'SIGINT×2', 'SIGTERM', 'extension', 'SIGKILL'];
  const rows = [];
  let tooLate = 0;
  for (let i = 0; rows.length < RUNS && i < RUNS * 3; i++) {
    const out = path.join(outDir, `run-${String(i + 1).padStart(2, '0')}.tnn`);
    // Half the runs draw their moment over the whole run, half within 400 ms after the temp file was announced (the
    // writing and the rename take a small part of the run, and are where a temp file can be left).
    const anchor = random() < 0.5 ? 'start' : 'temp';
    const way = ways[Math.floor(random() * ways.length)];
    const offset = Math.round(random() * (anchor === 'start' ? full : 400));
    const r = quantize(model, out);
    if (anchor === 'temp') await r.announced;
    await new Promise((res) => setTimeout(res, offset));
    const delay = Date.now() - r.t0;
    if (r.child.exitCode !== null || r.child.signalCode !== null) {
      // Finished before the signal: not a cancel; not counted, but the folder is still checked below.
      tooLate++;
    }
    const cancelled = r.child.exitCode === null && r.child.signalCode === null;
    const phase = r.phase;
    let killed = false;
    if (cancelled) {
      if (way === 'extension') {
        r.child.kill('SIGTERM');
        const timer = setTimeout(() => { killed = r.child.kill('SIGKILL'); }, GRACE_MS);
        r.exit.then(() => clearTimeout(timer));
      } else if (way === 'SIGINT×2') {
        r.child.kill('SIGINT');
        setTimeout(() => r.child.kill('SIGINT'), 5);
      } else {
        killed = way === 'SIGKILL';
        r.child.kill(way);
      }
    }
    const x = await r.exit;
    let removed = [];
    if (way === 'extension' || way === 'SIGKILL') {
      // The extension's clean-up after the exit (jobTemps.ts): the announced temps of this output that are still there.
      removed = [...r.temps].filter((t) => path.dirname(t) === outDir && path.basename(t).startsWith(`${path.basename(out)}.`) && t.endsWith('.tmp') && existsSync(t));
      for (const t of removed) rmSync(t);
    }
    const files = listing(outDir); // the whole folder: a temp left by an earlier run shows here too
    const code = x.code ?? 128 + ({ SIGKILL: 9, SIGTERM: 15, SIGINT: 2 }[x.signal] ?? 0);
    const hasOutput = files.some((f) => f.name === path.basename(out));
    const temps = files.filter((f) => f.temp).map((f) => f.name);
    // An output present must be complete (the reference's size), and exit 0 must mean there is one; a SIGKILL
    // between the rename and the exit leaves a complete output with exit 137, which the extension reports as such.
    const complete = hasOutput && files.find((f) => f.name === path.basename(out)).bytes === refBytes;
    const ok = temps.length === 0 && (hasOutput ? complete && (code === 0 || x.signal === 'SIGKILL') : code !== 0);
    const lines = files.length ? files.map((f) => `${f.name} ${f.bytes} B`).join(', ') : 'empty';
    const tag = cancelled ? `#${String(rows.length + 1).padStart(2)}` : ' --';
    console.log(`${tag} ${String(delay).padStart(5)} ms ${way.padEnd(9)} during ${phase.padEnd(24)} → exit ${code}${killed ? ' (SIGKILL)' : ''}${cancelled ? `, stopped ${x.ms - delay} ms later` : ' (had finished: not counted)'}; folder: ${lines}${removed.length ? `; parent removed ${removed.length} temp` : ''} ${ok ? 'ok' : 'FAIL'}`);
    if (cancelled || !ok) rows.push({ run: rows.length + 1, delayMs: delay, anchor, offsetMs: offset, way, phase, code, signal: x.signal, killed, cancelled, stopMs: x.ms - delay, files: files.map((f) => `${f.name} (${f.bytes} B)`), tempsLeft: temps, removedByParent: removed.map((t) => path.basename(t)), output: hasOutput, ok });
    rmSync(out, { force: true });
  }
  const failed = rows.filter((r) => !r.ok).length;
  console.log(`\n${rows.length - failed}/${rows.length} cancelled runs passed (no temp file; an output only complete, and with exit 0 unless SIGKILLed after the rename) (${tooLate} runs finished before their signal, not counted)\n`);
  // The summary as a Markdown table (docs/cancellation.md).
  console.log('| way | runs | output written (exit 0) | output written (exit 128+n) | no output (exit 128+n) | temp files left | temps removed by the parent | failed |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const way of [...ways, 'all']) {
    const rs = rows.filter((r) => way === 'all' || r.way === way);
    const count = (f) => rs.filter(f).length;
    const n = (v) => (way === 'all' ? `**${v}**` : String(v));
    console.log(`| ${way} | ${n(rs.length)} | ${n(count((r) => r.output && r.code === 0))} | ${n(count((r) => r.output && r.code !== 0))} | ${n(count((r) => !r.output && r.code > 128))} | ${n(rs.reduce((a, r) => a + r.tempsLeft.length, 0))} | ${n(rs.reduce((a, r) => a + r.removedByParent.length, 0))} | ${n(count((r) => !r.ok))} |`);
  }
  if (opt('json')) writeFileSync(opt('json'), JSON.stringify({ date: new Date().toISOString(), units: UNITS, layers: LAYERS, fullMs: full, tnnBytes: refBytes, tooLate, rows }, null, 2) + '\n');
  process.exitCode = failed || rows.length < RUNS ? 1 : 0;
} finally {
  rmSync(work, { recursive: true, force: true });
}
