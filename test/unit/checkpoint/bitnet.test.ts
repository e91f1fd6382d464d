/**
 * Hugging Face BitNet checkpoints: the transformers bit order (its own docstring
 * example in `unpack_weights` is the fixed vector), pack/unpack round trips,
 * and listing + statistics of packed and unpacked ternary safetensors files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packBitnetWeights, unpackBitnetWeights } from '../../../src/core/checkpoint/bitnet-packed';
import { readSafetensorsListing } from '../../../src/core/checkpoint/listing';
import { serializeSafetensors } from '../../../src/core/format/safetensors';
import { numberToF16 } from '../../../src/core/weights/half';
import { computeWeightsStats } from '../../../src/core/weights/stats';
import { randomTrits } from '../gguf/fixtures';

test("transformers' unpack_weights docstring example decodes as documented", () => {
  // packed = [[0b10100001, 0b00011000], [0b10010000, 0b00001010]] → 8×2 rows listed in transformers/integrations/bitnet.py.
  const packed = Uint8Array.from([0b10100001, 0b00011000, 0b10010000, 0b00001010]);
  const expected = [[0, -1], [-1, 1], [-1, 1], [-1, 1], [1, 0], [0, -1], [1, -1], [1, -1]].flat();
  assert.deepEqual([...unpackBitnetWeights(packed, [2, 2])], expected);
  assert.deepEqual(packBitnetWeights(Int8Array.from(expected), [8, 2]).packed, packed);
});

test('pack_weights / unpack_weights round trip for random matrices', () => {
  for (const [rows, cols, seed] of [[4, 3, 1], [64, 17, 2], [128, 256, 3]]) {
    const trits = randomTrits(rows * cols, seed);
    const { packed, storedShape } = packBitnetWeights(trits, [rows, cols]);
    assert.deepEqual(storedShape, [rows / 4, cols]);
    assert.deepEqual(unpackBitnetWeights(packed, storedShape), trits);
  }
});

const f16Bytes = (values: number[]) => {
  const b = new Uint8Array(values.length * 2);
  values.forEach((v, i) => new DataView(b.buffer).setUint16(i * 2, numberToF16(v), true));
  return b;
};
const bf16Bytes = (values: number[]) => {
  const f = Float32Array.from(values);
  const b = new Uint8Array(values.length * 2);
  new Uint32Array(f.buffer).forEach((w, i) => new DataView(b.buffer).setUint16(i * 2, w >>> 16, true));
  return b;
};
const counts = (t: Int8Array) => ({ neg: t.filter((x) => x === -1).length, zero: t.filter((x) => x === 0).length, pos: t.filter((x) => x === 1).length });

function checkpoint(dir: string, config?: object): { file: string; packedTrits: Int8Array; unpackedTrits: Int8Array } {
  const packedTrits = randomTrits(64 * 32, 7);
  const { packed, storedShape } = packBitnetWeights(packedTrits, [64, 32]);
  const unpackedTrits = randomTrits(16 * 32, 8);
  const s = 0.03125;
  const bytes = serializeSafetensors(
    [
      { name: 'model.layers.0.self_attn.q_proj.weight', dtype: 'U8', shape: storedShape, data: packed },
      { name: 'model.layers.0.self_attn.q_proj.weight_scale', dtype: 'BF16', shape: [1], data: bf16Bytes([2]) },
      { name: 'model.layers.1.mlp.up_proj.weight', dtype: 'F16', shape: [16, 32], data: f16Bytes([...unpackedTrits].map((t) => t * s)) },
      { name: 'model.embed_tokens.weight', dtype: 'F16', shape: [8, 32], data: f16Bytes(Array.from({ length: 256 }, (_, i) => (i % 9) / 16 - 0.25)) },
      { name: 'model.norm.weight', dtype: 'F32', shape: [32], data: new Uint8Array(Float32Array.from({ length: 32 }, () => 1).buffer) },
    ],
    { format: 'pt' },
  );
  const file = path.join(dir, 'model.safetensors');
  writeFileSync(file, bytes);
  if (config) writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  return { file, packedTrits, unpackedTrits };
}

test('packed + unpacked ternary safetensors: listing, exact trit counts, scale conventions', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'st-bitnet-'));
  try {
    for (const [config, scale] of [[undefined, 0.5], [{ architectures: ['BitNetForCausalLM'], max_position_embeddings: 4096, quantization_config: { quant_method: 'bitnet', linear_class: 'autobitlinear' } }, 2]] as const) {
      const { file, packedTrits, unpackedTrits } = checkpoint(dir, config);
      const listing = await readSafetensorsListing(file);
      assert.equal(listing.format, 'safetensors');
      const q = listing.tensors.find((t) => t.name.endsWith('q_proj.weight'))!;
      assert.deepEqual(q.shape, [64, 32]);
      assert.deepEqual(q.storedShape, [16, 32]);
      assert.equal(q.ternary, true);
      assert.equal(q.bitsPerWeight, 2);
      const up = listing.tensors.find((t) => t.name.endsWith('up_proj.weight'))!;
      assert.equal(up.ternary, true, 'probe flags the {−s, 0, +s} F16 matrix');
      assert.equal(listing.tensors.find((t) => t.name.endsWith('embed_tokens.weight'))!.ternary, false);
      assert.equal(listing.tensors.find((t) => t.name === 'model.norm.weight')!.ternary, false, 'a 1-D all-ones norm is not ternary');

      const stats = await computeWeightsStats(listing);
      const sq = stats.tensors.find((t) => t.name === q.name)!;
      assert.deepEqual(sq.trits, counts(packedTrits));
      assert.equal(sq.scales!.mean, scale, 'bitlinear divides by weight_scale = 2; autobitlinear multiplies');
      const su = stats.tensors.find((t) => t.name === up.name)!;
      assert.equal(su.ternary, true);
      assert.deepEqual(su.trits, counts(unpackedTrits));
      assert.equal(su.scales!.mean, 0.03125);
      assert.equal(stats.tensors.find((t) => t.name === 'model.norm.weight')!.ternary, false);
      if (config) assert.equal(listing.metadata['config.max_position_embeddings'], 4096);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a config.json that links outside the model folder is ignored, with a note', async () => {
  const outside = mkdtempSync(path.join(tmpdir(), 'st-outside-'));
  const dir = mkdtempSync(path.join(tmpdir(), 'st-link-'));
  try {
    writeFileSync(path.join(outside, 'config.json'), JSON.stringify({ quantization_config: { quant_method: 'bitnet', linear_class: 'autobitlinear' } }));
    const { file } = checkpoint(dir);
    symlinkSync(path.join(outside, 'config.json'), path.join(dir, 'config.json'));
    const listing = await readSafetensorsListing(file);
    assert.ok(listing.notes?.some((n) => n.includes('outside its folder')), JSON.stringify(listing.notes));
    assert.equal(listing.tensors.find((t) => t.name.endsWith('q_proj.weight'))!.scale?.convention, 'divide');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});
