// `npm run test:vscode`: runs the integration suites (inside VS Code's extension
// host) and the e2e specs (Chromium driving the workbench) against a real VS Code
// served by code-server. See test/README.md.
//
//   node test/run-codeserver.mjs [--grep <text>] [--no-e2e] [--no-integration] [--skip-package]
//
// Writes test-results/vscode-report.json and PNG screenshots; exits 1 if anything failed.
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailable, codeServerVersion, extensionVsix, freshProfile,
  installExtensions, packageExtension, packageFolder, repoRoot, startCodeServer,
} from '../scripts/codeserver.mjs';
import { ensureCodeServer } from '../scripts/ensure-code-server.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const grep = option('--grep');
const runIntegration = !flag('--no-integration');
const runE2e = !flag('--no-e2e');

const resultsDir = path.join(repoRoot, 'test-results');
// Per-run names: several people may run this at once in one shared work tree.
const runId = `${process.pid}`;
// The tests open a scratch copy of samples/: what they write (under its .tritscope/) never reaches the user's samples/.
const scratchRoot = path.join(repoRoot, '.vscode-test', `workspace-${runId}`);
const workspaceDir = path.join(scratchRoot, 'samples');

function makeScratchWorkspace() {
  rmSync(scratchRoot, { recursive: true, force: true });
  cpSync(path.join(repoRoot, 'samples'), workspaceDir, { recursive: true, filter: (src) => path.basename(src) !== '.tritscope' });
}
const integrationReportFile = path.join(repoRoot, 'out', 'test', `integration-report-${runId}.json`);
const INTEGRATION_TIMEOUT_MS = 10 * 60_000;
const E2E_TEST_TIMEOUT_MS = 3 * 60_000;

const log = (msg) => console.log(`[vscode-tests] ${msg}`);

function writeJsonAtomic(file, value) {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, file);
}

function cleanResults() {
  mkdirSync(resultsDir, { recursive: true });
  for (const f of readdirSync(resultsDir)) {
    if (f.endsWith('.png') || f === 'vscode-report.json' || f === 'code-server.log') rmSync(path.join(resultsDir, f), { force: true });
  }
}

/** Stages the test-only runner extension (package.json + bundles + suites) and packages it. */
function packageRunnerExtension() {
  const built = path.join(repoRoot, 'out', 'test', 'integration');
  const runnerJs = path.join(built, 'runner-extension', 'runner.js');
  if (!existsSync(runnerJs)) throw new Error(`${runnerJs} missing: the build did not produce the test runner`);
  const stage = path.join(repoRoot, 'out', 'test', `runner-vsix-stage-${runId}`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  copyFileSync(path.join(repoRoot, 'test', 'integration', 'runner-extension', 'package.json'), path.join(stage, 'package.json'));
  copyFileSync(runnerJs, path.join(stage, 'runner.js'));
  if (existsSync(path.join(built, 'suite'))) cpSync(path.join(built, 'suite'), path.join(stage, 'suite'), { recursive: true });
  else mkdirSync(path.join(stage, 'suite'));
  writeFileSync(path.join(stage, '.vscodeignore'), '*.map\n');
  writeFileSync(path.join(stage, 'README.md'), '# Tritscope test runner\n\nRuns the integration suites inside VS Code. Never shipped.\n');
  const vsix = packageFolder(stage, path.join(repoRoot, 'out', 'test', `tritscope-test-runner-${runId}.vsix`));
  rmSync(stage, { recursive: true, force: true });
  return vsix;
}

async function waitForIntegrationReport(server) {
  const t0 = Date.now();
  while (Date.now() - t0 < INTEGRATION_TIMEOUT_MS) {
    if (server.proc.exitCode !== null) throw new Error(`code-server exited (${server.proc.exitCode}) before the integration report was written`);
    if (existsSync(integrationReportFile)) return JSON.parse(readFileSync(integrationReportFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no integration report at ${integrationReportFile} after ${INTEGRATION_TIMEOUT_MS / 60000} min (did the runner extension activate? see the extension host log under .vscode-test/test-<pid>-ud/logs)`);
}

function loadE2eTests() {
  const dir = path.join(repoRoot, 'out', 'test', 'e2e');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.e2e.js')).sort() : [];
  const require = createRequire(import.meta.url);
  for (const f of files) require(path.join(dir, f));
  const registry = globalThis[Symbol.for('tritscope.e2e.registry')];
  const tests = registry?.tests ?? [];
  // An empty registry means a bundle was empty or half-written (e.g. a concurrent build).
  if (!tests.length) throw new Error(`no e2e tests registered by ${files.length} spec bundle(s) in ${dir}`);
  return grep ? tests.filter((t) => t.title.includes(grep)) : tests;
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000}s`)), ms); }),
  ]);
}

async function runE2eTests(page, tests) {
  const results = [];
  for (const t of tests) {
    const t0 = Date.now();
    try {
      await withTimeout(t.run({ page, workspaceDir, resultsDir, repoRoot }), E2E_TEST_TIMEOUT_MS, `e2e "${t.title}"`);
      results.push({ title: t.title, file: t.file, state: 'passed', durationMs: Date.now() - t0 });
      log(`  ✔ ${t.title}`);
    } catch (err) {
      const shot = path.join(resultsDir, `FAILED-${t.title.replace(/[^\w.-]+/g, '-')}.png`);
      await page.screenshot({ path: shot }).catch(() => undefined);
      results.push({ title: t.title, file: t.file, state: 'failed', durationMs: Date.now() - t0, error: err?.stack ?? String(err), screenshot: shot });
      log(`  ✘ ${t.title}\n${String(err?.stack ?? err).split('\n').slice(0, 8).map((l) => `      ${l}`).join('\n')}`);
      await page.keyboard.press('Escape').catch(() => undefined);
    }
  }
  return results;
}

const counts = (tests) => ({
  passed: tests.filter((t) => t.state === 'passed').length,
  failed: tests.filter((t) => t.state === 'failed').length,
  skipped: tests.filter((t) => t.state === 'pending' || t.state === 'skipped').length,
});

async function main() {
  const t0 = Date.now();
  cleanResults();
  rmSync(integrationReportFile, { force: true });
  const report = {
    date: new Date().toISOString(),
    codeServerVersion: null,
    vscodeVersion: null,
    browser: null,
    vsixBytes: null,
    integration: { passed: 0, failed: 0, skipped: 0, tests: [] },
    e2e: { passed: 0, failed: 0, skipped: 0, tests: [] },
    screenshots: [],
    error: null,
    durationMs: 0,
  };
  let server;
  let browser;
  let profile;
  const cleanup = () => { server?.stopNow(); };
  const onSignal = (sig) => { log(`${sig}: stopping code-server`); cleanup(); process.exit(130); };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', cleanup);
  try {
    makeScratchWorkspace();
    ensureCodeServer();
    const versions = codeServerVersion();
    report.codeServerVersion = versions.codeServer;
    report.vscodeVersion = versions.vscode;
    log(`code-server ${versions.raw}`);

    if (!flag('--skip-package')) {
      log('packaging the extension (production build + vsce package) ...');
      report.vsixBytes = packageExtension().bytes;
    }
    const runnerVsix = packageRunnerExtension();
    // The tests open what they test: no sample opening by itself on the first start.
    profile = freshProfile(`test-${runId}`, { 'search.useIgnoreFiles': false, 'files.exclude': {}, 'tritscope.openSampleOnFirstStart': false });
    installExtensions(profile, [extensionVsix, runnerVsix]);
    rmSync(runnerVsix, { force: true });

    const env = runIntegration ? { TRITSCOPE_REPO_ROOT: repoRoot, TRITSCOPE_TEST_REPORT: integrationReportFile, ...(grep ? { TRITSCOPE_TEST_GREP: grep } : {}) } : {};
    server = await startCodeServer({ profile, folder: workspaceDir, env, logFile: path.join(resultsDir, 'code-server.log') });
    log(`code-server at ${server.url} (pid ${server.proc.pid})`);

    if (!chromiumAvailable()) throw new Error(`no browser at ${CHROMIUM_PATH} (apt-get install chromium): the extension host only starts when a browser connects`);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    report.browser = `chromium ${browser.version()}`;
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.folderUrl);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 120_000 });
    await page.screenshot({ path: path.join(resultsDir, '00-workbench.png') });

    if (runIntegration) {
      log('waiting for the integration suites inside the extension host ...');
      const ir = await waitForIntegrationReport(server);
      report.vscodeVersion = ir.vscodeVersion ?? report.vscodeVersion;
      report.integration = { passed: ir.passed, failed: ir.failed, skipped: ir.skipped ?? 0, tests: ir.tests, runnerError: ir.runnerError };
      for (const t of ir.tests) log(`  ${t.state === 'passed' ? '✔' : t.state === 'failed' ? '✘' : '-'} ${t.title}${t.error ? `\n      ${t.error.split('\n').slice(0, 6).join('\n      ')}` : ''}`);
      if (ir.runnerError) log(`runner error: ${ir.runnerError}`);
      log(`integration: ${ir.passed} passed, ${ir.failed} failed (VS Code ${ir.vscodeVersion})`);
    }
    if (runE2e) {
      const tests = loadE2eTests();
      log(`running ${tests.length} e2e tests ...`);
      const results = await runE2eTests(page, tests);
      report.e2e = { ...counts(results), tests: results };
      log(`e2e: ${report.e2e.passed} passed, ${report.e2e.failed} failed`);
    }
  } catch (err) {
    report.error = err?.stack ?? String(err);
    console.error(`[vscode-tests] harness error: ${report.error}`);
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    report.screenshots = existsSync(resultsDir) ? readdirSync(resultsDir).filter((f) => f.endsWith('.png')).sort() : [];
    report.durationMs = Date.now() - t0;
    writeJsonAtomic(path.join(resultsDir, 'vscode-report.json'), report);
  }
  const failed = report.integration.failed + report.e2e.failed + (report.error ? 1 : 0);
  rmSync(integrationReportFile, { force: true });
  if (profile && !failed) {
    rmSync(profile.extsDir, { recursive: true, force: true });
    rmSync(profile.udDir, { recursive: true, force: true });
  } else if (profile) {
    log(`profile kept for inspection (extension host logs): ${path.relative(repoRoot, profile.udDir)}/logs`);
  }
  if (!failed) rmSync(scratchRoot, { recursive: true, force: true });
  else log(`scratch workspace kept for inspection: ${path.relative(repoRoot, workspaceDir)}`);
  log(`VS Code ${report.vscodeVersion}: integration ${report.integration.passed}/${report.integration.passed + report.integration.failed}, e2e ${report.e2e.passed}/${report.e2e.passed + report.e2e.failed}, ${(report.durationMs / 1000).toFixed(0)} s → test-results/vscode-report.json`);
  process.exitCode = failed ? 1 : 0;
}

await main();
