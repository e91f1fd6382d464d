// Debugger step latency: drives the standalone adapter (dist/debugAdapter.js)
// over DAP like VS Code does after each F10 — `next`, wait for `stopped`, then
// stackTrace + scopes + the Output scope's variables — and reports the time per
// step. `node esbuild.mjs && node scripts/bench-debug.mjs [--model m.tnn] [--input spec] [--rounds N]`.
// Without --model it uses samples/models/fashion-cnn.tnn, or, when that is
// absent, a synthetic CNN of the same architecture (test/unit/debug/fashion-like-model.ts).
// `--large [--json] [--no-float] [--trits N] [--resnet50 [--size S]] [--runs N]`: the ResNet-scale runs of
// scripts/bench-debug-large.mjs (the synthetic 25 M-trit model, or torchvision ResNet-50).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import * as esbuild from 'esbuild';
import { DebugClient } from '@vscode/debugadapter-testsupport';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const argv = process.argv.slice(2);
if (argv.includes('--large')) await (await import('./bench-debug-large.mjs')).mainRuns(argv);
else await smallModel();

async function smallModel() {
  const arg = (k, d) => { const i = argv.indexOf(`--${k}`); return i >= 0 ? argv[i + 1] : d; };
  const rounds = Number(arg('rounds', '5'));
  const tmp = mkdtempSync(path.join(tmpdir(), 'tritscope-bench-debug-'));
  let model = arg('model', path.join(root, 'samples/models/fashion-cnn.tnn'));
  let input = arg('input', 'fashion-mnist:test#0');
  if (!arg('model') && !existsSync(model)) {
    const gen = path.join(tmp, 'gen.cjs');
    await esbuild.build({ entryPoints: [path.join(root, 'test/unit/debug/fashion-like-model.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: gen, logLevel: 'warning' });
    model = path.join(tmp, 'fashion-like.tnn');
    const r = spawnSync(process.execPath, [gen, model], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(1);
    console.log('samples/models/fashion-cnn.tnn not found: using a synthetic CNN of the same architecture');
  }

  const dc = new DebugClient('node', path.join(root, 'dist/debugAdapter.js'), 'tritscope');
  dc.defaultTimeout = 60000;
  await dc.start();
  const stepTimes = [], uiTimes = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const stopped = dc.waitForEvent('stopped');
      const t0 = performance.now();
      if (round === 0) {
        await Promise.all([
          dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()),
          dc.initializeRequest().then(() => dc.launch({ model, input, stopOnEntry: true, compareFloat: true })),
        ]);
      } else await dc.customRequest('restart', { arguments: { model, input } });
      await stopped;
      if (round === 0) console.log(`launch → first stop: ${(performance.now() - t0).toFixed(1)} ms (model load, engine compile, float reference)`);
      const layers = (await dc.sourceRequest({ source: { path: `tritscope-listing:${model}.listing` }, sourceReference: 0 })).body.content.split('\n').filter((l) => /^\s+\d+\s/.test(l)).length;
      for (let i = 0; i < layers; i++) {
        const a = performance.now();
        const [ev] = await Promise.all([dc.waitForEvent('stopped').catch(() => undefined), dc.nextRequest({ threadId: 1 })]);
        const b = performance.now();
        const frame = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
        const scopes = (await dc.scopesRequest({ frameId: frame.id })).body.scopes;
        const out = scopes.find((s) => s.name === 'Output') ?? scopes[0];
        await dc.variablesRequest({ variablesReference: out.variablesReference });
        const c = performance.now();
        if (!ev) break;
        stepTimes.push(b - a);
        uiTimes.push(c - a);
      }
    }
  } finally {
    await dc.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return `median ${s[Math.floor(s.length / 2)].toFixed(2)} ms, p95 ${s[Math.floor(s.length * 0.95)].toFixed(2)} ms, max ${s.at(-1).toFixed(2)} ms`;
  };
  console.log(`model ${path.basename(model)}, input ${input}, ${stepTimes.length} steps over ${rounds} runs`);
  console.log(`next → stopped:                         ${stats(stepTimes)}`);
  console.log(`next → stopped + stack/scopes/variables: ${stats(uiTimes)}`);
  const median = [...uiTimes].sort((a, b) => a - b)[Math.floor(uiTimes.length / 2)];
  console.log(median < 50 ? 'OK: median step under 50 ms' : 'SLOW: median step over 50 ms');
}
