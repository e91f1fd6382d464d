/**
 * Fuzz of the safetensors checkpoint reader (the shared safetensors header
 * validation plus BitNet detection and probes) and of streaming statistics over
 * what it lists: every prefix, byte flips, header-length edits, JSON edits
 * (unknown dtypes, huge shapes, bad and overlapping offsets), trailing bytes.
 * Each mutant lists and streams, or throws a format error naming the file and
 * the field (and the byte offset where the field has one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packBitnetWeights } from '../../../src/core/checkpoint/bitnet-packed';
import { readSafetensorsListing } from '../../../src/core/checkpoint/listing';
import { TnnFormatError } from '../../../src/core/errors';
import { serializeSafetensors } from '../../../src/core/format/safetensors';
import { mulberry32 } from '../../../src/core/rng';
import { WeightsFormatError } from '../../../src/core/weights/errors';
import { computeWeightsStats } from '../../../src/core/weights/stats';
import { randomTrits } from '../gguf/fixtures';

const RUNS = Number(process.env.ST_FUZZ_RUNS) || 3000;

function baseFile(): Uint8Array {
  const { packed, storedShape } = packBitnetWeights(randomTrits(16 * 8, 3), [16, 8]);
  const half = new Uint8Array(64 * 2);
  for (let i = 0; i < 64; i++) new DataView(half.buffer).setUint16(i * 2, [0x0000, 0x3c00, 0xbc00][i % 3], true);
  return serializeSafetensors([
    { name: 'model.layers.0.mlp.up_proj.weight', dtype: 'U8', shape: storedShape, data: packed },
    { name: 'model.layers.0.mlp.up_proj.weight_scale', dtype: 'F32', shape: [1], data: new Uint8Array(new Float32Array([2]).buffer) },
    { name: 'model.layers.0.self_attn.q_proj.weight', dtype: 'F16', shape: [8, 8], data: half },
    { name: 'model.norm.weight', dtype: 'BF16', shape: [8], data: new Uint8Array(16) },
  ], { format: 'pt' });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- mutated freely below
function split(file: Uint8Array): { header: Record<string, any>; data: Uint8Array } {
  const n = Number(new DataView(file.buffer, file.byteOffset, 8).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n))), data: file.subarray(8 + n) };
}

function join(header: unknown, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

type Kind = 'flip' | 'data-flip' | 'truncate' | 'extend' | 'header-length' | 'dtype' | 'shape' | 'offsets' | 'overlap' | 'rename';
const KINDS: Kind[] = ['flip', 'data-flip', 'truncate', 'extend', 'header-length', 'dtype', 'shape', 'offsets', 'overlap', 'rename'];

function mutate(base: Uint8Array, kind: Kind, rand: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(rand() * n);
  const out = base.slice();
  const { header, data } = split(base);
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const e = header[names[pick(names.length)]];
  switch (kind) {
    case 'flip':
      for (let i = 0, n = 1 + pick(3); i < n; i++) out[pick(out.length - data.length)] ^= 1 + pick(255);
      return out;
    case 'data-flip':
      out[out.length - 1 - pick(data.length)] ^= 1 + pick(255);
      return out;
    case 'truncate':
      return out.subarray(0, pick(out.length));
    case 'extend':
      return Buffer.concat([out, new Uint8Array(1 + pick(9))]);
    case 'header-length':
      new DataView(out.buffer).setUint32(pick(2) * 4, [0, 1, 7, 2 ** 31, 2 ** 32 - 1, 200_000_000][pick(6)], true);
      return out;
    case 'dtype':
      e.dtype = ['F8_E4M3', 'U16', 'I4', '', 'f32', 'COMPLEX64', 'BOOL', 'I64'][pick(8)];
      return join(header, data);
    case 'shape':
      e.shape = [[1e15, 1e15], [2 ** 53], [-1, 4], [0], [1.5], [], 'x', [4, 4, 4, 4, 4, 4, 4, 4, 4]][pick(9)];
      return join(header, data);
    case 'offsets':
      e.data_offsets = [[0, 2 ** 40], [-1, 3], [5, 2], [0, 0], [1, 1e300], 'x', [0]][pick(7)];
      return join(header, data);
    case 'overlap': {
      const other = header[names[pick(names.length)]];
      e.data_offsets = [...other.data_offsets];
      return join(header, data);
    }
    case 'rename':
      header[['__proto__', '', 'x'.repeat(5000), names[0] + '_scale'][pick(4)]] = e;
      delete header[names[pick(names.length)]];
      return join(header, data);
  }
}

test('mutation fuzz: every safetensors mutant lists and streams, or throws a format error naming file and field', async () => {
  const base = baseFile();
  const dir = mkdtempSync(path.join(tmpdir(), 'st-fuzz-'));
  const file = path.join(dir, 'model.safetensors');
  const rand = mulberry32(99);
  const outcomes: Record<string, { listed: number; rejected: number }> = {};
  try {
    for (let i = 0; i < RUNS; i++) {
      const kind = KINDS[i % KINDS.length];
      writeFileSync(file, mutate(base, kind, rand));
      const o = (outcomes[kind] ??= { listed: 0, rejected: 0 });
      try {
        const listing = await readSafetensorsListing(file);
        await computeWeightsStats(listing);
        o.listed++;
      } catch (e) {
        if (!(e instanceof TnnFormatError || e instanceof WeightsFormatError)) throw new Error(`non-format error for ${kind}: ${(e as Error)?.stack ?? e}`);
        assert.ok(e.message.startsWith(`${file}: `), e.message);
        assert.ok(e.field.length > 0);
        assert.ok(e.offset !== undefined && e.offset >= 0, `no byte offset: ${e.message}`);
        o.rejected++;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const summary = Object.entries(outcomes).map(([k, v]) => `${k} ${v.rejected}/${v.listed + v.rejected} rejected`).join(', ');
  console.log(`safetensors mutation fuzz: ${RUNS} mutants; ${summary}`);
  for (const k of ['truncate', 'header-length', 'dtype', 'shape', 'offsets', 'overlap']) assert.ok(outcomes[k].rejected > 0, `${k} never rejected`);
  assert.equal(outcomes['data-flip'].rejected, 0, 'flipped data bytes are data, not format errors');
});

test('exhaustive truncation: every prefix of a checkpoint is rejected with a byte offset', async () => {
  const base = baseFile();
  const dir = mkdtempSync(path.join(tmpdir(), 'st-trunc-'));
  const file = path.join(dir, 'cut.safetensors');
  try {
    for (let n = 0; n < base.length; n++) {
      writeFileSync(file, base.subarray(0, n));
      await assert.rejects(readSafetensorsListing(file), (e: unknown) => (e instanceof TnnFormatError || e instanceof WeightsFormatError) && e.offset !== undefined, `prefix ${n}`);
    }
    console.log(`safetensors truncation: ${base.length} prefixes rejected`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
