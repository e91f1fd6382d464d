/**
 * Defect 7's last item (issue #15): an output folder that is missing, read-only,
 * or an output that is a folder is refused before any work, with a message
 * naming the path, never "internal error: ENOENT" after the quantization.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli, fixtureDir } from './cli-helpers';
import { smallModel } from '../gguf/fixtures';

test('quantize refuses a missing output folder up front, naming it', async () => {
  const { dir, onnx } = fixtureDir();
  const out = path.join(dir, 'no-such-folder', 'q.tnn');
  const r = await cli('quantize', onnx, '-o', out, '--progress', 'json');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^tritscope: .*q\.tnn: the output folder .*no-such-folder does not exist/);
  assert.doesNotMatch(r.stderr, /internal error|ENOENT/);
  // Refused before the model was read: no progress event was printed.
  assert.doesNotMatch(r.stdout, /"type":"progress"/);
});

test('quantize and convert refuse an output that is a folder', async () => {
  const { dir, onnx } = fixtureDir();
  const out = path.join(dir, 'folder.tnn');
  mkdirSync(out);
  const r = await cli('quantize', onnx, '-o', out, '--force');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /folder\.tnn: is a folder; give the output a file name/);
  assert.doesNotMatch(r.stderr, /internal error/);
  const gguf = path.join(dir, 'model.gguf');
  writeFileSync(gguf, smallModel().bytes);
  const c = await cli('convert', gguf, '-o', out);
  assert.equal(c.code, 1);
  assert.match(c.stderr, /folder\.tnn: is a folder/);
  const missing = await cli('convert', gguf, '-o', path.join(dir, 'nope', 'w.tnn'));
  assert.match(missing.stderr, /nope does not exist/);
});

test('assemble refuses a missing folder, a folder as output and an existing file before reading its inputs', async () => {
  const { dir, onnx } = fixtureDir();
  // The sidecar is garbage: reading it would fail with another message, so these errors prove the check ran first.
  const sidecar = path.join(dir, 'side.safetensors');
  writeFileSync(sidecar, 'not a sidecar');
  const missing = await cli('assemble', onnx, sidecar, '-o', path.join(dir, 'nope', 'a.tnn'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /a\.tnn: the output folder .*nope does not exist/);
  mkdirSync(path.join(dir, 'folder.tnn'));
  const folder = await cli('assemble', onnx, sidecar, '-o', path.join(dir, 'folder.tnn'), '--force');
  assert.match(folder.stderr, /folder\.tnn: is a folder/);
  writeFileSync(path.join(dir, 'old.tnn'), 'old');
  const existing = await cli('assemble', onnx, sidecar, '-o', path.join(dir, 'old.tnn'));
  assert.match(existing.stderr, /old\.tnn: output exists; pass --force/);
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});

test('an output path under a regular file is refused as "not a folder"', async () => {
  const { dir, onnx } = fixtureDir();
  writeFileSync(path.join(dir, 'plain'), 'x');
  const r = await cli('quantize', onnx, '-o', path.join(dir, 'plain', 'q.tnn'));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /plain is not a folder/);
});

test('a read-only output folder is refused up front (as an unprivileged user: root may write anywhere)', { timeout: 60_000 }, () => {
  const { dir, onnx } = fixtureDir();
  const ro = path.join(dir, 'ro');
  mkdirSync(ro);
  chmodSync(ro, 0o555);
  chmodSync(dir, 0o755);
  const asRoot = process.getuid?.() === 0;
  // root bypasses permission bits, so run the CLI as nobody (setpriv, util-linux); otherwise the mode suffices.
  // nobody may not be able to read the checkout (a clone under a mode-700 temp folder): it runs a copy of the
  // bundle from the fixture folder (the output check runs before anything else the bundle would load).
  const bundle = asRoot ? path.join(dir, 'cli.js') : path.resolve('dist/cli.js');
  if (asRoot) copyFileSync(path.resolve('dist/cli.js'), bundle);
  const argv = [bundle, 'quantize', onnx, '-o', path.join(ro, 'q.tnn')];
  const r = asRoot
    ? spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...argv], { encoding: 'utf8', cwd: dir })
    : spawnSync(process.execPath, argv, { encoding: 'utf8', cwd: dir });
  assert.equal(r.error, undefined, `could not start the CLI: ${r.error?.message}`);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^tritscope: .*ro\/q\.tnn: the output folder .*ro is not writable \(EACCES\)\n$/);
  assert.deepEqual(readdirSync(ro), []);
});
