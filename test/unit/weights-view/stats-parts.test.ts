/**
 * A statistics pass split across workers gives what one pass gives: parts are
 * contiguous runs of the file with about equal bytes, and merging them (with a
 * `.tnn` scale tensor counted by the other part than its matrix) equals the
 * single pass tensor by tensor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listGgufBytes } from '../../../src/core/gguf/listing';
import { convertToWeightsTnn } from '../../../src/core/weights/convert';
import { computeWeightsStats } from '../../../src/core/weights/stats';
import { mergeWeightsStats, statsParts } from '../../../src/core/weights/stats-parts';
import { readTnnWeightsListing } from '../../../src/core/weights/tnn-listing';
import type { WeightsListing } from '../../../src/core/weights/types';
import { viewerGguf } from '../../fixtures/weights-models';

async function splitEqualsSingle(listing: WeightsListing, n: number): Promise<number[][]> {
  const parts = statsParts(listing, n);
  const single = await computeWeightsStats(listing, { chunkBytes: 1 << 16 });
  const results = await Promise.all(parts.map((tensors) => computeWeightsStats(listing, { chunkBytes: 1 << 16, include: (i) => tensors.includes(i) })));
  const merged = mergeWeightsStats(listing, parts.map((tensors, k) => ({ stats: results[k], tensors })));
  assert.deepEqual(merged.tensors, single.tensors);
  assert.equal(merged.bytesRead, single.bytesRead);
  return parts;
}

test('parts are contiguous in the file, cover every decoded tensor once and hold about equal bytes', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'stats-parts-'));
  try {
    const m = viewerGguf();
    const file = path.join(dir, 'viewer.gguf');
    writeFileSync(file, m.bytes);
    const listing = listGgufBytes(m.bytes, file);
    const parts = await splitEqualsSingle(listing, 2);
    assert.equal(parts.length, 2);
    const decoded = listing.tensors.map((_, i) => i).filter((i) => !listing.tensors[i].undecoded);
    assert.deepEqual(parts.flat().sort((a, b) => a - b), decoded, 'every decoded tensor in exactly one part; TL1 in none');
    const lastOfFirst = Math.max(...parts[0].map((i) => listing.tensors[i].offset));
    assert.ok(parts[1].every((i) => listing.tensors[i].offset > lastOfFirst), 'the second part starts where the first ends');
    const bytes = parts.map((p) => p.reduce((s, i) => s + listing.tensors[i].byteLength, 0));
    const largest = Math.max(...listing.tensors.map((t) => t.byteLength));
    assert.ok(Math.abs(bytes[0] - bytes[1]) <= largest, `balanced within one tensor: ${bytes}`);
    assert.deepEqual(statsParts(listing, 1), [decoded.sort((a, b) => listing.tensors[a].offset - listing.tensors[b].offset)]);
    await splitEqualsSingle(listing, 3);

    // A weights-only .tnn keeps each scale tensor after its matrix: some matrices and their scales land in different parts.
    const tnn = path.join(dir, 'viewer.tnn');
    await convertToWeightsTnn(listing, tnn);
    const tl = await readTnnWeightsListing(tnn);
    const tparts = await splitEqualsSingle(tl, 2);
    const partOf = (name: string) => tparts.findIndex((p) => p.some((i) => tl.tensors[i].name === name));
    const crossing = tl.tensors.filter((t) => t.scale?.tensor && partOf(t.name) !== partOf(t.scale.tensor));
    for (const k of [3, 5, 7, 11]) {
      if (crossing.length) break;
      await splitEqualsSingle(tl, k);
      const p = statsParts(tl, k);
      const of = (name: string) => p.findIndex((x) => x.some((i) => tl.tensors[i].name === name));
      crossing.push(...tl.tensors.filter((t) => t.scale?.tensor && of(t.name) !== of(t.scale.tensor)));
    }
    assert.ok(crossing.length > 0, 'some split puts a matrix and its scale tensor in different parts (the merge links them)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
