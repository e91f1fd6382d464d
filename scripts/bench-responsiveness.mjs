// Extension-host responsiveness while a QAT job trains, in a real VS Code (code-server).
//
//   node esbuild.mjs && node scripts/bench-responsiveness.mjs [--probes N] [--skip-package]
//
// Runs only the integration test "responsiveness benchmark" (test/integration/suite/quantize.test.ts):
// N rounds of three probes idle, then N rounds while `tritscope quantize --qat` trains in its child
// process: a command round trip (setContext: host → workbench → host), a workspace findFiles, and
// the lateness of a 0 ms timer on the host's event loop. Prints median / p90 / max per probe and the
// training/idle ratio of the medians; the raw summary is test-results/bench-responsiveness.json.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const i = argv.indexOf('--probes');
const probes = i >= 0 ? Number(argv[i + 1]) : 200;
if (!Number.isInteger(probes) || probes < 5) {
  console.error(`bench-responsiveness: --probes expects an integer ≥ 5, got '${argv[i + 1]}'`);
  process.exit(2);
}
const resultFile = path.join(repoRoot, 'test-results', 'bench-responsiveness.json');
const startedAt = Date.now();
const harnessArgs = ['test/run-codeserver.mjs', '--grep', 'responsiveness benchmark', '--no-e2e'];
if (argv.includes('--skip-package')) harnessArgs.push('--skip-package');
const r = spawnSync(process.execPath, harnessArgs, {
  cwd: repoRoot,
  stdio: ['ignore', 'pipe', 'inherit'],
  encoding: 'utf8',
  env: { ...process.env, TRITSCOPE_BENCH_PROBES: String(probes) },
});
const fresh = existsSync(resultFile) && statSync(resultFile).mtimeMs >= startedAt;
if (r.status !== 0 || !fresh) {
  console.error(r.stdout.split('\n').filter((l) => l.startsWith('[vscode-tests]')).join('\n'));
  console.error(`bench-responsiveness: the VS Code run failed (exit ${r.status})${fresh ? '' : `; no fresh ${resultFile}`}`);
  process.exit(1);
}
const b = JSON.parse(readFileSync(resultFile, 'utf8'));
const row = (name, s) => `${name.padEnd(22)} ${String(s.median).padStart(8)} ${String(s.p90).padStart(8)} ${String(s.max).padStart(8)}`;
console.log(`VS Code ${b.vscode}, ${b.probes} probes per phase; job: ${b.job}`);
console.log(`${'probe (ms)'.padEnd(22)} ${'median'.padStart(8)} ${'p90'.padStart(8)} ${'max'.padStart(8)}`);
for (const k of ['command', 'findFiles', 'eventLoop']) {
  console.log(row(`${k} idle`, b.idle[k]));
  console.log(row(`${k} training`, b.training[k]));
  console.log(`${`${k} ratio (median)`.padEnd(22)} ${String(b.ratio[`${k}Median`]).padStart(8)}`);
}
