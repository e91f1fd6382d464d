// `npm start`: build, then open samples/ with Tritscope loaded.
//  - Desktop VS Code (`code` on PATH): code --extensionDevelopmentPath=<repo> samples/
//  - Otherwise: code-server (installed on demand into .vscode-test/) with the
//    packaged .vsix, on a free loopback port; prints the URL and runs until Ctrl+C.
//
//   node scripts/start.mjs [--port N] [--code-server]   (--code-server: skip desktop VS Code)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { freshProfile, installExtensions, packageExtension, repoRoot, runChecked, startCodeServer, extensionVsix } from './codeserver.mjs';
import { ensureCodeServer } from './ensure-code-server.mjs';
import { ensureSystemPackages } from './system-packages.mjs';

const argv = process.argv.slice(2);
const portArg = argv.includes('--port') ? Number(argv[argv.indexOf('--port') + 1]) : undefined;
const forceCodeServer = argv.includes('--code-server');
const samples = path.join(repoRoot, 'samples');

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

async function startDesktop() {
  runChecked(process.execPath, ['esbuild.mjs']);
  console.log(`[tritscope] opening ${samples} in VS Code with the extension under development`);
  const child = spawn('code', ['--extensionDevelopmentPath', repoRoot, samples], { stdio: 'inherit' });
  await new Promise((r) => child.on('close', r));
}

async function startBrowser() {
  ensureCodeServer();
  console.log('[tritscope] building and packaging the extension ...');
  const { bytes } = packageExtension();
  console.log(`[tritscope] ${path.relative(repoRoot, extensionVsix)} (${(bytes / 1024).toFixed(0)} KB)`);
  // The user's profile persists between runs (settings, open editors); only the extension is refreshed.
  const profile = { extsDir: path.join(repoRoot, '.vscode-test', 'start-exts'), udDir: path.join(repoRoot, '.vscode-test', 'start-ud') };
  if (!existsSync(path.join(profile.udDir, 'User', 'settings.json'))) Object.assign(profile, freshProfile('start'));
  installExtensions(profile, [extensionVsix]);
  const server = await startCodeServer({ profile, folder: samples, port: portArg });
  const stop = async (sig) => {
    console.log(`\n[tritscope] ${sig}: stopping code-server`);
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('exit', () => server.stopNow());
  console.log(`\n  Tritscope is running in VS Code (code-server) — open this URL in a browser:\n\n    ${server.folderUrl}\n\n  Press Ctrl+C to stop.\n`);
  await new Promise((r) => server.proc.on('exit', r));
  console.log(`[tritscope] code-server exited (${server.proc.exitCode})`);
}

const desktop = !forceCodeServer && onPath('code');
// A fresh machine: the data set (and, for code-server, libkrb5-dev) installed first, or the one command to type.
ensureSystemPackages(desktop ? 'start' : 'start-browser');
if (desktop) await startDesktop();
else await startBrowser();
