import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseTnn, peekTnnBytes, serializeTnn } from '../../../src/core/format/index';
import { isPacked, type TnnModel } from '../../../src/core/graph/types';
import { modelArbitrary } from './arbitrary';
import { baseModel, bitsOf, splitFile } from './helpers';

function assertSameModel(back: TnnModel, model: TnnModel): void {
  assert.deepStrictEqual(back.graph, model.graph);
  assert.deepStrictEqual(back.provenance, model.provenance);
  assert.deepStrictEqual(back.layerStats, model.layerStats);
  assert.deepStrictEqual([...back.tensors.keys()].sort(), [...model.tensors.keys()].sort());
  for (const [name, t] of model.tensors) {
    const b = back.tensors.get(name)!;
    assert.deepStrictEqual(b.shape, t.shape, name);
    if (isPacked(t)) {
      assert.ok(isPacked(b), `${name} should come back packed`);
      assert.equal(b.count, t.count);
      assert.deepStrictEqual(b.bytes, t.bytes);
    } else {
      assert.ok(!isPacked(b) && b.data instanceof Float32Array, `${name} should come back as Float32Array`);
      assert.deepStrictEqual(bitsOf(b.data), bitsOf(t.data), `${name} bits`);
    }
  }
}

test('random models round-trip exactly (graph deep-equal, float32 bit-exact, trits exact)', () => {
  let runs = 0;
  let tensorsChecked = 0;
  fc.assert(
    fc.property(modelArbitrary, (model) => {
      const bytes = serializeTnn(model);
      const back = parseTnn(bytes, 'random.tnn');
      assertSameModel(back, model);
      // Deterministic: same model → same bytes; header padded to 8-byte alignment.
      assert.deepStrictEqual(serializeTnn(back), bytes);
      assert.equal(new DataView(bytes.buffer).getUint32(0, true) % 8, 0);
      runs++;
      tensorsChecked += model.tensors.size;
    }),
    { numRuns: 1000 },
  );
  console.log(`round trips: ${runs} random models, ${tensorsChecked} tensors`);
  assert.equal(runs, 1000);
});

test('serializing does not modify the source model', () => {
  const model = baseModel();
  const before = structuredClone({ graph: model.graph, provenance: model.provenance, tensors: [...model.tensors] });
  serializeTnn(model);
  assert.deepStrictEqual({ graph: model.graph, provenance: model.provenance, tensors: [...model.tensors] }, before);
});

test('layout: F32 tensors first then U8, by name; offsets tile; metadata strings per spec', () => {
  const bytes = serializeTnn(baseModel());
  const { header } = splitFile(bytes);
  const order = Object.entries(header)
    .filter(([k]) => k !== '__metadata__')
    .sort((a: any, b: any) => a[1].data_offsets[0] - b[1].data_offsets[0])
    .map(([k, v]: any) => `${k}:${v.dtype}`);
  assert.deepEqual(order, ['fc1.bias:F32', 'fc1.latent:F32', 'fc2.weight:F32', 'fc1.trits:U8']);
  const meta = header.__metadata__;
  assert.equal(meta.format, 'tnn');
  assert.equal(meta.tnn_version, '1');
  assert.deepEqual(JSON.parse(meta.trit_tensors), { 'fc1.trits': { count: 12, shape: [3, 4] } });
  assert.deepEqual(JSON.parse(meta.latent_tensors), ['fc1.latent']);
  assert.match(meta.checksum, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(header['fc1.trits'].shape, [3]); // ceil(12/5)
  for (const v of Object.values(meta)) assert.equal(typeof v, 'string');
  const peek = peekTnnBytes(bytes, 'x.tnn');
  const trits = peek.tensors.find((t) => t.name === 'fc1.trits')!;
  assert.deepEqual([trits.trits, trits.shape, trits.storedShape], [12, [3, 4], [3]]);
  assert.equal(peek.tensors.find((t) => t.name === 'fc1.latent')!.latent, true);
  assert.equal(peek.tensors.every((t) => t.offset === peek.dataStart + t.begin), true);
});
