// Extension-host responsiveness while a QAT job trains, in a real VS Code (code-server).
//
//   node esbuild.mjs && node scripts/bench-responsiveness.mjs [--probes N] [--skip-package] [--debug-large]
//
// Runs only the integration test "responsiveness benchmark" (test/integration/suite/quantize.test.ts):
// N rounds of three probes idle, then N rounds while `tritscope quantize --qat` trains in its child
// process: a command round trip (setContext: host → workbench → host), a workspace findFiles, and
// the lateness of a 0 ms timer on the host's event loop. Prints median / p90 / max per probe and the
// training/idle ratio of the medians; the raw summary is test-results/bench-responsiveness.json.
//
// --debug-large (npm run bench:debug): the same probes while the debugger steps (F10) and continues
// through the ~25 M-trit ResNet-like model (test/integration/suite/debug-large.test.ts, activation
// view open); the raw summary is test-results/bench-debug-large.json. `--steps N` F10 presses before
// the continue (default 24 of the 47 layers), `--view closed` closes the activation view (A/B).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const i = argv.indexOf('--probes');
const debugLarge = argv.includes('--debug-large');
const opt = (k, d) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : d);
const probes = i >= 0 ? Number(argv[i + 1]) : debugLarge ? 40 : 200;
if (!Number.isInteger(probes) || probes < 5) {
  console.error(`bench-responsiveness: --probes expects an integer ≥ 5, got '${argv[i + 1]}'`);
  process.exit(2);
}
const resultFile = path.join(repoRoot, 'test-results', debugLarge ? 'bench-debug-large.json' : 'bench-responsiveness.json');
const startedAt = Date.now();
const harnessArgs = ['test/run-codeserver.mjs', '--grep', debugLarge ? 'debugger on a large model' : 'responsiveness benchmark', '--no-e2e'];
if (argv.includes('--skip-package')) harnessArgs.push('--skip-package');
const r = spawnSync(process.execPath, harnessArgs, {
  cwd: repoRoot,
  stdio: ['ignore', 'pipe', 'inherit'],
  encoding: 'utf8',
  env: {
    ...process.env,
    TRITSCOPE_BENCH_PROBES: String(probes),
    ...(debugLarge ? { TRITSCOPE_DEBUG_LARGE_STEPS: opt('--steps', '24'), TRITSCOPE_DEBUG_LARGE_VIEW: opt('--view', 'open') } : {}),
  },
});
const fresh = existsSync(resultFile) && statSync(resultFile).mtimeMs >= startedAt;
if (r.status !== 0 || !fresh) {
  console.error(r.stdout.split('\n').filter((l) => l.startsWith('[vscode-tests]')).join('\n'));
  console.error(`bench-responsiveness: the VS Code run failed (exit ${r.status})${fresh ? '' : `; no fresh ${resultFile}`}`);
  process.exit(1);
}
const b = JSON.parse(readFileSync(resultFile, 'utf8'));
const row = (name, s) => `${name.padEnd(22)} ${String(s.median).padStart(8)} ${String(s.p90).padStart(8)} ${String(s.max).padStart(8)}`;
if (debugLarge) {
  const ms = (xs) => [...xs].sort((x, y) => x - y);
  console.log(`VS Code ${b.vscode}; model ${b.model.trits.toLocaleString()} trits, ${b.model.layers} layers, input ${b.model.input.join('×')}, compareFloat ${b.compareFloat}`);
  console.log(`launch → entry ${b.launchToEntryMs} ms; F10 (${b.stepOverMs.length}× over ${b.steppedThrough.slice(1).join(', ')}): ${ms(b.stepOverMs).join(', ')} ms; continue → end ${b.continueToEndMs} ms`);
  console.log(`activation view ${b.activationViewOpen ? 'open' : 'closed'}: ${b.activationViews.events} layer events, largest ${b.activationViews.maxJsonBytes} bytes of JSON; ${b.result}`);
  console.log(`${'probe (ms)'.padEnd(22)} ${'median'.padStart(8)} ${'p90'.padStart(8)} ${'max'.padStart(8)}`);
  for (const k of ['command', 'findFiles', 'eventLoop'])
    for (const phase of ['idle', 'stepping', 'continuing']) console.log(row(`${k} ${phase}`, b[phase][k]));
  process.exit(0);
}
console.log(`VS Code ${b.vscode}, ${b.probes} probes per phase; job: ${b.job}`);
console.log(`${'probe (ms)'.padEnd(22)} ${'median'.padStart(8)} ${'p90'.padStart(8)} ${'max'.padStart(8)}`);
for (const k of ['command', 'findFiles', 'eventLoop']) {
  console.log(row(`${k} idle`, b.idle[k]));
  console.log(row(`${k} training`, b.training[k]));
  console.log(`${`${k} ratio (median)`.padEnd(22)} ${String(b.ratio[`${k}Median`]).padStart(8)}`);
}
