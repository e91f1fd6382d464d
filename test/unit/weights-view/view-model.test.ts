/**
 * The weights-only viewer's view model: what the inspect worker builds from a
 * listing (header, groups, rows, cost) and from the statistics (rows, totals,
 * depth), and the webview's pure helpers (group totals and depth series as
 * statistics arrive, tokens/s, default expansion, filter, formatting). The
 * webview's aggregates must agree with core's depthSeries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listGgufBytes } from '../../../src/core/gguf/listing';
import { depthSeries } from '../../../src/core/weights/grouping';
import { computeWeightsStats } from '../../../src/core/weights/stats';
import { tokenCost } from '../../../src/core/weights/token-cost';
import type { TensorStatsView } from '../../../src/shared/weightsView';
import { buildWeightsView, statsDoneView, tensorStatsView, tokenCostView } from '../../../src/workers/view/weights-view';
import {
  aggregate, depthPoints, expandedByDefault, fmtBits, fmtDecimalBytes, fmtRate, hasSpread, histogramHeights, isExpanded, matchesFilter,
  mergeScale, parseBandwidth, progressFraction, tokensPerSecond,
} from '../../../webview/weights/model';
import { VIEWER_GGUF_BLOCKS, viewerGguf } from '../../fixtures/weights-models';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const model = viewerGguf();
const listing = listGgufBytes(model.bytes, '/models/viewer.gguf');

test('header and table from the listing alone: facts, groups by block, roles, the undecoded TL1 tensor and its reason', () => {
  const view = buildWeightsView(listing, 'GGUF', 12.5);
  assert.equal(view.kind, 'weights');
  const h = view.header;
  assert.equal(h.fileName, 'viewer.gguf');
  assert.equal(h.architecture, 'bitnet');
  assert.equal(h.name, 'viewer-test BitNet');
  assert.equal(h.contextLength, 2048);
  assert.equal(h.vocabularySize, 64);
  assert.equal(h.blocks, VIEWER_GGUF_BLOCKS);
  assert.equal(h.version, 3);
  assert.deepEqual(h.quantTypes, ['F16', 'F32', 'TL1', 'TQ1_0', 'TQ2_0']);
  assert.equal(h.parameters, model.tensors.reduce((s, t) => s + t.ne.reduce((a, b) => a * b, 1), 0));
  assert.equal(h.byType.find((t) => t.dtype === 'TQ1_0')!.bitsPerWeight, 1.6875);
  assert.equal(h.byType.find((t) => t.dtype === 'TQ2_0')!.bitsPerWeight, 2.0625);
  assert.equal(h.byType.find((t) => t.dtype === 'F16')!.bitsPerWeight, 16);
  assert.ok(h.metadata.some(([k, v]) => k === 'tokenizer.ggml.tokens' && /64/.test(v)), 'the vocabulary is summarized, not dumped');
  assert.equal(view.parseMs, 12.5);

  assert.deepEqual(view.groups.map((g) => g.label), ['blk.0', 'blk.1', 'blk.2', 'blk.3', 'outside blocks']);
  assert.deepEqual(view.groups[0].rows.map((i) => view.rows[i].role), ['attn_q', 'attn_k', 'attn_v', 'attn_output', 'ffn_gate', 'ffn_up', 'ffn_down', 'norm', 'norm']);
  assert.equal(view.groups.flatMap((g) => g.rows).length, listing.tensors.length, 'every tensor in exactly one group');
  const tl1 = view.rows.find((r) => r.name === 'blk.3.attn_v.weight')!;
  assert.equal(tl1.dtype, 'TL1');
  assert.match(tl1.undecoded ?? '', /TL1 lookup-table layout/);
  assert.equal(view.statsBytes, listing.tensors.reduce((s, t) => s + t.byteLength, 0) - tl1.bytes, 'the undecoded tensor is not read');
  const q = view.rows.find((r) => r.name === 'blk.0.attn_q.weight')!;
  assert.deepEqual([q.shape, q.ternary, q.ternarySource, q.matmul, q.bitsPerWeight], [[256, 256], true, 'type', true, 1.6875]);
  assert.match(q.scaleText!, /one f16 scale per 256-weight block/);
  assert.equal(view.rows.find((r) => r.name === 'blk.0.attn_norm.weight')!.matmul, false);
  assert.equal(view.rows.find((r) => r.name === 'token_embd.weight')!.matmul, false, 'a separate output head: the embedding is not a matmul');
});

test('cost per token: the core token cost, split by role, and re-priced per weight encoding', () => {
  const c = tokenCostView(listing);
  const core = tokenCost(listing);
  assert.equal(c.bytesPerToken, core.bytesPerToken);
  assert.equal(c.matmulBytes, core.matmulBytes);
  assert.equal(c.byRole.reduce((s, r) => s + r.bytes, 0), core.matmulBytes);
  assert.equal(c.byRole.find((r) => r.role === 'attn_q')!.tensors, VIEWER_GGUF_BLOCKS);
  assert.ok(c.byRole.every((r, i) => i === 0 || c.byRole[i - 1].bytes >= r.bytes), 'largest first');
  const packed = c.encodings.find((e) => e.encoding === 'packed')!;
  const ternary = core.tensors.filter((t) => t.ternary);
  assert.equal(packed.bytesPerToken, core.bytesPerToken - ternary.reduce((s, t) => s + t.bytes, 0) + ternary.reduce((s, t) => s + (t.elements * 8) / 5 / 8, 0));
  assert.equal(tokensPerSecond(c.bytesPerToken, 100), 100e9 / core.bytesPerToken);
});

test('statistics: exact trits per tensor, totals over the decoded ternary tensors, and the webview aggregates equal core depthSeries', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'weights-view-'));
  try {
    const file = path.join(dir, 'viewer.gguf');
    writeFileSync(file, model.bytes);
    const fileListing = listGgufBytes(model.bytes, file);
    const streamed: TensorStatsView[] = [];
    const stats = await computeWeightsStats(fileListing, { chunkBytes: 1 << 16, onTensor: (i, s) => streamed.push(tensorStatsView(i, s)) });
    const done = statsDoneView(fileListing, stats, 5);
    const view = buildWeightsView(fileListing, 'GGUF', 1);
    for (const [name, counts] of Object.entries(model.counts)) {
      const i = view.rows.findIndex((r) => r.name === name);
      assert.deepEqual(done.rows.find((r) => r.index === i)!.trits, counts, name);
      assert.deepEqual(streamed.find((r) => r.index === i)!.trits, counts, `${name} as streamed`);
    }
    assert.ok(!done.rows.some((r) => view.rows[r.index].dtype === 'TL1'), 'the TL1 tensor gets no statistics row');
    assert.equal(streamed.length, done.rows.length, 'every decoded tensor streamed once');
    const all = Object.values(model.counts).reduce((a, c) => ({ neg: a.neg + c.neg, zero: a.zero + c.zero, pos: a.pos + c.pos }), { neg: 0, zero: 0, pos: 0 });
    assert.deepEqual(done.tritCounts, all);
    assert.equal(done.trits, all.neg + all.zero + all.pos);
    assert.deepEqual(done.depth, depthSeries(stats.tensors));

    const byIndex = new Map(done.rows.map((r) => [r.index, r]));
    const points = depthPoints(view, byIndex);
    assert.deepEqual(points.map((p) => p.block), done.depth.map((p) => p.block));
    points.forEach((p, k) => {
      assert.deepEqual(p.trits, done.depth[k].trits);
      for (const key of ['min', 'max'] as const) assert.equal(p.scale![key], done.depth[k].scale![key]);
      assert.ok(Math.abs(p.scale!.mean - done.depth[k].scale!.mean) < 1e-12);
    });
    // Half-way: only what arrived counts, and the group says how many are done.
    const half = new Map(done.rows.slice(0, 5).map((r) => [r.index, r]));
    const g0 = aggregate(view.groups[0].rows, view.rows, half);
    assert.ok(g0.done < g0.decodable);
    assert.equal(aggregate(view.groups[3].rows, view.rows, byIndex).decodable, 8, 'TL1 is not decodable');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('webview helpers: scale merging, expansion, filter, bandwidth input, formatting', () => {
  assert.deepEqual(mergeScale(mergeScale(null, { min: 1, mean: 2, max: 3, count: 1 }), { min: 0.5, mean: 5, max: 9, count: 3 }), { min: 0.5, mean: 4.25, max: 9, count: 4 });
  assert.equal(mergeScale(null, { min: 1, mean: 1, max: 1, count: 0 }), null);

  const small = buildWeightsView(listing, 'GGUF', 0);
  assert.ok(small.groups.every((g) => expandedByDefault(small, g.label)), 'a small model opens every group');
  const big = { ...small, rows: Array.from({ length: 100 }, () => small.rows[0]) };
  assert.deepEqual(big.groups.map((g) => expandedByDefault(big, g.label)), [true, false, false, false, true], 'a large one: first block and the tensors outside blocks');
  assert.equal(isExpanded(big, 'blk.2', { 'blk.2': true }), true);
  assert.equal(isExpanded(small, 'blk.0', { 'blk.0': false }), false);

  const q = small.rows.find((r) => r.name === 'blk.1.ffn_down.weight')!;
  assert.ok(matchesFilter(q, 'ffn_down'));
  assert.ok(matchesFilter(q, 'blk.1 tq2_0'));
  assert.ok(matchesFilter(q, 'ternary'));
  assert.ok(!matchesFilter(q, 'float'));
  assert.ok(!matchesFilter(q, 'attn'));
  assert.ok(matchesFilter(q, 'float', false), 'the kind decided by the statistics wins');

  assert.equal(parseBandwidth('120'), 120);
  assert.equal(parseBandwidth(' 3,5 '), 3.5);
  for (const bad of ['', '0', '-4', 'fast', 'Infinity']) assert.equal(parseBandwidth(bad), null, bad);
  assert.equal(tokensPerSecond(0, 50), Infinity);
  assert.equal(fmtBits(1.6875), '1.6875');
  assert.equal(fmtBits(2.0625), '2.0625');
  assert.equal(fmtBits(8 / 3), '2.667');
  assert.equal(fmtBits(null), '–');
  assert.equal(fmtDecimalBytes(1.1e9), '1.10 GB');
  assert.equal(fmtRate(113.6), '114');
  assert.equal(fmtRate(Infinity), '∞');
  assert.deepEqual(histogramHeights([0, 2, 4]), [0, 0.5, 1]);
  assert.equal(hasSpread({ count: 1, min: 2, max: 2 }), false);
  assert.equal(hasSpread({ count: 9, min: 1, max: 2 }), true);
  assert.equal(progressFraction({ bytesDone: 5, bytesTotal: 20 }), 0.25);
  assert.equal(progressFraction({ bytesDone: 0, bytesTotal: 0 }), 1);
});
