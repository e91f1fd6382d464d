// `npm test`: build, type-check, lint, unit tests, the PyTorch package's tests, then VS Code integration + e2e
// tests (test/run-codeserver.mjs). Prints a summary per level and, last, one line
// `tests: N passed, N failed[, N skipped]`; exits non-zero if anything failed.
// Build, type-check and lint count as one test each.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTotalsLine, parseNodeTestCounts, parsePythonTestCounts } from './test-counts.mjs';
import { ensureSystemPackages, packagesFor } from './system-packages.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const skipVscode = process.argv.includes('--no-vscode');

/** Runs a command, streaming its output, and returns {code, output}. */
function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (stream) => (chunk) => { output += chunk; stream.write(chunk); };
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    child.on('error', (err) => resolve({ code: 127, output: String(err) }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

const levels = [];
function record(name, counts, seconds, note = '') {
  levels.push({ name, ...counts, seconds, note });
  const s = `${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}`;
  console.log(`\n[npm test] ${name}: ${s} (${seconds.toFixed(0)} s)${note ? ` — ${note}` : ''}\n`);
}

async function step(name, cmd, args) {
  console.log(`\n[npm test] ── ${name}: ${path.basename(cmd)} ${args.join(' ')}`);
  const t0 = Date.now();
  const r = await run(cmd, args);
  const ok = r.code === 0;
  record(name, { passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 }, (Date.now() - t0) / 1000, ok ? '' : `exit ${r.code}`);
  return ok;
}

const TORCH_INSTALL = `sudo apt-get install ${packagesFor('test').filter((p) => p.name.startsWith('python3-')).map((p) => p.name).join(' ')}`;

/** The first interpreter that imports torch and numpy: $TRITSCOPE_PYTHON, Debian's /usr/bin/python3, python3 on PATH. */
function torchPython() {
  const candidates = [process.env.TRITSCOPE_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean);
  return candidates.find((c) => spawnSync(c, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0);
}

/** python/tests (unittest): needs the built CLI; without PyTorch the level fails with the install command, never skips. */
async function pythonLevel(built) {
  console.log('\n[npm test] ── python tests (tritscope_torch)');
  const p0 = Date.now();
  const python = torchPython();
  if (!python) {
    record('python', { passed: 0, failed: 1, skipped: 0 }, 0, `PyTorch is missing: ${TORCH_INSTALL} (or set TRITSCOPE_PYTHON to an interpreter that imports torch)`);
    return;
  }
  if (!built) {
    record('python', { passed: 0, failed: 1, skipped: 0 }, 0, 'not run: the build failed');
    return;
  }
  const r = await run(python, ['python/tests/run_tests.py']);
  const counts = parsePythonTestCounts(r.output);
  if (counts) record('python', { ...counts, failed: counts.failed || (r.code !== 0 ? 1 : 0) }, (Date.now() - p0) / 1000, python);
  else record('python', { passed: 0, failed: 1, skipped: 0 }, (Date.now() - p0) / 1000, `no test summary (exit ${r.code})`);
}

async function main() {
  const t0 = Date.now();
  // A fresh machine: the Debian packages are installed first (root or non-interactive sudo), or npm test stops here
  // with the one command to type (scripts/system-packages.mjs).
  ensureSystemPackages('test');
  const built = await step('build', process.execPath, ['esbuild.mjs']);
  await step('type-check', bin('tsc'), ['--noEmit', '-p', '.']);
  await step('lint', bin('eslint'), ['src', 'webview', 'test']);

  if (built) {
    console.log('\n[npm test] ── unit tests');
    const u0 = Date.now();
    const r = await run(process.execPath, ['scripts/run-unit.mjs']);
    const counts = parseNodeTestCounts(r.output);
    if (counts) record('unit', { ...counts, failed: counts.failed || (r.code !== 0 ? 1 : 0) }, (Date.now() - u0) / 1000);
    else record('unit', { passed: 0, failed: 1, skipped: 0 }, (Date.now() - u0) / 1000, `no test summary (exit ${r.code})`);
  } else {
    record('unit', { passed: 0, failed: 1, skipped: 0 }, 0, 'not run: the build failed');
  }

  await pythonLevel(built);

  if (skipVscode) {
    console.log('[npm test] VS Code tests skipped (--no-vscode)');
  } else if (built) {
    console.log('\n[npm test] ── VS Code integration + e2e (code-server + Chromium)');
    const v0 = Date.now();
    const reportFile = path.join(root, 'test-results', 'vscode-report.json');
    rmSync(reportFile, { force: true });
    const r = await run(process.execPath, ['test/run-codeserver.mjs']);
    const secs = (Date.now() - v0) / 1000;
    if (existsSync(reportFile)) {
      const rep = JSON.parse(readFileSync(reportFile, 'utf8'));
      const note = `VS Code ${rep.vscodeVersion}`;
      record('integration', { passed: rep.integration.passed, failed: rep.integration.failed, skipped: rep.integration.skipped ?? 0 }, secs, note);
      record('e2e', { passed: rep.e2e.passed, failed: rep.e2e.failed, skipped: rep.e2e.skipped ?? 0 }, 0, note);
      if (rep.error) record('vscode harness', { passed: 0, failed: 1, skipped: 0 }, 0, rep.error.split('\n')[0]);
    } else {
      record('vscode harness', { passed: 0, failed: 1, skipped: 0 }, secs, `no test-results/vscode-report.json (exit ${r.code})`);
    }
  } else {
    record('vscode', { passed: 0, failed: 1, skipped: 0 }, 0, 'not run: the build failed');
  }

  const total = levels.reduce((a, l) => ({ passed: a.passed + l.passed, failed: a.failed + l.failed, skipped: a.skipped + l.skipped }), { passed: 0, failed: 0, skipped: 0 });
  const seconds = (Date.now() - t0) / 1000;
  mkdirSync(path.join(root, 'test-results'), { recursive: true });
  const summaryFile = path.join(root, 'test-results', 'summary.json');
  writeFileSync(`${summaryFile}.tmp`, JSON.stringify({ date: new Date().toISOString(), seconds, total, levels }, null, 2));
  renameSync(`${summaryFile}.tmp`, summaryFile);

  console.log('[npm test] summary');
  for (const l of levels) console.log(`  ${l.name.padEnd(16)} ${String(l.passed).padStart(5)} passed ${String(l.failed).padStart(4)} failed${l.skipped ? ` ${l.skipped} skipped` : ''}${l.note ? `  ${l.note}` : ''}`);
  console.log(`  total time ${(seconds / 60).toFixed(1)} min`);
  console.log(formatTotalsLine(total));
  process.exitCode = total.failed ? 1 : 0;
}

await main();
