/**
 * Mutation fuzz of the reader: valid files with random byte flips, truncations,
 * insertions, header-length edits, header/metadata JSON edits and offset edits.
 * Every mutant must either parse or throw TnnFormatError; anything else is a bug.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { computeChecksum, parseTnn, peekTnnBytes, serializeTnn } from '../../../src/core/format/index';
import { TnnFormatError } from '../../../src/core/errors';
import { modelArbitrary } from './arbitrary';
import { baseModel, joinFile, splitFile } from './helpers';
import { mulberry32 } from '../../../src/core/rng';

/** Deterministic PRNG so a failing fast-check seed reproduces the exact mutant. */
const rng = mulberry32;

const REPLACEMENTS: unknown[] = [null, -1, 0, 1.5, 2 ** 53, 1e308, '', 'x', '__proto__', true, [], {}, [1, 2], { a: 1 }, [-1], [0, 0], '{', 'tnn', '1', [1e9, 2e9]];

/** Every [container, key] pair in a JSON value, including inside JSON-encoded metadata strings. */
function slots(v: unknown, out: [Record<string, unknown> | unknown[], string | number][] = []) {
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      out.push([v, i]);
      slots(x, out);
    });
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      out.push([v as Record<string, unknown>, k]);
      slots(x, out);
    }
  }
  return out;
}

type Kind = 'flip' | 'data-flip' | 'data-flip-rehash' | 'truncate' | 'extend' | 'insert' | 'delete' | 'header-length' | 'json-edit' | 'meta-edit' | 'offset-edit';
const KINDS: Kind[] = ['flip', 'data-flip', 'data-flip-rehash', 'truncate', 'extend', 'insert', 'delete', 'header-length', 'json-edit', 'meta-edit', 'offset-edit'];

function mutate(file: Uint8Array, kind: Kind, rand: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(rand() * n);
  const out = file.slice();
  const { header, data } = splitFile(file);
  const dataStart = file.length - data.length;
  switch (kind) {
    case 'flip':
      for (let i = 0, n = 1 + pick(4); i < n; i++) out[pick(out.length)] ^= 1 + pick(255);
      return out;
    case 'data-flip':
    case 'data-flip-rehash': {
      if (data.length === 0) return out.subarray(0, out.length - 1);
      const d = data.slice();
      d[pick(d.length)] ^= 1 + pick(255);
      if (kind === 'data-flip') {
        out.set(d, dataStart);
        return out;
      }
      header.__metadata__.checksum = computeChecksum(d);
      return joinFile(header, d);
    }
    case 'truncate':
      return out.subarray(0, pick(out.length));
    case 'extend':
      return Buffer.concat([out, Uint8Array.from({ length: 1 + pick(16) }, () => pick(256))]);
    case 'insert':
    case 'delete': {
      const at = pick(out.length);
      return kind === 'insert' ? Buffer.concat([out.subarray(0, at), Uint8Array.of(pick(256)), out.subarray(at)]) : Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]);
    }
    case 'header-length': {
      const v = new DataView(out.buffer);
      const choice = pick(3);
      v.setUint32(choice === 2 ? 4 : 0, choice === 0 ? v.getUint32(0, true) + pick(33) - 16 : pick(2 ** 32), true);
      return out;
    }
    case 'json-edit':
    case 'meta-edit': {
      const meta = header.__metadata__ as Record<string, string>;
      let target: unknown = header;
      let metaKey: string | undefined;
      if (kind === 'meta-edit') {
        const keys = ['graph', 'provenance', 'trit_tensors', 'latent_tensors', 'layer_stats'].filter((k) => meta[k] !== undefined);
        metaKey = keys[pick(keys.length)];
        target = JSON.parse(meta[metaKey]);
      }
      const all = slots(target);
      if (all.length) {
        const [container, key] = all[pick(all.length)];
        const original = (container as any)[key];
        const r = pick(4);
        if (r === 0 && !Array.isArray(container)) delete (container as any)[key];
        else if (r === 1 && typeof original === 'number') (container as any)[key] = original + pick(3) - 1 || -1;
        else if (r === 2 && typeof original === 'string') (container as any)[key] = original + String.fromCharCode(32 + pick(90));
        else (container as any)[key] = REPLACEMENTS[pick(REPLACEMENTS.length)];
      }
      if (metaKey) meta[metaKey] = JSON.stringify(target);
      return joinFile(header, data, pick(2) === 0);
    }
    case 'offset-edit': {
      const names = Object.keys(header).filter((k) => k !== '__metadata__');
      if (!names.length) return out.subarray(1);
      const e = header[names[pick(names.length)]];
      const which = pick(3);
      if (which === 2) e.shape = e.shape.length ? e.shape.map((d: number) => d + pick(3) - 1) : [pick(3)];
      else e.data_offsets[which] = Math.max(0, e.data_offsets[which] + pick(9) - 4);
      return joinFile(header, data);
    }
  }
}

// TNN_FUZZ_RUNS raises the count for a longer local soak; the default keeps the suite fast.
const RUNS = Number(process.env.TNN_FUZZ_RUNS) || 6000;

test('mutation fuzz: every mutant parses or throws TnnFormatError, never anything else', () => {
  const bases = [serializeTnn(baseModel()), ...fc.sample(modelArbitrary, { numRuns: 30, seed: 7 }).map((m) => serializeTnn(m))].filter((b) => b.length > 0);
  const outcomes: Record<string, { parsed: number; rejected: number }> = {};
  let total = 0;
  fc.assert(
    fc.property(fc.nat(bases.length - 1), fc.constantFrom(...KINDS), fc.integer(), (which, kind, seed) => {
      const mutant = mutate(bases[which], kind, rng(seed));
      const o = (outcomes[kind] ??= { parsed: 0, rejected: 0 });
      total++;
      let model;
      try {
        model = parseTnn(mutant, 'mutant.tnn');
        o.parsed++;
      } catch (e) {
        if (!(e instanceof TnnFormatError)) throw new Error(`non-format error for ${kind} mutant: ${(e as Error)?.stack ?? e}`);
        assert.ok(e.message.startsWith('mutant.tnn: '), e.message);
        o.rejected++;
        return;
      }
      // A changed data byte without a new hash must never be accepted: the checksum covers the whole data region.
      assert.notEqual(kind, 'data-flip', 'a data-region flip was accepted despite the checksum');
      // A mutant that parses must also peek, and re-serialize to a file that parses.
      peekTnnBytes(mutant, 'mutant.tnn');
      parseTnn(serializeTnn(model), 'again.tnn');
    }),
    { numRuns: RUNS },
  );
  const summary = Object.entries(outcomes).map(([k, v]) => `${k} ${v.rejected}/${v.parsed + v.rejected} rejected`).join(', ');
  console.log(`mutation fuzz: ${total} mutants of ${bases.length} valid files; ${summary}`);
  assert.equal(total, RUNS);
  // Sanity: the fuzz is not vacuous, most mutants are rejected.
  const rejected = Object.values(outcomes).reduce((s, v) => s + v.rejected, 0);
  assert.ok(rejected > total / 2, `only ${rejected} of ${total} rejected`);
});

test('exhaustive truncation of one file: every prefix is rejected with TnnFormatError', () => {
  const file = serializeTnn(baseModel());
  for (let n = 0; n < file.length; n++) {
    assert.throws(() => parseTnn(file.subarray(0, n), 'cut.tnn'), TnnFormatError, `prefix ${n}`);
  }
  console.log(`truncation: ${file.length} prefixes rejected`);
});

test('random bytes and random JSON headers: only TnnFormatError', () => {
  let cases = 0;
  const onlyFormatErrors = (bytes: Uint8Array) => {
    cases++;
    try {
      parseTnn(bytes, 'random.tnn');
    } catch (e) {
      if (!(e instanceof TnnFormatError)) throw e;
      return;
    }
    assert.fail('random input parsed as a model');
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), onlyFormatErrors), { numRuns: 500 });
  const metaLike = fc.record({ format: fc.constantFrom('tnn', 'x'), tnn_version: fc.constantFrom('1', '2'), graph: fc.json(), trit_tensors: fc.json(), latent_tensors: fc.json(), provenance: fc.json(), checksum: fc.string() }, { requiredKeys: [] });
  const header = fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue()), fc.record({ __metadata__: fc.oneof(metaLike, fc.jsonValue()) }));
  fc.assert(fc.property(header, fc.uint8Array({ maxLength: 32 }), fc.boolean(), (h, data, pad) => onlyFormatErrors(joinFile(h, data, pad))), { numRuns: 1500 });
  console.log(`random inputs: ${cases} rejected with TnnFormatError`);
});
