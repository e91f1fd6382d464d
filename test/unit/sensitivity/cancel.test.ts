import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// SIGTERM (the VS Code notification's Cancel) stops a sweep between configurations: exit non-zero,
// an error event naming the cancel, and no sensitivity file or temp file beside the model.
test('tritscope sensitivity stops on SIGTERM mid-sweep and writes nothing', { timeout: 120_000 }, async () => {
  const cli = path.resolve('dist/cli.js');
  assert.ok(existsSync(cli), 'dist/cli.js missing: run node esbuild.mjs first');
  const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-sens-sigterm-'));
  try {
    const model = path.join(dir, 'cnn.onnx');
    copyFileSync('samples/models/fashion-cnn.onnx', model);
    // The reference engine on 2 000 samples runs for a minute or more: long enough to be cancelled mid-sweep.
    const child = spawn(process.execPath, [cli, 'sensitivity', model, '--data', 'fashion-mnist:test', '--limit', '2000', '--engine', 'reference', '--progress', 'json'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        stdout += s;
        if (stdout.includes('"message":"sweep:')) resolve();
      });
      child.on('close', () => reject(new Error(`exited before the sweep started: ${stdout}`)));
    });
    child.kill('SIGTERM');
    const code = await exited;
    assert.notEqual(code, 0);
    assert.match(stdout, /"type":"error","message":"[^"]*cancelled/);
    assert.deepEqual(readdirSync(dir), ['cnn.onnx']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
