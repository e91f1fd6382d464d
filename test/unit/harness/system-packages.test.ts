/**
 * The fresh-machine set-up (issue #15): which Debian packages are missing, judged from a faked `dpkg-query` (a shell
 * script first on PATH) and faked "provided anyway" checks, and what is done about them. Nothing is installed or
 * removed here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dpkgInstalled, missingPackages, packagesFor, plan, SYSTEM_PACKAGES } from '../../../scripts/system-packages.mjs';

/** A PATH whose dpkg-query prints `lines` (as `dpkg-query -W -f '${Package}\t${db:Status-Abbrev}\n'` does) and names each query in a log. */
function fakeDpkg(lines: string[], exitCode = 0): { env: NodeJS.ProcessEnv; log: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-dpkg-'));
  const log = path.join(dir, 'args');
  writeFileSync(path.join(dir, 'dpkg-query'), `#!/bin/sh\necho "$@" >> ${log}\nprintf '${lines.map((l) => `${l}\\n`).join('')}'\nexit ${exitCode}\n`);
  chmodSync(path.join(dir, 'dpkg-query'), 0o755);
  return { env: { PATH: `${dir}:/usr/bin:/bin` }, log };
}

const names = (ps: { name: string }[]) => ps.map((p) => p.name);

test('one list: test needs every package, start the data set, start without desktop VS Code also libkrb5-dev', () => {
  assert.deepEqual(names(packagesFor('test')), ['libkrb5-dev', 'chromium', 'dataset-fashion-mnist', 'python3-torch', 'python3-torchvision', 'python3-numpy', 'python3-onnx', 'python3-pil']);
  assert.deepEqual(names(packagesFor('start')), ['dataset-fashion-mnist']);
  assert.deepEqual(names(packagesFor('start-browser')), ['libkrb5-dev', 'dataset-fashion-mnist']);
  assert.equal(new Set(names(SYSTEM_PACKAGES)).size, SYSTEM_PACKAGES.length);
});

test('dpkgInstalled reads "ii" lines only (half-installed, removed with config and unknown packages are missing)', () => {
  const { env } = fakeDpkg(['chromium\tii ', 'libkrb5-dev:amd64\tii ', 'python3-torch\trc ', 'python3-onnx\tiU '], 1);
  assert.deepEqual([...dpkgInstalled(['chromium', 'libkrb5-dev', 'python3-torch', 'python3-onnx', 'nosuch'], env)!].sort(), ['chromium', 'libkrb5-dev']);
  assert.equal(dpkgInstalled(['chromium'], { PATH: mkdtempSync(path.join(tmpdir(), 'tritscope-nodpkg-')) }), null, 'no dpkg-query: null, not "all missing"');
});

test('a fresh machine: everything dpkg lacks and nothing provides is missing; a pip torch counts as present', () => {
  const { env } = fakeDpkg(['chromium\tii ', 'python3-numpy\tii '], 1);
  const none = missingPackages('test', { env, provides: () => false });
  assert.deepEqual(names(none), ['libkrb5-dev', 'dataset-fashion-mnist', 'python3-torch', 'python3-torchvision', 'python3-onnx', 'python3-pil']);
  const pipTorch = missingPackages('test', { env, provides: (p) => p.name === 'python3-torch' || p.name === 'python3-torchvision' });
  assert.deepEqual(names(pipTorch), ['libkrb5-dev', 'dataset-fashion-mnist', 'python3-onnx', 'python3-pil']);
  const all = fakeDpkg(SYSTEM_PACKAGES.map((p) => `${p.name}\tii `));
  assert.deepEqual(missingPackages('test', { env: all.env, provides: () => { throw new Error('not asked when dpkg has it'); } }), []);
  // Without dpkg-query only the checks decide.
  assert.deepEqual(names(missingPackages('start-browser', { env: { PATH: '/nonexistent' }, provides: (p) => p.name === 'libkrb5-dev' })), ['dataset-fashion-mnist']);
});

test('root installs with apt-get, non-interactive sudo with sudo -n, anyone else stops with the one command to type', () => {
  const missing = packagesFor('start-browser');
  assert.deepEqual(plan([], { uid: 1000, sudoWorks: false, hasApt: true }), { action: 'none' });
  assert.deepEqual(plan(missing, { uid: 0, sudoWorks: false, hasApt: true }), {
    action: 'install',
    commands: [['apt-get', 'update'], ['apt-get', 'install', '-y', 'libkrb5-dev', 'dataset-fashion-mnist']],
  });
  assert.deepEqual(plan(missing, { uid: 1000, sudoWorks: true, hasApt: true }), {
    action: 'install',
    commands: [['sudo', '-n', 'apt-get', 'update'], ['sudo', '-n', 'apt-get', 'install', '-y', 'libkrb5-dev', 'dataset-fashion-mnist']],
  });
  const stop = plan(missing, { uid: 1000, sudoWorks: false, hasApt: true });
  assert.equal(stop.action, 'stop');
  assert.equal(stop.action === 'stop' && stop.command, 'sudo apt-get install -y libkrb5-dev dataset-fashion-mnist');
  assert.match(stop.action === 'stop' ? stop.message : '', /libkrb5-dev +gssapi\.h for code-server's native modules\n/);
  const noApt = plan(missing, { uid: 0, sudoWorks: true, hasApt: false });
  assert.equal(noApt.action, 'stop');
  assert.match(noApt.action === 'stop' ? noApt.message : '', /no apt-get.*\n.*TRITSCOPE_SKIP_SYSTEM_PACKAGES=1/s);
});
