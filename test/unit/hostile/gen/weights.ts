/**
 * Hostile GGUF and safetensors checkpoints through the CLI (`inspect`, `inspect --json`, `convert`):
 * the field-level cases of an attacker (huge counts, lengths and dims, offsets outside the file or
 * overlapping, bad alignment, header amplification, a config.json outside the folder). The random
 * byte/field mutations of both readers run in-process in test/unit/gguf and test/unit/checkpoint.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packBitnetWeights } from '../../../../src/core/checkpoint/bitnet-packed';
import type { HostileCase } from '../harness/cli-runner';
import { randomTrits, tq1Tensor } from '../../gguf/fixtures';
import { ggufFile, ggufHeader, type KvValue } from '../../gguf/writer';

const TQ1_0 = 34;
const ARCH: Record<string, KvValue> = { 'general.architecture': { type: 'string', value: 'llama' } };

/** A GGUF header followed by `dataBytes` zero bytes. */
function gguf(kvs: Record<string, KvValue>, tensors: { name: string; ne: number[]; typeId: number; byteLength: number }[], dataBytes = 0, version = 3): Uint8Array {
  const { header } = ggufHeader(kvs, tensors, version);
  const out = new Uint8Array(header.length + dataBytes);
  out.set(header);
  return out;
}

/** Patches the u64 at `at` (little-endian). */
function withU64(bytes: Uint8Array, at: number, v: bigint): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setBigUint64(at, v, true);
  return out;
}

const GGUF: [string, () => Uint8Array][] = (() => {
  const t = tq1Tensor('blk.0.attn_q.weight', [256, 4], 5);
  const good = ggufFile(ARCH, [t]);
  return [
    ['tensor count 2^63', () => withU64(good, 8, 2n ** 63n)],
    ['key/value count 2^40', () => withU64(good, 16, 2n ** 40n)],
    ['key length 2^62', () => withU64(good, 24, 2n ** 62n)],
    ['tensor of 2^40 × 2^40 weights in 54 bytes', () => gguf(ARCH, [{ name: 'w', ne: [2 ** 40, 2 ** 40], typeId: TQ1_0, byteLength: 54 }], 64)],
    ['data offset past the end of the file', () => gguf(ARCH, [{ name: 'w', ne: [256], typeId: TQ1_0, byteLength: 1 << 30 }, { name: 'v', ne: [256], typeId: TQ1_0, byteLength: 54 }], 64)],
    ['alignment 3', () => ggufFile({ ...ARCH, 'general.alignment': { type: 'u32', value: 3 } }, [t])],
    ['array of 2^31 strings declared', () => withU64(gguf({ 'x': { type: 'array', elementType: 'string', value: ['a'] } }, []), 24 + 8 + 1 + 4 + 4, 2n ** 31n)],
    ['version 1', () => ggufFile(ARCH, [t], 1)],
    ['truncated inside the tensor data', () => good.subarray(0, good.length - 20)],
  ];
})();

function safetensors(header: unknown, data: Uint8Array, declaredLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declaredLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const zeroSizeTensors = (n: number) =>
  safetensors(Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, { dtype: 'F32', shape: [0], data_offsets: [0, 0] }])), new Uint8Array(0));

const SAFETENSORS: [string, () => Uint8Array][] = (() => {
  const { packed, storedShape } = packBitnetWeights(randomTrits(16 * 8, 3), [16, 8]);
  const tensor = (extra: object = {}) => ({ 'm.weight': { dtype: 'U8', shape: storedShape, data_offsets: [0, packed.length], ...extra } });
  return [
    ['header length 2^40', () => safetensors(tensor(), packed, 2n ** 40n)],
    ['shape [2^40, 2^40]', () => safetensors(tensor({ shape: [2 ** 40, 2 ** 40] }), packed)],
    ['offsets past the end', () => safetensors(tensor({ data_offsets: [0, 1 << 30] }), packed)],
    ['unknown dtype', () => safetensors(tensor({ dtype: 'Q4' }), packed)],
    ['header nested 100,000 deep', () => safetensors(`{"__metadata__":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, packed)],
    ['200,001 zero-size tensors (one over the cap)', () => zeroSizeTensors(200_001)],
  ];
})();

export function weightsCases(root: string): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (reader: string, ext: string, list: [string, () => Uint8Array][]) =>
    list.forEach(([name, make], i) => {
      const dir = path.join(root, `${reader}-${i}`);
      mkdirSync(dir, { recursive: true });
      const f = path.join(dir, `model.${ext}`);
      writeFileSync(f, make());
      cases.push({ reader, name, inputs: [f], dir, expect: 'reject', commands: [['inspect', f], ['inspect', f, '--json'], ['convert', f, '-o', '{out}']] });
    });
  add('GGUF', 'gguf', GGUF);
  add('safetensors', 'safetensors', SAFETENSORS);
  const either = (reader: string, name: string, file: string, bytes: Uint8Array, commands: string[][]) => {
    const dir = path.dirname(file);
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, bytes);
    cases.push({ reader, name, inputs: [file], dir, expect: 'either', commands });
  };
  // (200,000 tensors, at the cap, once overflowed the stack in the text table: test/unit/core/text-table.test.ts.)
  // Names with terminal escape codes are listed with the control characters stripped.
  const esc = path.join(root, 'gguf-escape', 'model.gguf');
  either('GGUF', 'tensor name with escape codes', esc, ggufFile(ARCH, [{ ...tq1Tensor('x', [256, 4], 5), name: '\u001b[2J\u001b]0;pwned\u0007' }]), [['inspect', esc]]);
  {
    // A packed checkpoint whose config.json beside it is a link to a file outside the folder: not followed.
    const dir = path.join(root, 'safetensors-config-link');
    mkdirSync(dir, { recursive: true });
    const secret = path.join(root, 'outside-config.json');
    writeFileSync(secret, JSON.stringify({ quantization_config: { linear_class: 'autobitlinear' } }));
    symlinkSync(secret, path.join(dir, 'config.json'));
    const { packed, storedShape } = packBitnetWeights(randomTrits(16 * 8, 3), [16, 8]);
    const f = path.join(dir, 'model.safetensors');
    writeFileSync(f, safetensors({ 'm.weight': { dtype: 'U8', shape: storedShape, data_offsets: [0, packed.length] } }, packed));
    cases.push({ reader: 'safetensors', name: 'config.json a symlink out of the folder', inputs: [f], dir, expect: 'either', commands: [['inspect', f, '--json']] });
  }
  return cases;
}
