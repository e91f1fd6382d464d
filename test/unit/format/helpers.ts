/** Shared fixtures for the `.tnn` format tests: a small valid model and raw header surgery. */
import assert from 'node:assert/strict';
import { computeChecksum, packTrits } from '../../../src/core/format/index';
import { computeHeaderChecksum } from '../../../src/core/format/header-checksum';
import { TnnFormatError } from '../../../src/core/errors';
import type { StoredTensor, TnnModel } from '../../../src/core/graph/types';

export const FILE = 'fixture.tnn';

/** dense(ternary, latent kept) → relu → dense(float) → softmax, with a batchnorm-free layout. */
export function baseModel(): TnnModel {
  const trits = new Int8Array([1, 0, -1, 1, 0, 0, 1, -1, -1, 0, 1, 1]); // 12 trits: last byte has 3 padding digits
  const tensors = new Map<string, StoredTensor>([
    ['fc1.trits', { kind: 'trits', shape: [3, 4], count: 12, bytes: packTrits(trits) }],
    ['fc1.latent', { shape: [3, 4], data: Float32Array.from({ length: 12 }, (_, i) => (i - 6) / 7) }],
    ['fc1.bias', { shape: [3], data: new Float32Array([0.25, -0.5, 1]) }],
    ['fc2.weight', { shape: [2, 3], data: new Float32Array([1, 2, 3, -4, -5, 6.5]) }],
  ]);
  return {
    graph: {
      name: 'tiny',
      inputs: [{ name: 'x', shape: [4] }],
      outputs: ['probs'],
      layers: [
        {
          name: 'fc1', op: 'dense', inputs: ['x'], outputs: ['h1'], attrs: {}, weights: { weight: 'fc1.trits', bias: 'fc1.bias' }, // as the quantizer writes it
          weightQuant: { method: 'twn', thresholds: { pos: 0.3, neg: -0.3 }, scale: { pos: 0.6, neg: 0.6 }, gamma: null, trits: 'fc1.trits', latent: 'fc1.latent' },
        },
        { name: 'act1', op: 'relu', inputs: ['h1'], outputs: ['a1'], attrs: {}, weights: {} },
        {
          name: 'fc2', op: 'dense', inputs: ['a1'], outputs: ['logits'], attrs: {}, weights: { weight: 'fc2.weight' },
          actQuant: { thresholds: { pos: 0.5, neg: -0.5 }, scale: 1, gamma: 1, variant: 'half-gaussian' },
        },
        { name: 'sm', op: 'softmax', inputs: ['logits'], outputs: ['probs'], attrs: { axis: -1 }, weights: {} },
      ],
      labels: ['a', 'b'],
    },
    tensors,
    provenance: { sourceFile: 'tiny.onnx', sourceSha256: 'ab'.repeat(32), method: 'twn', toolVersion: '0.1.0', date: '2026-11-22T00:00:00Z' },
    layerStats: { fc1: { trits: { neg: 3, zero: 4, pos: 5 }, sparsity: 4 / 12, entropyBits: 1.55, relError: 0.2, cosine: 0.9 } },
  };
}

export interface SplitFile {
  header: Record<string, any>;
  data: Uint8Array;
}

export function splitFile(bytes: Uint8Array): SplitFile {
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  return { header, data: bytes.slice(8 + n) };
}

/** Re-assembles a file from a header object; `pad` keeps the 8-byte alignment the writer uses. */
export function joinFile(header: unknown, data: Uint8Array, pad = true): Uint8Array {
  const raw = new TextEncoder().encode(JSON.stringify(header));
  const h = new Uint8Array(pad ? Math.ceil(raw.length / 8) * 8 : raw.length).fill(0x20);
  h.set(raw);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** Re-stamps the data checksum and, when the file has one, the header checksum, after an edit. */
export function restamp(f: SplitFile): void {
  const meta = f.header.__metadata__;
  if (!meta || typeof meta !== 'object') return;
  meta.checksum = computeChecksum(f.data);
  if (typeof meta.header_checksum !== 'string') return;
  const entries = Object.entries(f.header)
    .filter(([k, v]) => k !== '__metadata__' && v && typeof v === 'object' && Array.isArray(v.data_offsets) && Array.isArray(v.shape))
    .map(([name, v]) => ({ name, dtype: String(v.dtype), shape: v.shape, begin: v.data_offsets[0], end: v.data_offsets[1] }));
  meta.header_checksum = computeHeaderChecksum(meta, entries);
}

/** Edits the header (and, by default, re-stamps valid checksums so only the edited rule can fail). */
export function editFile(bytes: Uint8Array, edit: (f: SplitFile) => void, fixChecksum = true): Uint8Array {
  const f = splitFile(bytes);
  edit(f);
  if (fixChecksum) restamp(f);
  return joinFile(f.header, f.data);
}

/** Edits one JSON-encoded metadata value. */
export function editMeta(bytes: Uint8Array, key: string, edit: (value: any) => any): Uint8Array {
  return editFile(bytes, (f) => {
    const meta = f.header.__metadata__;
    meta[key] = JSON.stringify(edit(JSON.parse(meta[key])));
  });
}

export interface ExpectedError {
  field: string | RegExp;
  detail?: RegExp;
  offset?: number;
  file?: string;
}

/** Asserts a TnnFormatError naming the file and field (and offset when given). */
export function expectFormatError(fn: () => unknown, want: ExpectedError): TnnFormatError {
  const file = want.file ?? FILE;
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof TnnFormatError, `expected TnnFormatError, got ${caught instanceof Error ? caught.stack : String(caught)}`);
  assert.equal(caught.file, file);
  assert.ok(caught.message.startsWith(`${file}: `), caught.message);
  if (typeof want.field === 'string') assert.equal(caught.field, want.field, caught.message);
  else assert.match(caught.field, want.field, caught.message);
  if (want.detail) assert.match(caught.detail, want.detail, caught.message);
  if (want.offset !== undefined) {
    assert.equal(caught.offset, want.offset, caught.message);
    assert.ok(caught.message.includes(`(byte ${want.offset})`), caught.message);
  }
  return caught;
}

/** Raw bit pattern of a float array (bit-exact comparison, NaN payloads included). */
export function bitsOf(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}
