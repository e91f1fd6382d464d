import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createKernels, simdSupported, type Kernels } from '../../../src/core/engine/kernels';
import { repackRows } from '../../../src/core/engine/planes';
import { randomTrits, rng } from './random-model';

const both = (): Kernels[] => [createKernels(true), createKernels(false)];

test('SIMD is detected in this Node and the fallback is selectable', () => {
  assert.equal(simdSupported(), true);
  const [w, j] = both();
  assert.equal(w.simd, true);
  assert.equal(j.simd, false);
});

/** Writes int8 activation rows padded to kpad and packs them with the kernel under test. */
function packActs(k: Kernels, acts: Int8Array, cols: number, kLen: number, chunks: number): number {
  const kpad = chunks * 128, colsPad = Math.ceil(cols / 4) * 4;
  const i8 = k.heap.alloc(colsPad * kpad);
  for (let c = 0; c < cols; c++) k.heap.i8.set(acts.subarray(c * kLen, (c + 1) * kLen), i8 + c * kpad);
  const planes = k.heap.alloc(colsPad * chunks * 32);
  k.packI8Acts(i8, colsPad, kpad, planes);
  return planes;
}

// cols = 1 runs tt_gemv: 4-row blocks plus a 0–3 row tail, prefetch clamped at the end of tiny and odd-sized matrices
for (const [rows, cols, kLen] of [[5, 3, 7], [7, 1, 2100], [9, 6, 128], [17, 5, 300], [3, 9, 2100], [4, 4, 4096], [4, 1, 7], [9, 1, 300], [12, 1, 1000], [1, 1, 64]]) {
  test(`ttGemm ${rows}x${kLen} · ${cols} columns is bit-exact against a naive integer loop (SIMD and fallback)`, () => {
    const r = rng(rows * 1000 + kLen);
    const w = randomTrits(r, rows * kLen), a = randomTrits(r, cols * kLen, 0.5);
    const naive = new Int32Array(rows * cols), naiveAbs = new Int32Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) {
      let s = 0, t = 0;
      for (let k = 0; k < kLen; k++) {
        s += w[i * kLen + k] * a[c * kLen + k];
        t += Math.abs(w[i * kLen + k]) * a[c * kLen + k];
      }
      naive[i * cols + c] = s;
      naiveAbs[i * cols + c] = t;
    }
    for (const k of both()) {
      const m = repackRows(k.heap, w, 0, rows, kLen);
      // byte-granular planes: 2 bits per weight, rows not padded to 128 trits
      assert.equal(m.rowBytes, 2 * Math.ceil(kLen / 8));
      const planes = packActs(k, a, cols, kLen, m.chunks);
      const out = k.heap.alloc(rows * cols * 4);
      k.ttGemm(m, planes, cols, out, cols, 1);
      assert.deepEqual(Array.from(k.heap.i32.subarray(out >>> 2, (out >>> 2) + rows * cols)), Array.from(naive), `simd=${k.simd}`);
      k.ttGemm(m, planes, cols, out, cols, 1, true);
      assert.deepEqual(Array.from(k.heap.i32.subarray(out >>> 2, (out >>> 2) + rows * cols)), Array.from(naiveAbs), `absolute simd=${k.simd}`);
    }
  });
}

test('ttGemm with all-+1 rows saturates no i8 lane over long rows (K = 8192)', () => {
  const kLen = 8192;
  const w = new Int8Array(kLen).fill(1), a = new Int8Array(4 * kLen).fill(-1);
  for (const k of both()) {
    const m = repackRows(k.heap, w, 0, 1, kLen);
    const planes = packActs(k, a, 4, kLen, m.chunks);
    const out = k.heap.alloc(16);
    k.ttGemm(m, planes, 4, out, 1, 1);
    assert.deepEqual(Array.from(k.heap.i32.subarray(out >>> 2, (out >>> 2) + 4)), [-kLen, -kLen, -kLen, -kLen]);
  }
});

function naiveTf(w: Int8Array, x: Float32Array, rows: number, kLen: number, sp: number, sn: number, col = 0, m = 1): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let p = 0, n = 0;
    for (let k = 0; k < kLen; k++) {
      const t = w[i * kLen + k], v = x[k * m + col];
      if (t > 0) p += v; else if (t < 0) n += v;
    }
    out[i] = Math.fround(sp) * p - Math.fround(sn) * n;
  }
  return out;
}

const close = (a: number, b: number, scale: number): boolean => Math.abs(a - b) <= 1e-5 * scale;

for (const kLen of [5, 72, 130, 1000, 2100]) {
  test(`tf81Gemm (K=${kLen}, base-3 weights) matches a naive loop; SIMD and fallback are identical`, async () => {
    const { repackBase3 } = await import('../../../src/core/engine/planes');
    const r = rng(kLen + 81);
    const rows = 13, m = 19, mPad = 24;
    const w = randomTrits(r, rows * kLen);
    const x = new Float32Array(kLen * m).map(() => r() * 2 - 1);
    const sp = 0.37, sn = 0.51;
    const results: Float32Array[] = [];
    for (const k of both()) {
      const mat = repackBase3(k.heap, w, 0, rows, kLen);
      assert.equal(mat.groups, Math.ceil(kLen / 4));
      const xt = k.heap.alloc(mat.groups * 4 * mPad * 4);
      for (let i = 0; i < kLen; i++) for (let c = 0; c < m; c++) k.heap.f32[(xt >>> 2) + i * mPad + c] = x[i * m + c];
      const out = k.heap.alloc(rows * mPad * 4);
      k.tf81Gemm(mat, xt, mPad, out, sp, sn);
      for (let c = 0; c < m; c++) {
        const want = naiveTf(w, x, rows, kLen, sp, sn, c, m);
        for (let i = 0; i < rows; i++) assert.ok(close(k.heap.f32[(out >>> 2) + i * mPad + c], want[i], Math.sqrt(kLen)), `simd=${k.simd} r${i} c${c}`);
      }
      results.push(k.heap.f32.slice(out >>> 2, (out >>> 2) + rows * mPad));
    }
    assert.deepEqual(Array.from(results[0]).map((v, i) => (Object.is(v, results[1][i]) ? -1 : i)).filter((i) => i >= 0), [], 'SIMD vs fallback bit patterns');
  });
}

for (const kLen of [5, 72, 130, 1000, 2100]) {
  test(`lutGemv, tfLutGemm and tfGemmCols (K=${kLen}) match a naive additions loop; tfLutGemm SIMD and fallback are identical`, () => {
    const r = rng(kLen);
    const rows = 13, m = 19, mPad = 24; // three 8-column blocks
    const results: Float32Array[] = [];
    const w = randomTrits(r, rows * kLen);
    const x = new Float32Array(kLen * m).map(() => r() * 2 - 1);
    const sp = 0.37, sn = 0.51;
    for (const k of both()) {
      const mat = repackRows(k.heap, w, 0, rows, kLen);
      // GEMV on column 0
      const xp = k.heap.alloc(mat.chunks * 512);
      for (let i = 0; i < kLen; i++) k.heap.f32[(xp >>> 2) + i] = x[i * m];
      const table = k.heap.alloc(mat.chunks * 16 * 1024);
      k.lutBuild(xp, mat.chunks * 16, table);
      const out = k.heap.alloc(rows * 4);
      k.lutGemv(mat, table, out, sp, sn, k.heap.alloc(rows * 16, false));
      const want = naiveTf(w, x, rows, kLen, sp, sn, 0, m);
      for (let i = 0; i < rows; i++) assert.ok(close(k.heap.f32[(out >>> 2) + i], want[i], Math.sqrt(kLen)), `gemv simd=${k.simd} row ${i}`);
      // GEMM over columns laid out [K][mPad], 8·planeBytes rows (zeros past K)
      const xt = k.heap.alloc(mat.planeBytes * 8 * mPad * 4);
      for (let i = 0; i < kLen; i++) for (let c = 0; c < m; c++) k.heap.f32[(xt >>> 2) + i * mPad + c] = x[i * m + c];
      const o2 = k.heap.alloc(rows * mPad * 4);
      k.tfLutGemm(mat, xt, mPad, o2, sp, sn, k.heap.alloc(32768), k.heap.alloc(rows * 64));
      for (let c = 0; c < m; c++) {
        const wc = naiveTf(w, x, rows, kLen, sp, sn, c, m);
        for (let i = 0; i < rows; i++) assert.ok(close(k.heap.f32[(o2 >>> 2) + i * mPad + c], wc[i], Math.sqrt(kLen)), `gemm simd=${k.simd} r${i} c${c}`);
      }
      results.push(k.heap.f32.slice(o2 >>> 2, (o2 >>> 2) + rows * mPad));
      // the set-bit column adds of narrow layers, same layout
      const o3 = k.heap.alloc(rows * mPad * 4);
      k.tfGemmCols(mat, xt, mPad, o3, sp, sn);
      for (let c = 0; c < m; c++) {
        const wc = naiveTf(w, x, rows, kLen, sp, sn, c, m);
        for (let i = 0; i < rows; i++) assert.ok(close(k.heap.f32[(o3 >>> 2) + i * mPad + c], wc[i], Math.sqrt(kLen)), `tfGemmCols simd=${k.simd} r${i} c${c}`);
      }
    }
    assert.deepEqual(Array.from(results[0]).map((v, i) => (Object.is(v, results[1][i]) ? -1 : i)).filter((i) => i >= 0), [], 'tfLutGemm SIMD vs fallback bit patterns');
  });
}

test('lutGemv over 40 rows (prefetch of row r+16 inside the weights, then clamped) matches a naive additions loop', () => {
  const r = rng(4040);
  const rows = 40, kLen = 700, sp = 0.8, sn = 0.3;
  const w = randomTrits(r, rows * kLen);
  const x = new Float32Array(kLen).map(() => r() * 4 - 2);
  const want = naiveTf(w, x, rows, kLen, sp, sn);
  for (const k of both()) {
    const mat = repackRows(k.heap, w, 0, rows, kLen);
    const xp = k.heap.alloc(mat.chunks * 512);
    k.heap.f32.set(x, xp >>> 2);
    const table = k.heap.alloc(mat.chunks * 16 * 1024);
    k.lutBuild(xp, mat.chunks * 16, table);
    const out = k.heap.alloc(rows * 4);
    k.lutGemv(mat, table, out, sp, sn, k.heap.alloc(rows * 16, false));
    for (let i = 0; i < rows; i++) assert.ok(close(k.heap.f32[(out >>> 2) + i], want[i], Math.sqrt(kLen)), `simd=${k.simd} row ${i}: ${k.heap.f32[(out >>> 2) + i]} vs ${want[i]}`);
  }
});

test('maxPool (2x2/2 SIMD path, generic path, −∞-padded) is identical to the reference pool2d, NaN/-0/inf included', async () => {
  const { maxPool } = await import('../../../src/core/engine/pool');
  const { pool2d } = await import('../../../src/core/exec/ops/pool');
  const { tensor } = await import('../../../src/core/tensor');
  const r = rng(99);
  const x = tensor([2, 3, 19, 21]);
  const specials = [NaN, -0, 0, Infinity, -Infinity];
  for (let i = 0; i < x.data.length; i++) x.data[i] = r() < 0.1 ? specials[Math.floor(r() * specials.length)] : r() * 2 - 1;
  const cases: number[][][] = [[[2, 2], [2, 2], [0, 0, 0, 0]], [[3, 2], [2, 1], [0, 0, 0, 0]], [[2, 2], [1, 1], [0, 0, 0, 0]],
    [[3, 3], [2, 2], [1, 1, 1, 1]], [[3, 3], [1, 1], [1, 0, 2, 1]], [[2, 3], [2, 3], [0, 2, 1, 0]]];
  for (const [k, s, pads] of cases) {
    const oh = Math.floor((19 + pads[0] + pads[2] - k[0]) / s[0]) + 1, ow = Math.floor((21 + pads[1] + pads[3] - k[1]) / s[1]) + 1;
    const want = pool2d('max', x, { kernel: k, strides: s, pads }, [2, 3, oh, ow]);
    for (const kern of both()) {
      const got = maxPool(kern, x, { kernel: k, strides: s, pads }, [2, 3, oh, ow]);
      assert.deepEqual(Array.from(got.data).map(Object.is.bind(null, 0)), Array.from(want.data).map(Object.is.bind(null, 0)), 'signed zeros');
      assert.deepEqual(Array.from(got.data), Array.from(want.data), `simd=${kern.simd} k=${k} s=${s} pads=${pads}`);
    }
  }
});

test('ternarize follows ternarizeActivation exactly: ties, thresholds between floats, NaN, ±0, ±inf', async () => {
  const { ternarizeActivation } = await import('../../../src/core/exec/reference');
  const { tensor } = await import('../../../src/core/tensor');
  const r = rng(5);
  const pos = 0.1, neg = -0.30000001192092896; // 0.1 is not a float32; neg is exactly one
  const special = [0.1, Math.fround(0.1), -0.30000001192092896, Math.fround(-0.3), NaN, -0, 0, Infinity, -Infinity];
  const x = tensor([200]);
  for (let i = 0; i < 200; i++) x.data[i] = i < special.length ? special[i] : r() * 2 - 1;
  const want = ternarizeActivation(x, { thresholds: { pos, neg }, scale: 1 }).data;
  for (const k of both()) {
    const xp = k.heap.alloc(800), t = k.heap.alloc(200);
    k.heap.f32.set(x.data, xp >>> 2);
    k.ternarize(xp, 200, Math.fround(pos), Math.fround(neg), t); // as MatmulLayer passes them
    assert.deepEqual(Array.from(k.heap.i8.subarray(t, t + 200)), Array.from(want, (v) => (v > 0 ? 1 : v < 0 ? -1 : 0)), `simd=${k.simd}`);
  }
});

test('f32GemmCols and epilogueAffine (models without ternarized activations) match naive float loops (SIMD and fallback)', () => {
  const r = rng(11);
  const rows = 5, k = 9, m = 32, M = 7, n = 3; // M = 7: the epilogue's 4-wide loop and its scalar tail
  const w = Float32Array.from({ length: rows * k }, () => r() * 2 - 1), bias = Float32Array.from({ length: rows }, () => r() - 0.5);
  const x = Float32Array.from({ length: k * m }, () => r() * 2 - 1);
  const ab = Float32Array.from({ length: 2 * rows }, () => r() * 2 - 1);
  for (const kern of both()) {
    const h = kern.heap;
    const [pw, pb, px, po, pab, pe] = [rows * k, rows, k * m, rows * m, 2 * rows, n * rows * M].map((len) => h.alloc(len * 4));
    h.f32.set(w, pw >>> 2); h.f32.set(bias, pb >>> 2); h.f32.set(x, px >>> 2); h.f32.set(ab, pab >>> 2);
    kern.f32GemmCols(pw, rows, k, px, m, pb, po);
    for (let i = 0; i < rows; i++) for (let c = 0; c < m; c++) {
      let s = bias[i];
      for (let kk = 0; kk < k; kk++) s += w[i * k + kk] * x[kk * m + c];
      assert.ok(Math.abs(h.f32[(po >>> 2) + i * m + c] - s) <= 1e-5, `gemm simd=${kern.simd} r${i} c${c}`);
    }
    // columns b·M + j of the GEMM output, into NCHW [n][rows][M], with relu
    kern.epilogueAffine(po, m, rows, n, M, rows, 0, pab, 2, pe);
    for (let b = 0; b < n; b++) for (let i = 0; i < rows; i++) for (let j = 0; j < M; j++) {
      const v = Math.fround(Math.fround(h.f32[(po >>> 2) + i * m + b * M + j] * ab[2 * i]) + ab[2 * i + 1]);
      assert.equal(h.f32[(pe >>> 2) + (b * rows + i) * M + j], v > 0 ? v : 0, `epilogue simd=${kern.simd} b${b} r${i} m${j}`);
    }
  }
});

// [kh, kw, pt, pl, pb, pr, stride, dilation]: "same" shapes take the SIMD kernel's shifted-plane copy
for (const [kh, kw, pt, pl, pb, pr, st, dl] of [[3, 3, 1, 1, 1, 1, 1, 1], [2, 3, 0, 2, 1, 0, 1, 1], [1, 5, 0, 2, 0, 2, 1, 1], [3, 3, 1, 1, 1, 1, 2, 1], [3, 3, 2, 2, 2, 2, 1, 2]]) {
  test(`im2col ${kh}x${kw} pads ${pt},${pl},${pb},${pr} stride ${st} dilation ${dl}: SIMD equals the fallback`, () => {
    const r = rng(kh * 100 + pl * 10 + st);
    const [n, c, h, w] = [2, 3, 6, 7];
    const oh = Math.floor((h + pt + pb - ((kh - 1) * dl + 1)) / st) + 1, ow = Math.floor((w + pl + pr - ((kw - 1) * dl + 1)) / st) + 1;
    const cols = n * oh * ow, colsPad = Math.ceil(cols / 16) * 16, K = 2 * kh * kw; // channels 1..2 of 3 (a group)
    const x = Float32Array.from({ length: n * c * h * w }, () => r() * 2 - 1);
    const got = both().map((k) => {
      const dst = k.heap.alloc(K * colsPad * 4); // zero-filled, as the engine allocates it
      const xin = k.heap.alloc(x.length * 4);
      k.heap.f32.set(x, xin >>> 2);
      k.im2col(xin, n, c, h, w, 1, 2, kh, kw, st, st, pt, pl, dl, dl, oh, ow, colsPad, dst);
      return Array.from({ length: K }, (_, row) => Array.from(k.heap.f32.subarray((dst >>> 2) + row * colsPad, (dst >>> 2) + row * colsPad + cols)));
    });
    assert.deepEqual(got[0], got[1]);
    assert.ok(got[0].flat().some((v) => v !== 0));
  });
}
