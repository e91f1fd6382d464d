import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../../src/core/rng';
import { runReference } from '../../../src/core/exec/reference';
import { exportOnnx } from '../../../src/core/import/index';
import { tensor } from '../../../src/core/tensor';
import { ModelBuilder } from '../import/model-builders';
import { relDiff, runOrt } from '../import/ort-helper';

test('random conv/pool configurations agree with onnxruntime-web', async () => {
  const r = mulberry32(99);
  const pick = (n: number): number => Math.floor(r() * n);
  for (let trial = 0; trial < 16; trial++) {
    const group = [1, 2, 3][pick(3)];
    const cin = group * (1 + pick(2)), cout = group * (1 + pick(3));
    const k = [1 + pick(3), 1 + pick(3)], d = [1 + pick(2), 1 + pick(2)], s = [1 + pick(2), 1 + pick(2)];
    const pads = [pick(2), pick(2), pick(3), pick(2)];
    const h = 5 + pick(4), w = 5 + pick(4);
    const b = new ModelBuilder(`t${trial}`, [cin, h, w], trial + 1);
    b.add('conv', 'conv2d', { strides: s, pads, dilations: d, group }, { weight: b.randn([cout, cin / group, k[0], k[1]]), ...(trial % 2 ? { bias: b.randn([cout]) } : {}) });
    const pk = [1 + pick(2), 1 + pick(3)];
    const pp = [pick(pk[0]), pick(pk[1]), pick(pk[0]), pick(pk[1])];
    const avg = trial % 3 === 0, ps = [1 + pick(2), 1 + pick(2)], countIncludePad = pick(2); // same draws as before
    // countIncludePad is an avgpool attribute; maxpool refuses attributes it does not have.
    b.add('pool', avg ? 'avgpool' : 'maxpool', { kernel: pk, strides: ps, pads: pp, ...(avg ? { countIncludePad } : {}) });
    const m = b.build();
    const x = tensor([2, cin, h, w], Float32Array.from({ length: 2 * cin * h * w }, () => r() * 2 - 1));
    const ours = runReference(m, x);
    const theirs = await runOrt(exportOnnx(m), x);
    assert.deepEqual(ours.shape, theirs.shape, `trial ${trial}`);
    assert.ok(relDiff(ours.data, theirs.data) <= 1e-4, `trial ${trial}: ${JSON.stringify({ group, cin, cout, k, d, s, pads, pk, pp })}`);
  }
});
