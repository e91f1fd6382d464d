/**
 * Header-level facts, grouping, depth series and the per-token cost, plus the
 * listing of types that are not decoded (other quantizations, unknown ids) and
 * the bounded header read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listGgufBytes } from '../../../src/core/gguf/listing';
import { readGgufHeader } from '../../../src/core/gguf/reader';
import { modelFacts } from '../../../src/core/weights/facts';
import { depthSeries, groupByBlock, tensorPlace } from '../../../src/core/weights/grouping';
import type { TensorStats } from '../../../src/core/weights/stats';
import { tokenCost } from '../../../src/core/weights/token-cost';
import { SMALL_KVS, smallModel, tq1Tensor } from './fixtures';
import { ggufFile } from './writer';

test('tensor roles and blocks from GGUF and Hugging Face names', () => {
  const cases: [string, number | null, string][] = [
    ['blk.3.attn_q.weight', 3, 'attn_q'], ['blk.3.attn_output.weight', 3, 'attn_output'], ['blk.12.ffn_down.weight', 12, 'ffn_down'],
    ['blk.0.attn_sub_norm.weight', 0, 'norm'], ['token_embd.weight', null, 'token_embd'], ['output.weight', null, 'output'], ['output_norm.weight', null, 'norm'],
    ['model.layers.7.self_attn.k_proj.weight', 7, 'attn_k'], ['model.layers.7.mlp.gate_proj.weight', 7, 'ffn_gate'], ['model.layers.7.self_attn.o_proj.weight', 7, 'attn_output'],
    ['model.embed_tokens.weight', null, 'token_embd'], ['lm_head.weight', null, 'output'], ['rope_freqs.weight', null, 'other'],
    // Separate scale tensors are not the matrices they scale (nor matrix multiplies in the token cost).
    ['model.layers.2.self_attn.q_proj.weight_scale', 2, 'scale'], ['blk.4.ffn_up.weight.scales', 4, 'scale'],
  ];
  for (const [name, block, role] of cases) assert.deepEqual(tensorPlace(name), { block, role }, name);
});

test('model facts, block groups and the per-token bandwidth bound', () => {
  const listing = listGgufBytes(smallModel().bytes, 'small.gguf');
  const facts = modelFacts(listing);
  assert.equal(facts.architecture, 'bitnet');
  assert.equal(facts.name, 'tiny-ternary');
  assert.equal(facts.parameters, listing.tensors.reduce((s, t) => s + t.elements!, 0));
  assert.equal(facts.ternaryParameters, 512 + 256 + 1024 + 512 + 512);
  assert.equal(facts.blocks, 2);
  assert.deepEqual(facts.quantTypes, ['BF16', 'F16', 'F32', 'I2_S', 'TQ1_0', 'TQ2_0']);
  assert.equal(facts.byType.find((t) => t.dtype === 'TQ1_0')!.bitsPerWeight, 1.6875);

  const groups = groupByBlock(listing);
  assert.deepEqual(groups.map((g) => g.block), [0, 1, null]);
  assert.deepEqual(groups[0].tensors.map((i) => listing.tensors[i].name), ['blk.0.attn_q.weight', 'blk.0.attn_k.weight', 'blk.0.ffn_up.weight', 'blk.0.attn_norm.weight']);

  // bytes/token = all matmul weights + one embedding row (4 rows of 256 F16) + the norms; output.weight is the head (not tied).
  const cost = tokenCost(listing, { bandwidthGBs: 10 });
  const bytesOf = (name: string) => listing.tensors.find((t) => t.name === name)!.byteLength;
  const matmul = ['blk.0.attn_q.weight', 'blk.0.attn_k.weight', 'blk.0.ffn_up.weight', 'blk.1.attn_q.weight', 'blk.1.ffn_down.weight', 'output.weight'].reduce((s, n) => s + bytesOf(n), 0);
  assert.equal(cost.matmulBytes, matmul);
  assert.equal(cost.otherBytes, bytesOf('token_embd.weight') / 4 + bytesOf('blk.0.attn_norm.weight') + bytesOf('blk.1.ffn_norm.weight'));
  assert.equal(cost.tokensPerSecond, 10e9 / cost.bytesPerToken);
  assert.equal(cost.tiedEmbedding, false);
  const packed = tokenCost(listing, { bandwidthGBs: 10, profile: { id: 'p', weightEncoding: 'packed' } });
  assert.ok(packed.profile!.bytesPerToken < cost.bytesPerToken, 'TQ1_0/TQ2_0/I2_S at 1.6 bits/trit read fewer bytes');

  const stat = (name: string, neg: number, zero: number, pos: number, mean: number): TensorStats =>
    ({ name, ternary: true, trits: { neg, zero, pos }, scales: { count: 2, nonFinite: 0, min: mean / 2, mean, max: mean * 2, histogram: { min: 0, max: 0, counts: [] } } }) as unknown as TensorStats;
  const depth = depthSeries([stat('blk.1.attn_q.weight', 1, 2, 3, 1), stat('blk.0.attn_q.weight', 4, 5, 6, 2), stat('blk.0.ffn_up.weight', 1, 1, 1, 4), stat('output.weight', 9, 9, 9, 9)]);
  assert.deepEqual(depth, [
    { block: 0, trits: { neg: 5, zero: 6, pos: 7 }, scale: { min: 1, mean: 3, max: 8 } },
    { block: 1, trits: { neg: 1, zero: 2, pos: 3 }, scale: { min: 0.5, mean: 1, max: 2 } },
  ]);
});

test('other quantized types and unknown type ids are listed, not errors; only the header is read', async () => {
  const q4k = { name: 'blk.0.ffn_gate.weight', ne: [256, 2], typeId: 12, data: new Uint8Array(2 * 144).fill(7) };
  const unknown = { name: 'blk.0.ffn_up.weight', ne: [256, 2], typeId: 99, data: new Uint8Array(100).fill(1) };
  const bytes = ggufFile(SMALL_KVS, [tq1Tensor('blk.0.attn_q.weight', [256, 2], 1), q4k, unknown]);
  const listing = listGgufBytes(bytes, 'mixed.gguf');
  const [, q, u] = listing.tensors;
  assert.equal(q.dtype, 'Q4_K');
  assert.equal(q.byteLength, 288);
  assert.equal(q.bitsPerWeight, 4.5);
  assert.equal(q.ternary, false);
  assert.match(q.undecoded!, /non-ternary/);
  assert.equal(u.dtype, 'GGML_TYPE_99');
  assert.equal(u.byteLength, 100, 'an unknown type runs to the end of the file');
  assert.match(u.undecoded!, /unknown ggml type id 99/);

  // A 40 MB model: the header read stays within the first MiB.
  const big = ggufFile(SMALL_KVS, [{ name: 'token_embd.weight', ne: [4096, 5000], typeId: 1, data: new Uint8Array(4096 * 5000 * 2) }]);
  let read = 0;
  const h = await readGgufHeader(async (n) => ((read += n), big.subarray(0, n)), big.length, 'big.gguf');
  assert.equal(h.tensors[0].byteLength, 4096 * 5000 * 2);
  assert.ok(read <= 1 << 20, `read ${read} bytes of a ${big.length}-byte file`);
});
