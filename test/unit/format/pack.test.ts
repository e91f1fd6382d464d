import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { countPackedTrits, packTrits, unpackTrits } from '../../../src/core/format/index';
import { findPackingViolation } from '../../../src/core/format/pack';

/** Spec reference (docs/tnn-format.md §3) written independently of pack.ts: digit i of byte = floor(b/3^i) mod 3. */
function referenceDigits(byte: number): number[] {
  return [0, 1, 2, 3, 4].map((i) => Math.floor(byte / 3 ** i) % 3);
}

test('all 243 codes decode per the spec and re-encode to themselves', () => {
  for (let code = 0; code < 243; code++) {
    const trits = unpackTrits(new Uint8Array([code]), 5);
    assert.deepEqual([...trits], referenceDigits(code).map((d) => d - 1), `code ${code}`);
    assert.deepEqual([...packTrits(trits)], [code]);
  }
});

test('documented example and constants: [+1,-1,0,0,+1,-1] → [200, 120]; all-zero → 121', () => {
  assert.deepEqual([...packTrits(new Int8Array([1, -1, 0, 0, 1, -1]))], [200, 120]);
  assert.deepEqual([...packTrits(new Int8Array(10))], [121, 121]);
  assert.deepEqual([...packTrits(new Int8Array(0))], []);
  assert.deepEqual([...packTrits(new Int8Array([1]))], [2 + 3 + 9 + 27 + 81]);
});

test('round trip for every length 0..40 and random lengths (n not multiple of 5 included)', () => {
  let checked = 0;
  fc.assert(
    fc.property(fc.array(fc.constantFrom(-1, 0, 1), { maxLength: 2000 }), (arr) => {
      const trits = Int8Array.from(arr);
      const bytes = packTrits(trits);
      assert.equal(bytes.length, Math.ceil(trits.length / 5));
      assert.ok(bytes.every((b) => b < 243));
      assert.equal(findPackingViolation(bytes, trits.length), null);
      assert.deepEqual(unpackTrits(bytes, trits.length), trits);
      const counts = countPackedTrits(bytes, trits.length);
      assert.deepEqual(counts, { neg: arr.filter((t) => t === -1).length, zero: arr.filter((t) => t === 0).length, pos: arr.filter((t) => t === 1).length });
      checked++;
    }),
    { numRuns: 500, examples: Array.from({ length: 41 }, (_, n) => [Array.from({ length: n }, (_, i) => ((i * 7) % 3) - 1)]) },
  );
  console.log(`pack/unpack round trips: ${checked}`);
});

test('padding digits are 1 and any other padding is reported on the last byte', () => {
  const bytes = packTrits(new Int8Array([1, -1])); // digits 2,0 then padding 1,1,1
  assert.equal(bytes[0], 2 + 0 + 9 + 27 + 81);
  assert.equal(findPackingViolation(bytes, 2), null);
  const bad = Uint8Array.from([bytes[0] - 9]); // digit 2 becomes 0
  const v = findPackingViolation(bad, 2);
  assert.ok(v);
  assert.equal(v.byteIndex, 0);
  assert.match(v.detail, /padding digit 2/);
  assert.deepEqual(findPackingViolation(new Uint8Array([121, 243]), 10), { byteIndex: 1, detail: 'byte value 243 is not a 5-trit code (expected < 243)' });
});

test('packTrits rejects non-trit values; unpackTrits rejects wrong lengths and codes ≥ 243', () => {
  assert.throws(() => packTrits(new Int8Array([0, 2])), /trit 1 is 2/);
  assert.throws(() => unpackTrits(new Uint8Array(2), 11), /cannot hold 11 trits/);
  assert.throws(() => unpackTrits(new Uint8Array([250]), 5), /byte 0 is 250/);
  assert.throws(() => unpackTrits(new Uint8Array([121, 255]), 7), /byte 1 is 255/);
  assert.throws(() => unpackTrits(new Uint8Array(0), -1), /not a non-negative integer/);
});
