/** One test per reader rule of docs/tnn-format.md: each asserts the error names the file, the field and (where relevant) the byte offset. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTnn, serializeTnn } from '../../../src/core/format/index';
import { isPacked } from '../../../src/core/graph/types';
import { runReference } from '../../../src/core/exec/reference';
import { summarizeTnn } from '../../../src/core/inspect/summary';
import { isKnownMethod } from '../../../src/core/quant/index';
import { mulberry32 } from '../../../src/core/rng';
import { baseModel, editFile, editMeta, expectFormatError, FILE, joinFile, restamp, splitFile } from './helpers';

const valid = () => serializeTnn(baseModel());
const parse = (b: Uint8Array) => () => parseTnn(b, FILE);
const dataStartOf = (b: Uint8Array) => 8 + new DataView(b.buffer, b.byteOffset).getUint32(0, true);
const entryOf = (b: Uint8Array, name: string) => splitFile(b).header[name] as { data_offsets: [number, number] };

test('the valid fixture parses (so every failure below is caused by its one edit)', () => {
  const m = parseTnn(valid(), FILE);
  assert.equal(m.graph.layers.length, 4);
});

test('file shorter than 8 bytes', () => {
  for (const n of [0, 1, 7]) expectFormatError(parse(valid().subarray(0, n)), { field: 'header length', offset: 0, detail: /shorter than the 8-byte/ });
});

test('header length beyond the file size, and above the 100 MB cap', () => {
  const b = valid().slice();
  new DataView(b.buffer).setUint32(0, b.length, true);
  expectFormatError(parse(b), { field: 'header length', offset: 0, detail: /exceeds the \d+ bytes after the length field/ });
  new DataView(b.buffer).setUint32(0, 100_000_001, true);
  expectFormatError(parse(b), { field: 'header length', offset: 0, detail: /cap/ });
  new DataView(b.buffer).setUint32(4, 1, true);
  expectFormatError(parse(b), { field: 'header length', detail: /over 4 GB/ });
});

test('header not UTF-8, not JSON, not an object', () => {
  const bad = (text: Uint8Array) => {
    const out = new Uint8Array(8 + text.length);
    new DataView(out.buffer).setUint32(0, text.length, true);
    out.set(text, 8);
    return out;
  };
  expectFormatError(parse(bad(new Uint8Array([0x7b, 0xff, 0x7d]))), { field: 'header', offset: 8, detail: /UTF-8/ });
  expectFormatError(parse(bad(new TextEncoder().encode('{"a":'))), { field: 'header', offset: 8, detail: /not valid JSON/ });
  expectFormatError(parse(bad(new TextEncoder().encode('[1,2]   '))), { field: 'header', detail: /expected a JSON object, found an array/ });
});

test('__metadata__ missing or with non-string values', () => {
  expectFormatError(parse(editFile(valid(), (f) => delete f.header.__metadata__)), { field: '__metadata__', detail: /not a Tritscope \.tnn file/ });
  expectFormatError(parse(editFile(valid(), (f) => (f.header.__metadata__.extra = 3))), { field: '__metadata__.extra', detail: /expected a string/ });
  expectFormatError(parse(editFile(valid(), (f) => (f.header.__metadata__ = ['x']))), { field: '__metadata__' });
});

test('format is not "tnn": says it is not ours and mentions Tencent TNN', () => {
  const e = expectFormatError(parse(editFile(valid(), (f) => (f.header.__metadata__.format = 'pt'))), { field: '__metadata__.format' });
  assert.ok(e.message.includes('not a Tritscope .tnn file (Tencent TNN uses the same extension)'), e.message);
  expectFormatError(parse(editFile(valid(), (f) => delete f.header.__metadata__.format)), { field: '__metadata__.format', detail: /missing/ });
});

test('Tencent TNN .tnnmodel and .tnnproto content is recognized in the message', () => {
  const model = new Uint8Array(64);
  new DataView(model.buffer).setUint32(0, 0xfabc0004, true);
  new DataView(model.buffer).setUint32(4, 5, true);
  const e = expectFormatError(parse(model), { field: 'header length' });
  assert.match(e.message, /Tencent TNN \.tnnmodel/);
  const proto = new TextEncoder().encode('"1 57 1 4206624772 ,"\n"input 1 3 224 224 ,"\n');
  assert.match(expectFormatError(parse(proto), { field: /header/ }).message, /Tencent TNN \.tnnproto/);
});

test('unsupported tnn_version', () => {
  expectFormatError(parse(editFile(valid(), (f) => (f.header.__metadata__.tnn_version = '2'))), { field: '__metadata__.tnn_version', detail: /unsupported version "2"/ });
});

test('unknown dtype, bad shape, unknown entry key', () => {
  expectFormatError(parse(editFile(valid(), (f) => (f.header['fc1.bias'].dtype = 'Q4'))), { field: 'header["fc1.bias"].dtype', detail: /unknown dtype "Q4"/ });
  for (const shape of [[-1], [1.5], '3', [null]])
    expectFormatError(parse(editFile(valid(), (f) => (f.header['fc1.bias'].shape = shape))), { field: 'header["fc1.bias"].shape', detail: /non-negative integers/ });
  expectFormatError(parse(editFile(valid(), (f) => (f.header['fc1.bias'].extra = 1))), { field: 'header["fc1.bias"].extra', detail: /unknown key/ });
});

test('data_offsets: out of range, inconsistent with shape × dtype, gaps, overlaps, trailing bytes', () => {
  const b = valid();
  const ds = dataStartOf(b);
  const [begin, end] = entryOf(b, 'fc1.bias').data_offsets;
  assert.equal(dataStartOf(editFile(b, () => undefined)), ds); // re-joining alone keeps the layout
  const far = editFile(b, (f) => (f.header['fc1.bias'].data_offsets = [begin, 1e9]));
  expectFormatError(parse(far), { field: 'header["fc1.bias"].data_offsets', detail: /beyond the \d+-byte data region/, offset: dataStartOf(far) + begin });
  expectFormatError(parse(editFile(b, (f) => (f.header['fc1.bias'].data_offsets = [end, begin]))), { field: 'header["fc1.bias"].data_offsets', detail: /begin \d+ > end/ });
  expectFormatError(parse(editFile(b, (f) => (f.header['fc1.bias'].shape = [4]))), { field: 'header["fc1.bias"].data_offsets', detail: /span 12 bytes != product/ });
  expectFormatError(parse(editFile(b, (f) => (f.header['fc1.bias'].data_offsets = [begin, 'x']))), { field: 'header["fc1.bias"].data_offsets', detail: /non-negative integers/ });
  // Overlap: make fc1.latent start 4 bytes early (and shrink its shape so the span matches).
  expectFormatError(
    parse(editFile(b, (f) => {
      const e = f.header['fc1.latent'];
      e.data_offsets = [e.data_offsets[0] - 4, e.data_offsets[1] - 4];
    })),
    { field: /data_offsets$/, detail: /overlaps|gap/ },
  );
  // Gap: append 4 bytes to the data and move the last tensor by 4.
  const gap = editFile(b, (f) => {
    const data = new Uint8Array(f.data.length + 4);
    data.set(f.data);
    f.data = data;
    const e = f.header['fc1.trits'];
    f.header['fc1.trits'].data_offsets = [e.data_offsets[0] + 4, e.data_offsets[1] + 4];
  });
  const trits = entryOf(b, 'fc1.trits').data_offsets;
  expectFormatError(parse(gap), { field: 'header["fc1.trits"].data_offsets', detail: /gap/, offset: dataStartOf(gap) + trits[0] });
  // Trailing bytes no tensor describes.
  const trailing = editFile(b, (f) => {
    const data = new Uint8Array(f.data.length + 3);
    data.set(f.data);
    f.data = data;
  });
  expectFormatError(parse(trailing), { field: 'data region', detail: /3 trailing bytes/, offset: ds + trits[1] });
});

test('packed tensors: length, count vs logical shape, bytes ≥ 243 (tensor + offset), padding digits', () => {
  const b = valid();
  const ds = dataStartOf(b);
  const [begin] = entryOf(b, 'fc1.trits').data_offsets;
  expectFormatError(parse(editMeta(b, 'trit_tensors', (t) => ({ 'fc1.trits': { ...t['fc1.trits'], count: 16, shape: [4, 4] } }))), { field: 'header["fc1.trits"].shape', detail: /must have shape \[4\]/, offset: ds + begin });
  expectFormatError(parse(editMeta(b, 'trit_tensors', (t) => ({ 'fc1.trits': { ...t['fc1.trits'], shape: [3, 3] } }))), { field: '__metadata__.trit_tensors["fc1.trits"].count', detail: /count 12 != product of logical shape \[3,3\]/ });
  expectFormatError(parse(editMeta(b, 'trit_tensors', (t) => ({ ...t, 'fc2.weight': { count: 6, shape: [6] } }))), { field: 'header["fc2.weight"].dtype', detail: /must be U8/ });
  expectFormatError(parse(editMeta(b, 'trit_tensors', () => ({ ghost: { count: 1, shape: [1] } }))), { field: '__metadata__.trit_tensors["ghost"]', detail: /not in the header/ });
  const bigByte = editFile(b, (f) => (f.data[begin + 1] = 250));
  assert.equal(dataStartOf(bigByte), ds);
  const e = expectFormatError(parse(bigByte), { field: 'tensor "fc1.trits"', offset: ds + begin + 1, detail: /250 is not a 5-trit code/ });
  assert.ok(e.message.includes('fc1.trits'));
  // 12 trits: byte 2 holds trits 10, 11 and three padding digits; set digit 4 (81s place) from 1 to 2.
  const badPad = editFile(b, (f) => (f.data[begin + 2] += 81));
  expectFormatError(parse(badPad), { field: 'tensor "fc1.trits"', offset: ds + begin + 2, detail: /padding digit 4/ });
});

test('checksum mismatch and malformed checksum', () => {
  const b = valid();
  const ds = dataStartOf(b);
  const flipped = editFile(b, (f) => (f.data[0] ^= 1), false);
  expectFormatError(parse(flipped), { field: '__metadata__.checksum', offset: ds, detail: /does not match/ });
  expectFormatError(parse(editFile(b, (f) => (f.header.__metadata__.checksum = 'md5:00'), false)), { field: '__metadata__.checksum', detail: /64 lowercase hex/ });
  expectFormatError(parse(editFile(b, (f) => delete f.header.__metadata__.checksum, false)), { field: '__metadata__.checksum', detail: /missing/ });
});

test('graph JSON malformed or structurally invalid', () => {
  const b = valid();
  expectFormatError(parse(editFile(b, (f) => (f.header.__metadata__.graph = '{"name":'))), { field: '__metadata__.graph', detail: /not valid JSON/ });
  const g = (edit: (graph: any) => void) => parse(editMeta(b, 'graph', (graph) => (edit(graph), graph)));
  expectFormatError(g((x) => (x.layers = {})), { field: '__metadata__.graph.layers', detail: /expected an array/ });
  expectFormatError(g((x) => (x.layers[2].name = 'fc1')), { field: '__metadata__.graph.layers[2].name', detail: /duplicate layer name "fc1"/ });
  expectFormatError(g((x) => (x.layers[1].op = 'gelu')), { field: '__metadata__.graph.layers[1].op', detail: /expected one of conv2d/ });
  expectFormatError(g((x) => (x.layers[1].inputs = ['logits'])), { field: '__metadata__.graph.layers[1].inputs[0]', detail: /neither a graph input nor an output of an earlier layer/ });
  expectFormatError(g((x) => (x.layers[1].outputs = ['h1'])), { field: '__metadata__.graph.layers[1].outputs[0]', detail: /already defined/ });
  expectFormatError(g((x) => (x.outputs = ['nowhere'])), { field: '__metadata__.graph.outputs[0]', detail: /not produced/ });
  expectFormatError(g((x) => (x.inputs[0].shape = [-1])), { field: '__metadata__.graph.inputs[0].shape[0]' });
  expectFormatError(g((x) => (x.layers[3].attrs.axis = null)), { field: '__metadata__.graph.layers[3].attrs.axis', detail: /finite number/ });
});

test('tensors a layer names: present, right dtype, packed where required, latent listed', () => {
  const b = valid();
  const g = (edit: (graph: any) => void) => parse(editMeta(b, 'graph', (graph) => (edit(graph), graph)));
  expectFormatError(g((x) => (x.layers[2].weights.weight = 'missing.w')), { field: '__metadata__.graph.layers[2].weights.weight', detail: /"missing.w", which is not in the file/ });
  expectFormatError(g((x) => (x.layers[2].weights.weight = 'fc1.trits')), { field: '__metadata__.graph.layers[2].weights.weight', detail: /packed trits/ });
  expectFormatError(g((x) => (x.layers[0].weightQuant.trits = 'fc1.bias')), { field: '__metadata__.graph.layers[0].weights.weight', detail: /only allowed as the layer's weightQuant.trits/ });
  expectFormatError(g((x) => ((x.layers[0].weightQuant.trits = 'fc1.bias'), delete x.layers[0].weights.weight)), { field: '__metadata__.graph.layers[0].weightQuant.trits', detail: /not listed in __metadata__.trit_tensors/ });
  expectFormatError(g((x) => ((x.layers[0].weightQuant.trits = 'gone'), delete x.layers[0].weights.weight)), { field: '__metadata__.graph.layers[0].weightQuant.trits', detail: /not in the file/ });
  expectFormatError(g((x) => (x.layers[0].weightQuant.latent = 'fc2.weight')), { field: '__metadata__.graph.layers[0].weightQuant.latent', detail: /not listed in __metadata__.latent_tensors/ });
  expectFormatError(parse(editMeta(b, 'latent_tensors', () => ['fc1.trits'])), { field: '__metadata__.latent_tensors[0]', detail: /must be F32/ });
  // A weight role stored as F64 is rejected (the graph requires F32).
  const f64 = editFile(b, (f) => {
    const e = f.header['fc2.weight'];
    e.dtype = 'I64';
    e.shape = [3];
  });
  expectFormatError(parse(f64), { field: '__metadata__.graph.layers[2].weights.weight', detail: /is I64, expected F32/ });
});

test('numbers that must be finite (JSON null / strings) and scales ≥ 0', () => {
  const b = valid();
  const g = (edit: (graph: any) => void) => parse(editMeta(b, 'graph', (graph) => (edit(graph), graph)));
  expectFormatError(g((x) => (x.layers[0].weightQuant.thresholds.pos = null)), { field: '__metadata__.graph.layers[0].weightQuant.thresholds.pos', detail: /finite number, found null/ });
  expectFormatError(g((x) => (x.layers[0].weightQuant.scale.neg = -1)), { field: '__metadata__.graph.layers[0].weightQuant.scale.neg', detail: /≥ 0/ });
  expectFormatError(g((x) => (x.layers[0].weightQuant.method = 42)), { field: '__metadata__.graph.layers[0].weightQuant.method' });
  expectFormatError(g((x) => (x.layers[0].weightQuant.method = '')), { field: '__metadata__.graph.layers[0].weightQuant.method' });
  expectFormatError(g((x) => (x.layers[2].actQuant.scale = '1')), { field: '__metadata__.graph.layers[2].actQuant.scale' });
  expectFormatError(g((x) => (x.layers[2].actQuant.variant = 'laplace')), { field: '__metadata__.graph.layers[2].actQuant.variant' });
  expectFormatError(parse(editMeta(b, 'layer_stats', (s) => ({ fc1: { ...s.fc1, cosine: null } }))), { field: '__metadata__.layer_stats.fc1.cosine' });
  expectFormatError(parse(editMeta(b, 'provenance', (p) => ({ ...p, toolVersion: 1 }))), { field: '__metadata__.provenance.toolVersion' });
  expectFormatError(parse(editMeta(b, 'trit_tensors', (t) => ({ 'fc1.trits': { ...t['fc1.trits'], count: 1e400 } }))), { field: '__metadata__.trit_tensors["fc1.trits"].count' });
});

test('writer rejects an invalid model before producing bytes', () => {
  const m = baseModel();
  m.graph.layers[0].weightQuant!.thresholds.pos = NaN;
  expectFormatError(() => serializeTnn(m, 'out.tnn'), { file: 'out.tnn', field: '__metadata__.graph.layers[0].weightQuant.thresholds.pos' });
  const m2 = baseModel();
  m2.tensors.set('fc1.bias', { shape: [4], data: new Float32Array(3) });
  expectFormatError(() => serializeTnn(m2, 'out.tnn'), { file: 'out.tnn', field: 'tensor "fc1.bias".data' });
  const m3 = baseModel();
  const t = m3.tensors.get('fc1.trits')!;
  assert.ok(isPacked(t));
  t.bytes[0] = 243;
  expectFormatError(() => serializeTnn(m3, 'out.tnn'), { file: 'out.tnn', field: 'tensor "fc1.trits".bytes[0]' });
});

test('other safetensors dtypes are accepted for unreferenced tensors and converted to float32', () => {
  const b = valid();
  const extras: [string, string, number[], number[]][] = [
    ['x.f64', 'F64', [1.5, -2.25], []],
    ['x.f16', 'F16', [0x3c00, 0xc000, 0x7c00], [1, -2, Infinity]],
    ['x.bf16', 'BF16', [0x3fc0, 0xc080], [1.5, -4]],
    ['x.i32', 'I32', [-7, 123456], []],
    ['x.i16', 'I16', [-300, 300], []],
    ['x.i8', 'I8', [-128, 5], []],
    ['x.u8', 'U8', [255, 0], []],
    ['x.bool', 'BOOL', [1, 0, 1], []],
    ['x.i64', 'I64', [-9, 42], []],
  ];
  const file = editFile(b, (f) => {
    const parts: Uint8Array[] = [f.data];
    let at = f.data.length;
    for (const [name, dtype, values] of extras) {
      const size = { F64: 8, F16: 2, BF16: 2, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1, I64: 8 }[dtype]!;
      const bytes = new Uint8Array(values.length * size);
      const v = new DataView(bytes.buffer);
      values.forEach((x, i) => {
        if (dtype === 'F64') v.setFloat64(i * 8, x, true);
        else if (dtype === 'F16' || dtype === 'BF16') v.setUint16(i * 2, x, true);
        else if (dtype === 'I32') v.setInt32(i * 4, x, true);
        else if (dtype === 'I16') v.setInt16(i * 2, x, true);
        else if (dtype === 'I8') v.setInt8(i, x);
        else if (dtype === 'I64') v.setBigInt64(i * 8, BigInt(x), true);
        else v.setUint8(i, x);
      });
      f.header[name] = { dtype, shape: [values.length], data_offsets: [at, at + bytes.length] };
      at += bytes.length;
      parts.push(bytes);
    }
    f.data = Buffer.concat(parts);
  });
  const m = parseTnn(file, FILE);
  for (const [name, , values, expected] of extras) {
    const t = m.tensors.get(name)!;
    assert.ok(!isPacked(t));
    assert.deepEqual([...t.data], expected.length ? expected : values, name);
  }
});

test('header without 8-byte padding and with integer-like tensor names is read by offsets, not key order', () => {
  const b = valid();
  const f = splitFile(b);
  f.header['0'] = { dtype: 'F32', shape: [1], data_offsets: [f.data.length, f.data.length + 4] };
  const data = new Uint8Array(f.data.length + 4);
  data.set(f.data);
  new DataView(data.buffer).setFloat32(f.data.length, 7.5, true);
  restamp({ header: f.header, data });
  const m = parseTnn(joinFile(f.header, data, false), FILE);
  const t = m.tensors.get('0')!;
  assert.ok(!isPacked(t));
  assert.deepEqual([...t.data], [7.5]);
});

test('pathological JSON (deep nesting, huge numbers) is rejected as TnnFormatError, not a crash', () => {
  const deep = '['.repeat(200_000) + ']'.repeat(200_000);
  const b = valid();
  const nested = editFile(b, (f) => (f.header['fc1.bias'].shape = 'PLACEHOLDER'));
  const text = new TextDecoder().decode(nested.subarray(8, dataStartOf(nested))).trimEnd().replace('"PLACEHOLDER"', deep);
  const f = splitFile(nested);
  const h = new TextEncoder().encode(text);
  const file = new Uint8Array(8 + h.length + f.data.length);
  new DataView(file.buffer).setUint32(0, h.length, true);
  file.set(h, 8);
  file.set(f.data, 8 + h.length);
  expectFormatError(parse(file), { field: /header/ });
  const g = (edit: (graph: any) => void) => parse(editMeta(b, 'graph', (graph) => (edit(graph), graph)));
  expectFormatError(g((x) => (x.inputs[0].shape = [1e300])), { field: '__metadata__.graph.inputs[0].shape[0]' });
  expectFormatError(parse(editFile(b, (f2) => (f2.header['fc1.bias'].shape = [2 ** 40, 2 ** 40]))), { field: 'header["fc1.bias"].data_offsets' });
});

test('a weightQuant method this version does not know reads, runs the same and is shown as stored', () => {
  const b = valid();
  const unknown = 'squeeze-v9';
  assert.equal(isKnownMethod(unknown), false);
  const edited = editMeta(b, 'graph', (graph) => ((graph as { layers: { weightQuant?: { method: string } }[] }).layers[0].weightQuant!.method = unknown, graph));
  const m = parseTnn(edited, FILE);
  assert.equal(m.graph.layers[0].weightQuant?.method, unknown);
  // Dequantization does not depend on the method: the same trits, thresholds and scales give the same outputs.
  const ref = parseTnn(b, FILE);
  const shape = ref.graph.inputs[0].shape;
  const r = mulberry32(3);
  const x = { shape: [2, ...shape], data: Float32Array.from({ length: 2 * shape.reduce((a, c) => a * c, 1) }, () => r() * 2 - 1) };
  assert.deepEqual(runReference(m, x).data, runReference(ref, x).data);
  assert.equal(summarizeTnn(m, edited.length).layers.find((l) => l.name === m.graph.layers[0].name)?.method, unknown);
});
