import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// SIGTERM (what a terminal's Ctrl+C or the VS Code task's cancel sends) must stop a
// QAT run between steps, exit non-zero and leave no .tnn behind. Runs the built CLI.
test('tritscope quantize --qat stops on SIGTERM mid-epoch and writes no output', { timeout: 120_000 }, async () => {
  const cli = path.resolve('dist/cli.js');
  assert.ok(existsSync(cli), 'dist/cli.js missing: run node esbuild.mjs first');
  const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-sigterm-'));
  const out = path.join(dir, 'q.tnn');
  const child = spawn(process.execPath, [cli, 'quantize', 'samples/models/fashion-cnn.onnx', '-o', out, '--qat', '--data', 'fashion-mnist:train',
    '--limit', '1024', '--epochs', '3', '--progress', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      if (stdout.includes('"type":"progress"')) resolve();
    });
    child.on('close', () => reject(new Error(`exited before any progress: ${stdout}`)));
  });
  child.kill('SIGTERM');
  const code = await exited;
  assert.notEqual(code, 0);
  assert.match(stdout, /"type":"error","message":"[^"]*cancelled/);
  assert.equal(existsSync(out), false);
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});
