/**
 * CLI over weights-only models: `inspect --json` on GGUF and safetensors (the
 * inspect contract, exact counts), `convert` to a weights-only .tnn that the
 * .tnn reader accepts, holding the same trits and scales, and that inspect shows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readTnnFile, unpackTrits } from '../../../src/core/format/index';
import { isPacked } from '../../../src/core/graph/types';
import { packBitnetWeights } from '../../../src/core/checkpoint/bitnet-packed';
import { serializeSafetensors } from '../../../src/core/format/safetensors';
import { cli } from '../cli/cli-helpers';
import { randomTrits, smallModel } from './fixtures';

const counts = (t: Int8Array) => ({ neg: t.filter((x) => x === -1).length, zero: t.filter((x) => x === 0).length, pos: t.filter((x) => x === 1).length });

test('inspect model.gguf --json: contract keys, one layer per tensor, exact trits, bits per weight per type', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gguf-cli-'));
  try {
    const { bytes, tensors } = smallModel();
    const file = path.join(dir, 'model.gguf');
    writeFileSync(file, bytes);
    const r = await cli('inspect', file, '--json', '--bandwidth', '100');
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.format, 'gguf');
    for (const k of ['format', 'version', 'layers', 'totals', 'model', 'depth', 'cost']) assert.ok(k in s, k);
    assert.equal(s.layers.length, tensors.length);
    for (const l of s.layers) for (const k of ['name', 'op', 'ternary', 'shape', 'thresholds', 'scale', 'gamma', 'trits', 'entropyBits', 'relError', 'params', 'dtype', 'bitsPerWeight', 'scales']) assert.ok(k in l, `${l.name}.${k}`);
    for (const known of tensors.filter((t) => t.trits)) assert.deepEqual(s.layers.find((l: { name: string }) => l.name === known.name).trits, counts(known.trits!), known.name);
    const byType = Object.fromEntries(s.totals.byType.map((t: { dtype: string; bitsPerWeight: number }) => [t.dtype, t.bitsPerWeight]));
    assert.equal(byType.TQ1_0, 1.6875);
    assert.equal(byType.TQ2_0, 2.0625);
    assert.equal(s.model.architecture, 'bitnet');
    assert.equal(s.model.contextLength, 4096);
    assert.equal(s.model.vocabularySize, 100);
    assert.equal(s.cost.bandwidthGBs, 100);
    assert.deepEqual(s.layers.map((l: { block: number | null }) => l.block), [0, 0, 0, 0, 1, 1, 1, null, null], 'grouped by block, then the rest');
    assert.deepEqual(s.depth.map((d: { block: number }) => d.block), [0, 1]);
    const text = await cli('inspect', file);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /blk\.0\.attn_q\.weight\s+TQ1_0\s+2×256/);
    assert.match(text.stdout, /tokens\/s at 50 GB\/s/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('convert model.gguf -o model.tnn: the .tnn reader accepts it, trits and block scales survive, inspect shows it', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gguf-convert-'));
  try {
    const { bytes, tensors } = smallModel();
    const file = path.join(dir, 'model.gguf');
    const out = path.join(dir, 'model.tnn');
    writeFileSync(file, bytes);
    const r = await cli('convert', file, '-o', out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /5 ternary tensors/);
    const model = await readTnnFile(out); // full .tnn validation: header, graph, checksum, packed bytes
    assert.equal(model.graph.layers.length, 0);
    for (const known of tensors.filter((t) => t.trits)) {
      const t = model.tensors.get(known.name)!;
      assert.ok(isPacked(t), known.name);
      assert.deepEqual(unpackTrits(t.bytes, t.count), known.trits, `${known.name}: trits`);
      const scales = model.tensors.get(`${known.name}.scales`)!;
      assert.ok(!isPacked(scales));
      assert.deepEqual([...scales.data], known.scales, `${known.name}: scales`);
    }
    const emb = model.tensors.get('token_embd.weight')!;
    assert.ok(!isPacked(emb) && emb.data.length === 1024);
    const meta = JSON.parse(readFileSync(out).subarray(8, 8 + Number(new DataView(readFileSync(out).buffer).getBigUint64(0, true))).toString()).__metadata__;
    assert.equal(JSON.parse(meta.weight_scales)['blk.0.attn_q.weight'].block, 256);
    assert.equal(JSON.parse(meta.source).metadata['general.architecture'], 'bitnet');

    const inspect = await cli('inspect', out, '--json');
    assert.equal(inspect.code, 0, inspect.stderr);
    const s = JSON.parse(inspect.stdout);
    assert.equal(s.format, 'tnn');
    const g = JSON.parse((await cli('inspect', file, '--json')).stdout);
    for (const known of tensors.filter((t) => t.trits)) {
      const a = s.layers.find((l: { name: string }) => l.name === known.name);
      const b = g.layers.find((l: { name: string }) => l.name === known.name);
      assert.deepEqual(a.trits, b.trits, `${known.name}: same counts from .gguf and .tnn`);
      assert.deepEqual([a.scales.min, a.scales.max], [b.scales.min, b.scales.max]);
    }
    assert.equal(s.totals.trits, g.totals.trits);

    const again = await cli('convert', file, '-o', out);
    assert.equal(again.code, 2, 'refuses to overwrite without --force');
    const size = statSync(out).size;
    assert.equal((await cli('convert', file, '-o', out, '--force')).code, 0);
    assert.equal(statSync(out).size, size);
    assert.equal((await cli('convert', file, '-o', file)).code, 2, 'never writes over the source');
    assert.equal(statSync(file).size, bytes.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('inspect and convert a packed BitNet safetensors checkpoint', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'st-cli-'));
  try {
    const trits = randomTrits(32 * 16, 5);
    const { packed, storedShape } = packBitnetWeights(trits, [32, 16]);
    const scale = new Uint8Array(new Float32Array([4]).buffer);
    const file = path.join(dir, 'model.safetensors');
    writeFileSync(file, serializeSafetensors([
      { name: 'model.layers.0.mlp.down_proj.weight', dtype: 'U8', shape: storedShape, data: packed },
      { name: 'model.layers.0.mlp.down_proj.weight_scale', dtype: 'F32', shape: [1], data: scale },
    ], { format: 'pt' }));
    const r = await cli('inspect', file, '--json');
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.format, 'safetensors');
    const l = s.layers.find((x: { name: string }) => x.name === 'model.layers.0.mlp.down_proj.weight');
    assert.deepEqual(l.trits, counts(trits));
    assert.equal(l.scale.pos, 0.25, 'BitLinear: value = trit / weight_scale');
    assert.equal(s.totals.bitsPerTrit, 2);
    const out = path.join(dir, 'm.tnn');
    assert.equal((await cli('convert', file, '-o', out)).code, 0);
    const model = await readTnnFile(out);
    const t = model.tensors.get('model.layers.0.mlp.down_proj.weight')!;
    assert.ok(isPacked(t));
    assert.deepEqual(t.shape, [32, 16]);
    assert.deepEqual(unpackTrits(t.bytes, t.count), trits);
    const sc = model.tensors.get('model.layers.0.mlp.down_proj.weight.scales')!;
    assert.ok(!isPacked(sc) && sc.data[0] === 0.25);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
