import { test } from 'node:test';
import { buildComparableCnn } from '../../../src/core/bench/sample-cnn';
import { loadPackedEngine } from '../../../src/core/engine/index';
import { tensor } from '../../../src/core/tensor';
test('dbg', async () => {
  const model = buildComparableCnn();
  const e = await loadPackedEngine(model);
  for (const [b, reps] of [[1, 3000], [64, 40]]) {
    const x = tensor([b, 1, 28, 28]);
    for (let i = 0; i < x.data.length; i++) x.data[i] = Math.random();
    const t = performance.now();
    for (let r = 0; r < reps; r++) e.run(x);
    console.log(b, ((performance.now() - t) / reps).toFixed(3));
  }
});
