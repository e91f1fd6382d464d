import { test } from 'node:test';
import { createKernels } from '../../../src/core/engine/kernels';
import { repackRows } from '../../../src/core/engine/planes';
test('dbg', async () => {
  const k = createKernels(true);
  const [m, kLen, n] = [256, 1024, 1024];
  const wt = new Int8Array(n * kLen).map(() => (Math.random() * 3 | 0) - 1);
  const at = new Int8Array(m * kLen).map(() => (Math.random() * 3 | 0) - 1);
  const w = repackRows(k.heap, wt, 0, n, kLen);
  k.heap.sealPersistent();
  for (let rep = 0; rep < 4; rep++) {
    k.heap.resetScratch();
    let t = performance.now();
    const i8 = k.heap.alloc(m * kLen);
    k.heap.i8.set(at, i8);
    const planes = k.heap.alloc(m * 8 * 32);
    const t1 = performance.now();
    k.packI8Planes(i8, m, 1024, planes);
    const t2 = performance.now();
    const out = k.heap.alloc(m * n * 4);
    const t3 = performance.now();
    k.ttGemm(w.ptr, n, 8, planes, m, out, 1, n);
    const t4 = performance.now();
    console.log(`alloc+copy ${(t1 - t).toFixed(2)} pack ${(t2 - t1).toFixed(2)} alloc out ${(t3 - t2).toFixed(2)} gemm ${(t4 - t3).toFixed(2)}`);
  }
});
