/**
 * Error kinds survive the production bundle: the inspect worker is built with
 * esbuild.mjs's own production options (scripts/bundle-options.mjs: minified,
 * keepNames) and every failure reaches the client with its class name.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { serializeTnn } from '../../../src/core/format/index';
import type { InspectRequest, InspectResults } from '../../../src/shared/inspectProtocol';
import { errorView, RpcClient, WorkerError } from '../../../src/shared/rpc';
import { buildEditorModel } from '../cost/fixtures';

const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-rpc-bundle-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function buildProductionWorker(): Promise<string> {
  const root = process.cwd();
  const esbuild = await import('esbuild');
  const { bundleOptions } = (await import(pathToFileURL(path.join(root, 'scripts', 'bundle-options.mjs')).href)) as {
    bundleOptions(o: { production: boolean; root: string }): { nodeCommon: Record<string, unknown> };
  };
  const { nodeCommon } = bundleOptions({ production: true, root });
  await esbuild.build({ ...nodeCommon, entryPoints: { inspect: 'src/workers/inspect.ts' }, outdir: dir, logLevel: 'error' });
  return path.join(dir, 'inspect.js');
}

test('the production inspect worker reports each failure with its error class', async () => {
  const worker = await buildProductionWorker();
  const code = readFileSync(worker, 'utf8');
  assert.ok(!/\n {2}\S/.test(code.slice(0, 20_000)), 'the bundle is minified (no indented lines)');
  const client = new RpcClient<InspectRequest, InspectResults>(() => new Worker(worker), { name: 'inspect worker', restart: true });
  try {
    const kindOf = async (file: string): Promise<string> => {
      try {
        await client.request({ type: 'load', file, profile: null });
      } catch (e) {
        assert.ok(e instanceof WorkerError, `a WorkerError, got ${e}`);
        assert.ok(e.view.message.includes(path.basename(file)), `the message names the file: ${e.view.message}`);
        return e.view.kind;
      }
      assert.fail(`${file} loaded`);
    };
    const good = serializeTnn(buildEditorModel({ channels: [4, 4] }));
    const truncated = path.join(dir, 'truncated.tnn');
    writeFileSync(truncated, good.subarray(0, 100));
    assert.equal(await kindOf(truncated), 'TnnFormatError');
    const onnx = path.join(dir, 'broken.onnx');
    writeFileSync(onnx, Buffer.from([0x08, 0x07, 0x3a, 0x7f, 0x01]));
    assert.equal(await kindOf(onnx), 'TritscopeError', 'ONNX cannot be viewed: refused by the registry');
    const junk = path.join(dir, 'junk.bin');
    writeFileSync(junk, Buffer.from([0xff, 0xfe]));
    assert.equal(await kindOf(junk), 'UnknownFormatError');
    assert.equal(await kindOf(path.join(dir, 'missing.tnn')), 'MissingFileError');
    // The worker answers normally afterwards.
    const ok = path.join(dir, 'ok.tnn');
    writeFileSync(ok, good);
    assert.equal((await client.request({ type: 'load', file: ok, profile: null })).header.fileName, 'ok.tnn');
  } finally {
    await client.dispose();
  }
});

test('errorView: the class name as kind, the errno code for plain system errors, the fallback file', () => {
  class ProbeError extends Error {
    constructor(message: string) {
      super(message);
      this.name = 'ProbeError';
    }
  }
  assert.deepEqual(errorView(new ProbeError('x: bad'), 'f.tnn'), { message: 'x: bad', file: 'f.tnn', kind: 'ProbeError' });
  const sys = Object.assign(new Error('open failed'), { code: 'EACCES' });
  assert.equal(errorView(sys).kind, 'file error EACCES');
  assert.deepEqual(errorView('plain string'), { message: 'plain string', file: '', kind: 'Error' });
  const fielded = Object.assign(new Error('m'), { name: 'TnnFormatError', file: 'a.tnn', field: 'header', offset: 8 });
  assert.deepEqual(errorView(fielded, 'other'), { message: 'm', file: 'a.tnn', field: 'header', offset: 8, kind: 'TnnFormatError' });
});

test('RpcClient: a crashed worker fails its pending requests; with restart the next request starts a new one', async () => {
  const crash = path.join(dir, 'crash.js');
  writeFileSync(crash, `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => { if (m.type === 'crash') process.exit(3); parentPort.postMessage({ id: m.id, ok: true, result: m.type }); });`);
  type Req = { type: 'crash' } | { type: 'echo' };
  const restarting = new RpcClient<Req, { crash: never; echo: string }>(() => new Worker(crash), { name: 'probe', restart: true });
  await assert.rejects(restarting.request({ type: 'crash' }), (e: unknown) => e instanceof WorkerError && /probe exited \(code 3\)/.test(e.message));
  assert.equal(await restarting.request({ type: 'echo' }), 'echo');
  await restarting.dispose();
  const once = new RpcClient<Req, { crash: never; echo: string }>(() => new Worker(crash), { name: 'probe', restart: false });
  await assert.rejects(once.request({ type: 'crash' }), /probe exited/);
  await assert.rejects(once.request({ type: 'echo' }), /probe exited/, 'a failed client stays failed');
  await once.dispose();
});
