/**
 * GGUF round trip: files written by the test writer (reference quantizer
 * arithmetic) list, decode and count back to the trits and scales they were
 * built from, for every decoded type; @huggingface/gguf parses the same files
 * as an independent reader of the header.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gguf } from '@huggingface/gguf';
import { decodeI2S } from '../../../src/core/gguf/i2s';
import { readGgufListing } from '../../../src/core/gguf/listing';
import { decodeTq1_0, decodeTq2_0Codes, dequantizeTq1_0, dequantizeTq2_0, TQ1_DIGIT } from '../../../src/core/gguf/tq';
import { f16ToNumber } from '../../../src/core/weights/half';
import { computeWeightsStats } from '../../../src/core/weights/stats';
import { smallModel } from './fixtures';
import { quantizeTq1_0Ref, quantizeTq2_0Ref } from './writer';

function withFile<T>(bytes: Uint8Array, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gguf-rt-'));
  const file = path.join(dir, 'model.gguf');
  writeFileSync(file, bytes);
  return fn(file).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const count = (trits: Int8Array) => ({ neg: trits.filter((t) => t === -1).length, zero: trits.filter((t) => t === 0).length, pos: trits.filter((t) => t === 1).length });

test('hand-computed TQ1_0 byte: trits (+1, −1, 0, +1, 0) ↔ byte 188', () => {
  // digits 2,0,1,2,1 most significant first = 178; ceil(178·256/243) = 188 (quantize_row_tq1_0_ref).
  const x = new Float32Array(256);
  [1, -1, 0, 1, 0].forEach((t, n) => (x[n * 32] = t));
  const block = quantizeTq1_0Ref(x);
  assert.equal(block[0], 188);
  assert.deepEqual([0, 1, 2, 3, 4].map((n) => TQ1_DIGIT[188 * 5 + n] - 1), [1, -1, 0, 1, 0]);
  assert.equal(block.length, 54);
  assert.equal(f16ToNumber(block[52] | (block[53] << 8)), 1);
  // Element 32·n of the block is digit n of qs[0]; all other bytes encode five zeros: digits 1,1,1,1,1 = 121 → ceil(121·256/243) = 128.
  assert.equal(block[1], 128);
  assert.equal(block[48], Math.ceil((40 * 3 * 256) / 243)); // qh: 1,1,1,1 = 40, ×3 = 120 → 127
});

test('hand-computed TQ2_0 byte: codes least significant first', () => {
  const x = new Float32Array(256);
  [1, -1, 0, 1].forEach((t, n) => (x[n * 32] = t)); // elements 0, 32, 64, 96 → qs[0]
  const block = quantizeTq2_0Ref(x);
  assert.equal(block[0], 2 | (0 << 2) | (1 << 4) | (2 << 6));
  assert.equal(block.length, 66);
});

test('every decoded type round-trips: listing, decoders, dequantizers and streaming counts', async () => {
  const { bytes, tensors } = smallModel();
  await withFile(bytes, async (file) => {
    const listing = await readGgufListing(file);
    assert.equal(listing.format, 'gguf');
    assert.equal(listing.version, 3);
    assert.equal(listing.fileBytes, bytes.length);
    assert.deepEqual(listing.tensors.map((t) => t.name), tensors.map((t) => t.name));
    const bpw: Record<string, number> = {};
    for (const t of listing.tensors) bpw[t.dtype] = t.bitsPerWeight!;
    assert.equal(bpw.TQ1_0, 1.6875);
    assert.equal(bpw.TQ2_0, 2.0625);
    assert.equal(bpw.F16, 16);
    assert.equal(bpw.BF16, 16);
    assert.equal(bpw.F32, 32);
    assert.equal(listing.tensors.find((t) => t.dtype === 'I2_S')!.bitsPerWeight, 2 + (32 * 8) / 512);
    assert.deepEqual(listing.tensors[1].shape, [2, 256], 'ne [256, 2] lists as shape [2, 256]');
    assert.equal(listing.metadata['general.architecture'], 'bitnet');
    assert.deepEqual(listing.metadata['tokenizer.ggml.tokens'], { type: 'array', elementType: 'string', length: 100, head: ['tok0', 'tok1', 'tok2', 'tok3', 'tok4', 'tok5', 'tok6', 'tok7'] });
    assert.equal(listing.metadata['test.u64'], 2 ** 40);
    assert.deepEqual(listing.metadata['test.nested'], [[1, 2], ['a']]);

    const stats = await computeWeightsStats(listing, { chunkBytes: 1 << 16 });
    for (const known of tensors) {
      const info = listing.tensors.find((t) => t.name === known.name)!;
      const s = stats.tensors.find((t) => t.name === known.name)!;
      const payload = bytes.subarray(info.offset, info.offset + info.byteLength);
      assert.deepEqual(payload, known.data, `${known.name}: payload at the listed offset`);
      if (known.trits) {
        assert.equal(s.ternary, true, known.name);
        assert.deepEqual(s.trits, count(known.trits), `${known.name}: streamed trit counts`);
        const nb = known.trits.length / 256;
        if (info.dtype === 'TQ1_0') {
          const d = decodeTq1_0(payload, nb);
          assert.deepEqual(d.trits, known.trits, `${known.name}: decoded TQ1_0 trits`);
          assert.deepEqual([...d.scaleBits].map(f16ToNumber), known.scales);
          assert.deepEqual(dequantizeTq1_0(payload, nb), Float32Array.from(known.trits, (t, k) => t * known.scales![Math.floor(k / 256)]));
        } else if (info.dtype === 'TQ2_0') {
          const d = decodeTq2_0Codes(payload, nb);
          assert.deepEqual(Int8Array.from(d.codes, (c) => c - 1), known.trits);
          assert.deepEqual(dequantizeTq2_0(payload, nb), Float32Array.from(known.trits, (t, k) => t * known.scales![Math.floor(k / 256)]));
        } else {
          const d = decodeI2S(payload, known.trits.length);
          assert.deepEqual(Int8Array.from(d.codes, (c) => c - 1), known.trits);
          assert.equal(d.scale, known.scales![0]);
        }
        const finite = known.scales!;
        assert.equal(s.scales!.min, Math.min(...finite));
        assert.equal(s.scales!.max, Math.max(...finite));
        assert.ok(Math.abs(s.scales!.mean - finite.reduce((a, b) => a + b, 0) / finite.length) < 1e-12);
        assert.equal(s.scales!.histogram.counts.reduce((a, b) => a + b, 0), finite.length);
      } else {
        assert.equal(s.values!.count, known.values!.length, known.name);
        assert.equal(s.values!.min, Math.min(...known.values!));
        assert.equal(s.values!.max, Math.max(...known.values!));
      }
    }
    // BF16 output holds {−1, −0.5, 0, 0.5, 1}: two magnitudes, so not ternary; the F16 embedding has many.
    assert.equal(stats.tensors.find((t) => t.name === 'output.weight')!.ternary, false);
    assert.equal(stats.tensors.find((t) => t.name === 'token_embd.weight')!.ternary, false);
    assert.equal(stats.bytesRead, listing.tensors.reduce((a, t) => a + t.byteLength, 0));
  });
});

test('@huggingface/gguf (independent reader) agrees on metadata, tensor names, shapes, types and offsets', async () => {
  const { bytes } = smallModel();
  await withFile(bytes, async (file) => {
    const ours = await readGgufListing(file);
    const theirs = await gguf(file, { allowLocalFile: true });
    const meta = theirs.metadata as Record<string, unknown>;
    assert.equal(meta['general.name'], ours.metadata['general.name']);
    assert.equal(Number(meta['bitnet.context_length']), ours.metadata['bitnet.context_length']);
    assert.equal(Number(meta['test.i64']), ours.metadata['test.i64']);
    assert.equal(theirs.tensorInfos.length, ours.tensors.length);
    theirs.tensorInfos.forEach((t, i) => {
      const o = ours.tensors[i];
      assert.equal(t.name, o.name);
      assert.deepEqual(t.shape.map(Number).reverse(), o.shape);
      assert.equal(Number(theirs.tensorDataOffset) + Number(t.offset), o.offset);
      assert.equal(t.dtype, [34, 35, 36, 0, 1, 30][['TQ1_0', 'TQ2_0', 'I2_S', 'F32', 'F16', 'BF16'].indexOf(o.dtype)]);
    });
  });
});

test('streaming statistics honour the AbortSignal and report progress to the end', async () => {
  const { bytes } = smallModel();
  await withFile(bytes, async (file) => {
    const listing = await readGgufListing(file);
    const seen: number[] = [];
    const stats = await computeWeightsStats(listing, { chunkBytes: 1 << 16, onProgress: (p) => seen.push(p.bytesDone / p.bytesTotal) });
    assert.equal(seen.at(-1), 1);
    assert.ok(stats.tensors.length > 0);
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(computeWeightsStats(listing, { signal: ac.signal }), /cancelled/);
  });
});
