/**
 * Plain TypeScript versions of the kernels in ternary.wat and float-ops.wat, over the same heap
 * layout; used when WebAssembly SIMD is unavailable and as the cross-check in
 * tests. Same arithmetic: integer popcounts for ternary·ternary, additions only
 * for ternary·float.
 */
import type { Heap } from './heap';
import type { Kernels } from './kernels';
import type { Base3Matrix, PlaneMatrix } from './planes';

function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Little-endian 32-bit word at any byte offset (weight planes are byte-granular, not word-aligned). */
function word(u8: Uint8Array, at: number): number {
  return (u8[at] | (u8[at + 1] << 8) | (u8[at + 2] << 16) | (u8[at + 3] << 24)) >>> 0;
}

export class JsKernels implements Kernels {
  readonly simd = false;
  readonly family = 'js';
  constructor(readonly heap: Heap) {}

  packI8Acts(src: number, rows: number, kpad: number, dst: number): void {
    const i8 = this.heap.i8, u32 = this.heap.u32;
    const words = kpad >>> 5;
    for (let r = 0; r < rows; r++) {
      const s = src + r * kpad;
      const p = (dst >>> 2) + r * 2 * words;
      for (let q = 0; q < words; q++) {
        let nonzero = 0, negative = 0;
        for (let b = 0; b < 32; b++) {
          const t = i8[s + q * 32 + b];
          if (t !== 0) nonzero |= 1 << b;
          if (t < 0) negative |= 1 << b;
        }
        u32[p + q] = nonzero >>> 0;
        u32[p + words + q] = negative >>> 0;
      }
    }
  }

  ttGemm(w: PlaneMatrix, a: number, cols: number, out: number, rs: number, cs: number, absolute = false): void {
    const u8 = this.heap.u8, u32 = this.heap.u32, i32 = this.heap.i32;
    const words = w.chunks * 4, rowWords = 2 * words;
    for (let c = 0; c < cols; c++) {
      const anz = (a >>> 2) + c * rowWords, aneg = anz + words;
      for (let r = 0; r < w.rows; r++) {
        const wp = w.ptr + r * w.rowBytes, wm = wp + w.planeBytes;
        let dot = 0;
        for (let q = 0; q < words; q++) {
          // Words past the plane hold other rows' bits; the activation's zero padding cancels them.
          const p = word(u8, wp + 4 * q), mRaw = word(u8, wm + 4 * q), m = absolute ? 0 : mRaw;
          // nonzero products, and those of them with opposite signs: dot = popc(nz) − 2·popc(neg)
          const nz = (p | mRaw) & u32[anz + q];
          dot += popcount32(nz) - 2 * popcount32(nz & (m ^ u32[aneg + q]));
        }
        i32[(out >>> 2) + r * rs + c * cs] = dot;
      }
    }
  }

  lutBuild(x: number, groups: number, table: number): void {
    const f32 = this.heap.f32;
    for (let j = 0; j < groups; j++) {
      const t = (table >>> 2) + j * 256, xs = (x >>> 2) + j * 8;
      f32[t] = 0;
      for (let m = 1; m < 256; m++) f32[t + m] = f32[t + (m & (m - 1))] + f32[xs + (31 - Math.clz32(m & -m))];
    }
  }

  lutGemv(w: PlaneMatrix, table: number, out: number, sp: number, sn: number, _acc: number): void {
    const u8 = this.heap.u8, f32 = this.heap.f32;
    const plane = w.planeBytes, t = table >>> 2;
    for (let r = 0; r < w.rows; r++) {
      const wp = w.ptr + r * w.rowBytes, wm = wp + plane;
      let accP = 0, accN = 0;
      for (let j = 0; j < plane; j++) {
        accP += f32[t + j * 256 + u8[wp + j]];
        accN += f32[t + j * 256 + u8[wm + j]];
      }
      f32[(out >>> 2) + r] = Math.fround(sp) * accP - Math.fround(sn) * accN;
    }
  }

  tfGemmCols(w: PlaneMatrix, x: number, m: number, out: number, sp: number, sn: number): void {
    const u8 = this.heap.u8, f32 = this.heap.f32;
    const words = Math.ceil(w.k / 32);
    // Bits of the last word past k belong to the next plane.
    const lastMask = w.k % 32 ? (1 << w.k % 32) - 1 : -1;
    const accP = new Float64Array(m), accN = new Float64Array(m);
    const xb = x >>> 2;
    for (let r = 0; r < w.rows; r++) {
      accP.fill(0);
      accN.fill(0);
      const wp = w.ptr + r * w.rowBytes;
      for (let q = 0; q < words; q++) {
        for (const [plane, acc] of [[wp + 4 * q, accP], [wp + w.planeBytes + 4 * q, accN]] as const) {
          let bits = word(u8, plane) & (q === words - 1 ? lastMask : -1);
          while (bits !== 0) {
            const k = q * 32 + (31 - Math.clz32(bits & -bits));
            bits &= bits - 1;
            const row = xb + k * m;
            for (let i = 0; i < m; i++) acc[i] += f32[row + i];
          }
        }
      }
      const o = (out >>> 2) + r * m;
      for (let i = 0; i < m; i++) f32[o + i] = Math.fround(sp) * accP[i] - Math.fround(sn) * accN[i];
    }
  }

  /** tf_lut_gemm's arithmetic in its order (f32 rounding after every operation), so results are identical. */
  tfLutGemm(w: PlaneMatrix, x: number, m: number, out: number, sp: number, sn: number, _tables: number, _acc: number): void {
    const u8 = this.heap.u8, f32 = this.heap.f32, fr = Math.fround;
    const pb = w.planeBytes, xb = x >>> 2;
    const T = new Float32Array(64 * 16 * 8), acc = new Float32Array(w.rows * 16);
    const lanes = (): Float32Array[] => [0, 1, 2, 3].map(() => new Float32Array(8));
    for (let mb = 0; mb < m; mb += 8) {
      for (let qb = 0; qb < pb; qb += 32) {
        const qe = Math.min(qb + 32, pb);
        for (let g = 2 * qb; g < 2 * qe; g++) {
          const t = (g - 2 * qb) * 128;
          for (let c = 0; c < 8; c++) T[t + c] = 0;
          for (let e = 1; e < 16; e++) {
            const rest = e & (e - 1), bit = 31 - Math.clz32(e & -e), xr = xb + (4 * g + bit) * m + mb;
            for (let c = 0; c < 8; c++) T[t + e * 8 + c] = rest ? fr(T[t + rest * 8 + c] + f32[xr + c]) : f32[xr + c];
          }
        }
        for (let r = 0; r < w.rows; r++) {
          const wp = w.ptr + r * w.rowBytes, wm = wp + pb;
          const [pl, ph, nl, nh] = lanes();
          for (let q = qb; q < qe; q++) {
            const t = (q - qb) * 256, bp = u8[wp + q], bn = u8[wm + q];
            for (let c = 0; c < 8; c++) {
              pl[c] = fr(pl[c] + T[t + (bp & 15) * 8 + c]);
              ph[c] = fr(ph[c] + T[t + 128 + (bp >>> 4) * 8 + c]);
              nl[c] = fr(nl[c] + T[t + (bn & 15) * 8 + c]);
              nh[c] = fr(nh[c] + T[t + 128 + (bn >>> 4) * 8 + c]);
            }
          }
          for (let c = 0; c < 8; c++) {
            const P = fr(pl[c] + ph[c]), N = fr(nl[c] + nh[c]), a = r * 16;
            acc[a + c] = qb ? fr(acc[a + c] + P) : P;
            acc[a + 8 + c] = qb ? fr(acc[a + 8 + c] + N) : N;
          }
        }
      }
      for (let r = 0; r < w.rows; r++) {
        for (let c = 0; c < 8; c++) f32[(out >>> 2) + r * m + mb + c] = fr(fr(fr(sp) * acc[r * 16 + c]) - fr(fr(sn) * acc[r * 16 + 8 + c]));
      }
    }
  }


  f64GemmCols(w: number, rows: number, k: number, x: number, m: number, bias: number, out: number): void {
    const f64 = this.heap.f64, f32 = this.heap.f32;
    const acc = new Float64Array(m);
    for (let r = 0; r < rows; r++) {
      acc.fill(0);
      for (let kk = 0; kk < k; kk++) {
        const wv = f64[(w >>> 3) + r * k + kk], row = (x >>> 2) + kk * m;
        for (let i = 0; i < m; i++) acc[i] += wv * f32[row + i];
      }
      const b = f64[(bias >>> 3) + r], o = (out >>> 2) + r * m;
      for (let i = 0; i < m; i++) f32[o + i] = acc[i] + b;
    }
  }

  f32GemmCols(w: number, rows: number, k: number, x: number, m: number, bias: number, out: number): void {
    const f32 = this.heap.f32;
    const acc = new Float32Array(m);
    for (let r = 0; r < rows; r++) {
      acc.fill(f32[(bias >>> 2) + r]);
      for (let kk = 0; kk < k; kk++) {
        const wv = f32[(w >>> 2) + r * k + kk], row = (x >>> 2) + kk * m;
        for (let i = 0; i < m; i++) acc[i] += wv * f32[row + i];
      }
      f32.set(acc, (out >>> 2) + r * m);
    }
  }

  epilogue(src: number, kind: number, rowStride: number, rows: number, n: number, M: number, O: number, o0: number, params: number, flags: number, out: number, res = 0, lo = 0, hi = 0): void {
    const h = this.heap;
    const arr = kind === 0 ? h.f32 : kind === 1 ? h.i32 : h.f64;
    const base = kind === 2 ? src >>> 3 : src >>> 2;
    const f64 = h.f64, f32 = h.f32;
    for (let r = 0; r < rows; r++) {
      const p = (params >>> 3) + r * 6;
      const [mul, bias, gamma, mean, sd, beta] = [f64[p], f64[p + 1], f64[p + 2], f64[p + 3], f64[p + 4], f64[p + 5]];
      for (let b = 0; b < n; b++) {
        const s = base + r * rowStride + b * M, d = (out >>> 2) + (b * O + o0 + r) * M;
        for (let m = 0; m < M; m++) {
          let v = Math.fround(arr[s + m] * mul + bias);
          if (flags & 1) v = Math.fround((gamma * (v - mean)) / sd + beta);
          if (flags & 2) v = v > 0 ? v : 0;
          if (flags & 16) v = v < Math.fround(lo) ? Math.fround(lo) : v > Math.fround(hi) ? Math.fround(hi) : v;
          if (flags & 4) v = Math.fround(v + f32[d - (out >>> 2) + (res >>> 2) + m]);
          if (flags & 8) v = v > 0 ? v : 0;
          f32[d + m] = v;
        }
      }
    }
  }

  epilogueAffine(src: number, rowStride: number, rows: number, n: number, M: number, O: number, o0: number, params: number, flags: number, out: number, res = 0, lo = 0, hi = 0): void {
    const f32 = this.heap.f32;
    for (let r = 0; r < rows; r++) {
      const a = f32[(params >>> 2) + 2 * r], c = f32[(params >>> 2) + 2 * r + 1];
      for (let b = 0; b < n; b++) {
        const s = (src >>> 2) + r * rowStride + b * M, d = (out >>> 2) + (b * O + o0 + r) * M;
        for (let m = 0; m < M; m++) {
          let v = Math.fround(Math.fround(f32[s + m] * a) + c);
          if (flags & 2) v = v > 0 ? v : 0;
          if (flags & 16) v = v < Math.fround(lo) ? Math.fround(lo) : v > Math.fround(hi) ? Math.fround(hi) : v;
          if (flags & 4) v = Math.fround(v + f32[d - (out >>> 2) + (res >>> 2) + m]);
          if (flags & 8) v = v > 0 ? v : 0;
          f32[d + m] = v;
        }
      }
    }
  }

  im2col(x: number, n: number, c: number, h: number, w: number, ic0: number, ig: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, dh: number, dw: number, oh: number, ow: number, colsPad: number, dst: number): void {
    const f32 = this.heap.f32, xb = x >>> 2, M = oh * ow;
    let row = dst >>> 2;
    for (let ic = 0; ic < ig; ic++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++, row += colsPad) {
      for (let b = 0; b < n; b++) for (let oy = 0; oy < oh; oy++) {
        const iy = oy * sh - pt + ky * dh;
        if (iy < 0 || iy >= h) continue;
        const src = xb + ((b * c + ic0 + ic) * h + iy) * w, d = row + b * M + oy * ow;
        for (let ox = 0; ox < ow; ox++) {
          const ix = ox * sw - pl + kx * dw;
          if (ix >= 0 && ix < w) f32[d + ox] = f32[src + ix];
        }
      }
    }
  }

  maxPool(x: number, planes: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, oh: number, ow: number, out: number): void {
    const f32 = this.heap.f32;
    let o = out >>> 2;
    for (let p = 0; p < planes; p++) {
      const base = (x >>> 2) + p * h * w;
      for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
        let acc = -Infinity;
        for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
          const v = f32[base + (oy * sh + ky) * w + ox * sw + kx];
          acc = v > acc ? v : acc;
        }
        f32[o++] = acc;
      }
    }
  }

  im2colI8(x: number, n: number, c: number, h: number, w: number, ic0: number, ig: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, dh: number, dw: number, oh: number, ow: number, kpad: number, dst: number): void {
    const i8 = this.heap.i8, plane = h * w;
    let row = dst;
    for (let b = 0; b < n; b++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++, row += kpad) {
      let d = row;
      for (let ic = 0; ic < ig; ic++) {
        const src = x + (b * c + ic0 + ic) * plane;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky * dh;
          for (let kx = 0; kx < kw; kx++, d++) {
            const ix = ox * sw - pl + kx * dw;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) i8[d] = i8[src + iy * w + ix];
          }
        }
      }
    }
  }

  ternarize(x: number, count: number, pos: number, neg: number, dst: number): void {
    const f32 = this.heap.f32, i8 = this.heap.i8, xb = x >>> 2;
    for (let i = 0; i < count; i++) {
      const v = f32[xb + i];
      i8[dst + i] = v > pos ? 1 : v < neg ? -1 : 0;
    }
  }

  packPixels(t: number, n: number, c: number, hw: number, dst: number): void {
    const i8 = this.heap.i8, u8 = this.heap.u8;
    const cbPad = 2 * Math.ceil(c / 16), pix = 2 * cbPad;
    for (let b = 0; b < n; b++) for (let p = 0; p < hw; p++) {
      const out = dst + (b * hw + p) * pix;
      u8.fill(0, out, out + pix);
      for (let ch = 0; ch < c; ch++) {
        const v = i8[t + (b * c + ch) * hw + p];
        if (v !== 0) u8[out + (ch >>> 3)] |= 1 << (ch & 7);
        if (v < 0) u8[out + cbPad + (ch >>> 3)] |= 1 << (ch & 7);
      }
    }
  }

  im2colBits(pp: number, n: number, h: number, w: number, cbPad: number, c0: number, cb: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, dh: number, dw: number, oh: number, ow: number, aPlane: number, dst: number): void {
    const u8 = this.heap.u8, pix = 2 * cbPad;
    let d = dst;
    for (let b = 0; b < n; b++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++, d += 2 * aPlane) {
      for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
        const iy = oy * sh - pt + ky * dh, ix = ox * sw - pl + kx * dw;
        if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
        const s = pp + ((b * h + iy) * w + ix) * pix + c0, o = d + (ky * kw + kx) * cb;
        u8.copyWithin(o, s, s + cb);
        u8.copyWithin(o + aPlane, s + cbPad, s + cbPad + cb);
      }
    }
  }

  dwConv(x: number, n: number, c: number, ph: number, pw: number, w: PlaneMatrix, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, oh: number, ow: number, outP: number, outN: number, mode: number, sp: number, sn: number): void {
    const f32 = this.heap.f32, i32 = this.heap.i32, u8 = this.heap.u8, fr = Math.fround, M = oh * ow;
    for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) {
      const plane = (x >>> 2) + (b * c + ch) * ph * pw, wr = w.ptr + ch * w.rowBytes, o = (ch * n + b) * M;
      const sign = (t: number): number => ((u8[wr + (t >>> 3)] >>> (t & 7)) & 1 ? 1 : (u8[wr + w.planeBytes + (t >>> 3)] >>> (t & 7)) & 1 ? -1 : 0);
      for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
        let P = 0, N = 0;
        for (let ky = 0, t = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++, t++) {
          const s = sign(t);
          if (!s) continue;
          const v = f32[plane + (oy * sh + ky * dh) * pw + ox * sw + kx * dw];
          if (s > 0) P = fr(P + v);
          else N = fr(N + v);
        }
        const at = o + oy * ow + ox;
        if (mode === 0) { f32[(outP >>> 2) + at] = P; f32[(outN >>> 2) + at] = N; }
        else if (mode === 1) f32[(outP >>> 2) + at] = fr(fr(fr(sp) * P) - fr(fr(sn) * N));
        else i32[(outP >>> 2) + at] = P - N;
      }
    }
  }

  /** tf81_gemm's arithmetic in its order (f32 rounding after every operation), so results are identical. */
  tf81Gemm(w: Base3Matrix, x: number, m: number, out: number, sp: number, sn: number): void {
    const u8 = this.heap.u8, f32 = this.heap.f32, fr = Math.fround, G = w.groups, xb = x >>> 2;
    const SL = 12, T = new Float32Array(SL * 81 * 8), acc = new Float32Array(w.rows * 8);
    const A = new Float32Array(9 * 8), B = new Float32Array(9 * 8), s = new Float32Array(8), d = new Float32Array(8);
    const fsp = fr(sp), fsn = fr(-fr(sn));
    for (let mb = 0; mb < m; mb += 8) {
      for (let gb = 0; gb < G; gb += SL) {
        const gend = Math.min(gb + SL, G);
        for (let g = gb; g < gend; g++) {
          const u = (i: number, j: number, c: number): number => (j === 1 ? 0 : fr((j ? fsp : fsn) * f32[xb + (4 * g + i) * m + mb + c]));
          for (let j1 = 0; j1 < 3; j1++) for (let j0 = 0; j0 < 3; j0++) for (let c = 0; c < 8; c++) {
            A[(j0 + 3 * j1) * 8 + c] = fr(u(0, j0, c) + u(1, j1, c));
            B[(j0 + 3 * j1) * 8 + c] = fr(u(2, j0, c) + u(3, j1, c));
          }
          const t = (g - gb) * 648;
          for (let e = 0; e < 9; e++) for (let a = 0; a < 9; a++) for (let c = 0; c < 8; c++) T[t + (a + 9 * e) * 8 + c] = fr(A[a * 8 + c] + B[e * 8 + c]);
        }
        for (let r = 0; r < w.rows; r++) {
          const wr = w.ptr + r * G;
          s.fill(0);
          d.fill(0);
          let q = gb;
          for (; q + 1 < gend; q += 2) {
            const ts = (q - gb) * 648 + u8[wr + q] * 8, td = (q + 1 - gb) * 648 + u8[wr + q + 1] * 8;
            for (let c = 0; c < 8; c++) { s[c] = fr(s[c] + T[ts + c]); d[c] = fr(d[c] + T[td + c]); }
          }
          if (q < gend) for (let c = 0; c < 8; c++) s[c] = fr(s[c] + T[(q - gb) * 648 + u8[wr + q] * 8 + c]);
          for (let c = 0; c < 8; c++) {
            const v = fr(s[c] + d[c]);
            acc[r * 8 + c] = gb ? fr(acc[r * 8 + c] + v) : v;
          }
        }
      }
      for (let r = 0; r < w.rows; r++) for (let c = 0; c < 8; c++) f32[(out >>> 2) + r * m + mb + c] = acc[r * 8 + c];
    }
  }

  padPlanes(src: number, i8: boolean, planes: number, h: number, w: number, pt: number, pl: number, pb: number, pr: number, fill: number, dst: number): void {
    const f32 = this.heap.f32, s8 = this.heap.i8, ph = h + pt + pb, pw = w + pl + pr, d0 = dst >>> 2;
    if (pt || pl || pb || pr) f32.fill(fill, d0, d0 + planes * ph * pw);
    for (let p = 0; p < planes; p++) for (let y = 0; y < h; y++) {
      const d = d0 + (p * ph + y + pt) * pw + pl, s = (p * h + y) * w;
      for (let x = 0; x < w; x++) f32[d + x] = i8 ? s8[src + s + x] : f32[(src >>> 2) + s + x];
    }
  }
}
