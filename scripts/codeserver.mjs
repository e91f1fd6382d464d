// Shared by `npm start` (scripts/start.mjs) and the VS Code test run
// (test/run-codeserver.mjs): package the extension as a .vsix, install .vsix
// files into a code-server profile, start code-server on a free loopback port,
// and stop it (its whole process group) reliably.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, cleanEnv, ensureCodeServer } from './ensure-code-server.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const extensionVsix = path.join(repoRoot, 'dist-vsix', 'tritscope.vsix');
const vsceBin = path.join(repoRoot, 'node_modules', '.bin', 'vsce');

/** Settings for a profile that must not wait on anything a person or the network would answer. */
export const QUIET_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'git.enabled': false,
};

export function runChecked(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: repoRoot, ...opts });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(' ')} failed with exit ${r.status ?? r.signal}`);
}

/** `npm run package`: production build (vscode:prepublish) + vsce package → dist-vsix/tritscope.vsix. */
export function packageExtension() {
  mkdirSync(path.dirname(extensionVsix), { recursive: true });
  const args = ['package', '--no-dependencies', '--allow-missing-repository', '-o', extensionVsix];
  try {
    runChecked(vsceBin, args);
  } catch {
    // A build running concurrently in the same tree can rewrite dist/ while it is zipped.
    console.error('[tritscope] vsce package failed; retrying once');
    runChecked(vsceBin, args);
  }
  return { file: extensionVsix, bytes: statSync(extensionVsix).size };
}

/** Packages an extension folder that has no build step of its own. */
export function packageFolder(dir, outFile) {
  mkdirSync(path.dirname(outFile), { recursive: true });
  runChecked(vsceBin, ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', outFile], { cwd: dir });
  return outFile;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh profile: extensions dir + user-data dir with quiet settings. */
export function freshProfile(name, extraSettings = {}) {
  const extsDir = path.join(cacheDir, `${name}-exts`);
  const udDir = path.join(cacheDir, `${name}-ud`);
  rmSync(extsDir, { recursive: true, force: true });
  rmSync(udDir, { recursive: true, force: true });
  mkdirSync(path.join(udDir, 'User'), { recursive: true });
  mkdirSync(extsDir, { recursive: true });
  writeFileSync(path.join(udDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...extraSettings }, null, 2));
  return { extsDir, udDir };
}

function codeServerArgs({ extsDir, udDir }) {
  return ['--extensions-dir', extsDir, '--user-data-dir', udDir, '--config', path.join(udDir, 'config.yaml')];
}

export function installExtensions(profile, vsixFiles) {
  const cs = ensureCodeServer({ quiet: true });
  for (const vsix of vsixFiles) {
    runChecked(cs.node, [cs.entry, ...codeServerArgs(profile), '--install-extension', vsix, '--force']);
  }
}

export function codeServerVersion() {
  const cs = ensureCodeServer({ quiet: true });
  const r = spawnSync(cs.node, [cs.entry, '--version', '--config', '/dev/null'], { encoding: 'utf8' });
  // "4.139.1 <commit> with Code 1.139.1"
  const line = r.stdout.trim().split('\n').pop() ?? '';
  const m = /^(\S+)\s+\S+\s+with Code\s+(\S+)/.exec(line);
  return { codeServer: m?.[1] ?? line, vscode: m?.[2] ?? 'unknown', raw: line };
}

async function waitHealthy(url, proc, timeoutMs) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (proc.exitCode !== null) throw new Error(`code-server exited with ${proc.exitCode} before it was ready`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs / 1000}s`);
}

/**
 * Starts code-server on 127.0.0.1:<free port> without auth, in its own process
 * group so stop() also ends the extension host and helpers it spawned.
 */
export async function startCodeServer({ profile, folder, env = {}, logFile, port }) {
  const cs = ensureCodeServer({ quiet: true });
  port ??= await freePort();
  const args = [
    cs.entry,
    ...codeServerArgs(profile),
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    folder,
  ];
  if (logFile) mkdirSync(path.dirname(logFile), { recursive: true });
  const log = logFile ? createWriteStream(logFile) : null;
  const proc = spawn(cs.node, args, {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', log ? 'pipe' : 'inherit', log ? 'pipe' : 'inherit'],
    env: { ...cleanEnv(), ...env },
  });
  if (log) {
    proc.stdout.pipe(log);
    proc.stderr.pipe(log);
  }
  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  const stop = async () => {
    if (stopped || proc.exitCode !== null) return;
    stopped = true;
    const exited = new Promise((r) => proc.once('exit', r));
    try { process.kill(-proc.pid, 'SIGTERM'); } catch { /* already gone */ }
    const timer = setTimeout(() => { try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
    await exited;
    clearTimeout(timer);
    // Helpers that outlived the server in its group.
    try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ }
  };
  /** Synchronous variant for process 'exit' handlers. */
  const stopNow = () => {
    try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ }
  };
  try {
    await waitHealthy(url, proc, 60_000);
  } catch (err) {
    stopNow();
    throw err;
  }
  return { proc, port, url, folderUrl: `${url}/?folder=${encodeURIComponent(folder)}`, stop, stopNow };
}

/** Chromium flags that keep Debian's chromium quiet and offline inside containers. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumAvailable() {
  return existsSync(CHROMIUM_PATH);
}
