/**
 * Fuzz of the GGUF reader, as test/unit/format/fuzz.test.ts fuzzes the .tnn
 * reader: every prefix of a small file, random byte flips / inserts / deletes,
 * huge counts and lengths, bad and overlapping offsets, unknown types and bad
 * alignments. Every mutant either lists (and then streams statistics without
 * error) or throws WeightsFormatError naming the file, a field and a byte offset
 * inside the file; memory stays bounded throughout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listGgufBytes } from '../../../src/core/gguf/listing';
import { parseGgufHeader } from '../../../src/core/gguf/reader';
import { WeightsFormatError } from '../../../src/core/weights/errors';
import { computeWeightsStats } from '../../../src/core/weights/stats';
import { mulberry32 } from '../../../src/core/rng';
import { smallModel } from './fixtures';

const FILE = 'mutant.gguf';
const RUNS = Number(process.env.GGUF_FUZZ_RUNS) || 6000;

/** Byte positions of the structured fields of a valid file, from its own header. */
function fieldMap(bytes: Uint8Array) {
  const h = parseGgufHeader(bytes, bytes.length, FILE);
  const keyLen = (at: number) => Number(new DataView(bytes.buffer, bytes.byteOffset + at, 8).getBigUint64(0, true));
  const tensors = h.tensors.map((t) => {
    const typeAt = t.infoOffset + 8 + keyLen(t.infoOffset) + 4 + 8 * t.ne.length;
    return { neAt: t.infoOffset + 8 + keyLen(t.infoOffset) + 4, nDims: t.ne.length, typeAt, offsetAt: typeAt + 4, relOffset: t.relOffset };
  });
  const kvs = h.kvs.map((kv) => ({ ...kv, valueAt: kv.offset + 8 + keyLen(kv.offset) + 4 }));
  return { h, tensors, kvs };
}

type Kind = 'flip' | 'truncate' | 'insert' | 'delete' | 'huge-count' | 'huge-length' | 'huge-dim' | 'offset' | 'overlap' | 'type' | 'alignment' | 'version';
const KINDS: Kind[] = ['flip', 'truncate', 'insert', 'delete', 'huge-count', 'huge-length', 'huge-dim', 'offset', 'overlap', 'type', 'alignment', 'version'];
const HUGE = [2n ** 64n - 1n, 2n ** 63n, 2n ** 53n, 2n ** 40n, 2n ** 32n + 1n, 10n ** 9n, 123456789n];

function mutate(base: Uint8Array, map: ReturnType<typeof fieldMap>, kind: Kind, rand: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(rand() * n);
  const out = base.slice();
  const dv = new DataView(out.buffer);
  const t = map.tensors[pick(map.tensors.length)];
  switch (kind) {
    case 'flip':
      for (let i = 0, n = 1 + pick(4); i < n; i++) out[pick(Math.min(out.length, map.h.dataStart + 64))] ^= 1 + pick(255);
      return out;
    case 'truncate':
      return out.subarray(0, pick(out.length));
    case 'insert':
    case 'delete': {
      const at = pick(map.h.dataStart);
      return kind === 'insert' ? Buffer.concat([out.subarray(0, at), Uint8Array.of(pick(256)), out.subarray(at)]) : Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]);
    }
    case 'huge-count':
      dv.setBigUint64(pick(2) ? 8 : 16, HUGE[pick(HUGE.length)], true);
      return out;
    case 'huge-length': {
      // A string length (key or value) or an array length.
      const kv = map.kvs[pick(map.kvs.length)];
      const at = pick(2) ? kv.offset : kv.type === 'array' ? kv.valueAt + 4 : kv.type === 'string' ? kv.valueAt : kv.offset;
      dv.setBigUint64(at, HUGE[pick(HUGE.length)], true);
      return out;
    }
    case 'huge-dim':
      if (t.nDims) dv.setBigUint64(t.neAt + 8 * pick(t.nDims), HUGE[pick(HUGE.length)], true);
      else dv.setUint32(t.neAt - 4, 5 + pick(1000), true);
      return out;
    case 'offset':
      dv.setBigUint64(t.offsetAt, BigInt(Math.max(0, t.relOffset + [1, -32, 32, 64, 2 ** 20, 2 ** 40][pick(6)])), true);
      return out;
    case 'overlap': {
      const other = map.tensors[pick(map.tensors.length)];
      dv.setBigUint64(t.offsetAt, BigInt(other.relOffset + 32 * pick(2)), true);
      return out;
    }
    case 'type':
      dv.setUint32(t.typeAt, [2, 8, 12, 31, 36, 37, 38, 39, 40, 41, 42, 43, 99, 2 ** 31, 2 ** 32 - 1][pick(15)], true);
      return out;
    case 'alignment': {
      const kv = map.kvs.find((k) => k.key === 'general.alignment')!;
      if (pick(2)) dv.setUint32(kv.valueAt, [0, 1, 3, 16, 48, 64, 2 ** 31, 2 ** 32 - 1][pick(8)], true);
      else dv.setUint32(kv.valueAt - 4, [0, 5, 6, 10, 13, 2 ** 31][pick(6)], true); // its value type
      return out;
    }
    case 'version':
      dv.setUint32(4, [0, 1, 2, 4, 0x03000000, 2 ** 32 - 1][pick(6)], true);
      return out;
  }
}

function checkError(e: unknown, size: number, kind: string): void {
  if (!(e instanceof WeightsFormatError)) throw new Error(`non-format error for ${kind} mutant: ${(e as Error)?.stack ?? e}`);
  assert.ok(e.message.startsWith(`${FILE}: `), e.message);
  assert.ok(e.field.length > 0, e.message);
  assert.ok(e.offset !== undefined && e.offset >= 0 && e.offset <= Math.max(size, 2 ** 32), `offset missing or wild: ${e.message}`);
}

test('mutation fuzz: every GGUF mutant lists (and streams) or throws WeightsFormatError with file, field and offset', async () => {
  const base = smallModel().bytes;
  const map = fieldMap(base);
  const rand = mulberry32(2024);
  const dir = mkdtempSync(path.join(tmpdir(), 'gguf-fuzz-'));
  const disk = path.join(dir, FILE);
  const outcomes: Record<string, { listed: number; rejected: number }> = {};
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  try {
    for (let i = 0; i < RUNS; i++) {
      const kind = KINDS[i % KINDS.length];
      const mutant = mutate(base, map, kind, rand);
      const o = (outcomes[kind] ??= { listed: 0, rejected: 0 });
      let listing;
      try {
        listing = listGgufBytes(mutant, FILE);
      } catch (e) {
        checkError(e, mutant.length, kind);
        o.rejected++;
        continue;
      }
      o.listed++;
      // A mutant that lists must also stream: statistics never throw anything but format errors.
      if (o.listed % 4 === 1) {
        writeFileSync(disk, mutant);
        try {
          const stats = await computeWeightsStats({ ...listing, file: FILE }, { path: disk });
          assert.equal(stats.tensors.length, listing.tensors.length);
        } catch (e) {
          checkError(e, mutant.length, `${kind} (stats)`);
        }
      }
      if (i % 500 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  const summary = Object.entries(outcomes).map(([k, v]) => `${k} ${v.rejected}/${v.listed + v.rejected} rejected`).join(', ');
  console.log(`gguf mutation fuzz: ${RUNS} mutants; ${summary}; RSS growth ${((peak - rss0) / 2 ** 20).toFixed(0)} MiB`);
  const rejected = Object.values(outcomes).reduce((s, v) => s + v.rejected, 0);
  assert.ok(rejected > RUNS / 2, `only ${rejected} of ${RUNS} rejected`);
  for (const k of ['huge-count', 'truncate', 'overlap', 'version']) assert.ok(outcomes[k].rejected > 0, `${k} never rejected`);
  assert.ok(peak - rss0 < 256 * 2 ** 20, `RSS grew by ${peak - rss0} bytes`);
});

test('exhaustive truncation: every prefix of a GGUF file is rejected with its offset', () => {
  const file = smallModel().bytes;
  for (let n = 0; n < file.length; n++) {
    try {
      listGgufBytes(file.subarray(0, n), FILE);
      assert.fail(`prefix ${n} listed`);
    } catch (e) {
      checkError(e, n, `prefix ${n}`);
    }
  }
  console.log(`gguf truncation: ${file.length} prefixes rejected`);
});

test('random bytes behind a GGUF magic: only WeightsFormatError', () => {
  const rand = mulberry32(7);
  let n = 0;
  for (let i = 0; i < 2000; i++) {
    const bytes = Uint8Array.from({ length: 8 + Math.floor(rand() * 300) }, () => Math.floor(rand() * 256));
    bytes.set([0x47, 0x47, 0x55, 0x46]);
    if (rand() < 0.5) bytes.set([3, 0, 0, 0], 4);
    try {
      listGgufBytes(bytes, FILE);
    } catch (e) {
      checkError(e, bytes.length, 'random');
      n++;
    }
  }
  console.log(`gguf random inputs: ${n} of 2000 rejected`);
  assert.ok(n > 1900);
});
