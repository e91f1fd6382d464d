/**
 * The model viewer's inspect worker (dist/workers/inspect.js, built by
 * esbuild.mjs) on weights-only files: `open` answers the header and table,
 * `weightsStats` streams progress with finished tensors in file order and ends
 * with exact counts; `cancelStats` stops a pass; disposing the client (the view
 * closed) terminates the worker mid-pass.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InspectClient } from '../../../src/extension/editor/inspectClient';
import { WorkerError } from '../../../src/shared/rpc';
import type { WeightsStatsProgress } from '../../../src/shared/weightsView';
import { viewerGguf, writeBitnetCheckpoint } from '../../fixtures/weights-models';
import { ggufFile } from '../gguf/writer';

const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-weights-worker-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A GGUF of two 16 MiB F16 matrices, 512 chunks of 64 KiB: long enough to stop mid-way, and two parts when split. */
function bigGguf(): string {
  const file = path.join(dir, 'big.gguf');
  const data = new Uint8Array(16 << 20);
  for (let i = 0; i < data.length; i += 2) data[i + 1] = 0x3c; // f16 1.0
  const kvs = { 'general.architecture': { type: 'string', value: 'bitnet' } } as const;
  writeFileSync(file, ggufFile(kvs, [0, 1].map((b) => ({ name: `blk.${b}.ffn_up.weight`, ne: [4096, 2048], typeId: 1, data }))));
  return file;
}

test('open lists a GGUF from its header; statistics stream in file order and end with exact trit counts', async () => {
  const model = viewerGguf();
  const file = path.join(dir, 'viewer.gguf');
  writeFileSync(file, model.bytes);
  const client = new InspectClient(process.cwd());
  try {
    const opened = await client.open(file, null);
    assert.equal(opened.kind, 'weights');
    if (opened.kind !== 'weights') return;
    assert.equal(opened.view.rows.length, model.tensors.length);
    const progress: WeightsStatsProgress[] = [];
    const done = await client.weightsStats((p) => progress.push(p), 1 << 16);
    assert.ok(progress.length >= 1 && progress[0].bytesDone === 0, 'a first progress message at once (the bar shows)');
    assert.ok(progress.every((p, i) => i === 0 || p.bytesDone >= progress[i - 1].bytesDone), 'bytes only grow');
    assert.ok(progress.every((p) => p.bytesTotal === opened.view.statsBytes));
    const streamed = progress.flatMap((p) => p.rows.map((r) => r.index));
    assert.equal(new Set(streamed).size, streamed.length, 'each tensor streamed at most once');
    const offsets = streamed.map((i) => opened.view.rows[i].offset);
    assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), 'in file order');
    for (const [name, counts] of Object.entries(model.counts)) {
      const i = opened.view.rows.findIndex((r) => r.name === name);
      assert.deepEqual(done.rows.find((r) => r.index === i)?.trits, counts, name);
    }
    assert.equal(done.bytesRead, opened.view.statsBytes);
    // A second request reuses the finished pass; the summary (Open as JSON) has the same counts.
    assert.deepEqual(await client.weightsStats(() => undefined), done);
    const summary = (await client.summary(null, 200)) as { format: string; cost: { bandwidthGBs: number }; layers: Array<{ name: string; trits: unknown }> };
    assert.equal(summary.format, 'gguf');
    assert.equal(summary.cost.bandwidthGBs, 200);
    assert.deepEqual(summary.layers.find((l) => l.name === 'blk.2.ffn_up.weight')?.trits, model.counts['blk.2.ffn_up.weight']);
    // `load` (a graph model for compare) refuses a weights-only file with a message naming it.
    await assert.rejects(client.load(file, null), (e: unknown) => e instanceof WorkerError && /viewer\.gguf: holds weights only/.test(e.view.message));
    // The same pass split across this worker and a helper gives the same rows (a fresh open forgets the result).
    await client.open(file, null);
    const split = await client.weightsStats(() => undefined, 1 << 16, 2);
    assert.deepEqual(split.rows, done.rows);
    assert.deepEqual(split.depth, done.depth);
  } finally {
    client.dispose();
  }
});

test('a packed BitNet safetensors checkpoint opens with its config and exact counts', async () => {
  const sub = mkdtempSync(path.join(dir, 'st-'));
  const m = writeBitnetCheckpoint(sub);
  const client = new InspectClient(process.cwd());
  try {
    const opened = await client.open(m.file, null);
    assert.ok(opened.kind === 'weights');
    if (opened.kind !== 'weights') return;
    assert.equal(opened.view.header.format, 'safetensors');
    assert.equal(opened.view.header.contextLength, 4096);
    const done = await client.weightsStats(() => undefined);
    for (const [name, counts] of Object.entries(m.counts)) {
      const i = opened.view.rows.findIndex((r) => r.name === name);
      assert.ok(opened.view.rows[i].ternary && opened.view.rows[i].ternarySource === 'packed', name);
      assert.deepEqual(done.rows.find((r) => r.index === i)?.trits, counts, name);
    }
    const scale = opened.view.rows.find((r) => r.name.endsWith('q_proj.weight_scale'))!;
    assert.equal(scale.role, 'scale');
    assert.equal(scale.matmul, false);
  } finally {
    client.dispose();
  }
});

for (const threads of [1, 2] as const)
test(`cancelStats stops a pass mid-way with WeightsAbortError (${threads} thread${threads > 1 ? 's' : ''}); the worker stays usable`, async () => {
  const file = bigGguf();
  const client = new InspectClient(process.cwd());
  try {
    await client.open(file, null);
    let last: WeightsStatsProgress | null = null;
    let cancelled: Promise<boolean> | null = null;
    const run = client.weightsStats((p) => {
      last = p;
      cancelled ??= client.cancelStats();
    }, 1 << 16, threads);
    await assert.rejects(run, (e: unknown) => e instanceof WorkerError && e.view.kind === 'WeightsAbortError' && /big\.gguf: statistics cancelled/.test(e.view.message));
    assert.equal(await cancelled, true);
    const p = last as WeightsStatsProgress | null;
    assert.ok(p && p.bytesDone < p.bytesTotal, `stopped before the end (${p?.bytesDone} of ${p?.bytesTotal})`);
    assert.equal(await client.cancelStats(), false, 'nothing runs any more');
    const again = await client.weightsStats(() => undefined);
    assert.equal(again.bytesRead, 32 << 20, 'a new pass runs to the end');
    assert.equal(again.rows.length, 2);
  } finally {
    client.dispose();
  }
});

test('disposing the client (the view closed) terminates the worker during a pass', async () => {
  const file = path.join(dir, 'big.gguf');
  const client = new InspectClient(process.cwd());
  const exited = new Promise<number>((resolve) => client.onWorkerExit(resolve));
  await client.open(file, null);
  let disposedAt = -1;
  const run = client.weightsStats((p) => {
    if (disposedAt < 0) {
      disposedAt = p.bytesDone;
      client.dispose();
    }
  }, 1 << 16, 2);
  await assert.rejects(run, (e: unknown) => e instanceof WorkerError && /inspect worker stopped/.test(e.message));
  const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), 10_000))]);
  assert.equal(typeof code, 'number', 'the worker thread exited');
  assert.ok(disposedAt < 32 << 20);
});
