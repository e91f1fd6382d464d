/**
 * Cross-check with test/tools/gguf_check.py, an independent numpy decoder written
 * from the block layouts (it undoes TQ1_0's 256/243 rescale by division instead of
 * the reference's multiply-and-shift). Runs with Debian's /usr/bin/python3 (numpy).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readGgufListing } from '../../../src/core/gguf/listing';
import { computeWeightsStats } from '../../../src/core/weights/stats';
import { ggufFile } from './writer';
import { i2sTensor, SMALL_KVS, smallModel, tq1Tensor, tq2Tensor } from './fixtures';

const SCRIPT = path.resolve('test/tools/gguf_check.py');
const PYTHON = '/usr/bin/python3';

function check(file: string): { tensors: Record<string, { trits: { neg: number; zero: number; pos: number }; scales: [number, number]; head: number[] }> } {
  const r = spawnSync(PYTHON, [SCRIPT, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('numpy decoder agrees with the TypeScript reader on trits, scales and positions (TQ1_0, TQ2_0, I2_S)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gguf-py-'));
  try {
    const models = [
      smallModel(),
      (() => {
        const tensors = [tq1Tensor('a', [768, 3], 101), tq2Tensor('b', [256, 5], 102), i2sTensor('c', [384, 2], 103, 0.0625), tq1Tensor('d', [256, 1], 104)];
        return { bytes: ggufFile({ ...SMALL_KVS, 'general.alignment': { type: 'u32', value: 64 } }, tensors, 2), tensors };
      })(),
    ];
    let compared = 0;
    for (const [i, m] of models.entries()) {
      const file = path.join(dir, `m${i}.gguf`);
      writeFileSync(file, m.bytes);
      const py = check(file);
      const stats = await computeWeightsStats(await readGgufListing(file));
      for (const known of m.tensors.filter((t) => t.trits)) {
        const p = py.tensors[known.name];
        const s = stats.tensors.find((t) => t.name === known.name)!;
        assert.deepEqual(p.trits, s.trits, `${known.name}: counts`);
        assert.deepEqual(p.scales, [s.scales!.min, s.scales!.max], `${known.name}: scales`);
        assert.deepEqual(p.head, [...known.trits!.subarray(0, 300)], `${known.name}: decoded positions`);
        compared += known.trits!.length;
      }
    }
    assert.ok(compared > 5000, `compared ${compared} trits`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
