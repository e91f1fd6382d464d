/**
 * The packed kernels behind one interface: WebAssembly SIMD (ternary.wat,
 * ternary-float.wat and float-ops.wat, assembled at build time, sharing one memory) when the runtime
 * validates a SIMD probe, otherwise the TypeScript fallback (js-kernels.ts)
 * over the same memory layout. All pointers are byte offsets into
 * `heap.memory`; layouts are described in ternary.wat.
 */
import depthwiseBytes from './depthwise.wat';
import floatBytes from './float-ops.wat';
import ternaryBytes from './ternary.wat';
import ternaryActsBytes from './ternary-acts.wat';
import ternaryBase3Bytes from './ternary-base3.wat';
import ternaryFloatBytes from './ternary-float.wat';
import { Heap } from './heap';
import { JsKernels } from './js-kernels';
import type { Base3Matrix, PlaneMatrix } from './planes';

export interface Kernels {
  readonly simd: boolean;
  /** Which implementation runs: 'wasm-simd128' or 'js' (the fallback). */
  readonly family: string;
  readonly heap: Heap;
  /**
   * int8 activation trits [rows][kpad] (kpad a multiple of 128) → rows of [nonzero plane][negative plane],
   * the activation layout of ttGemm (fewer ops per chunk than a second +/− pair, see ternary.wat).
   */
  packI8Acts(src: number, rows: number, kpad: number, dst: number): void;
  /**
   * Integer ternary·ternary dot products: out[r·rs + c·cs] = Σ_k w[r][k]·a[c][k] (i32), or with `absolute`
   * Σ_k |w[r][k]|·a[c][k] from the same planes. Activations: packI8Acts rows of w.chunks chunks, a multiple of 4 rows.
   */
  ttGemm(w: PlaneMatrix, a: number, cols: number, out: number, rs: number, cs: number, absolute?: boolean): void;
  /** Subset-sum tables of 8-float groups for lutGemv (groups·256 f32). */
  lutBuild(x: number, groups: number, table: number): void;
  /**
   * out[r] = sp·Σ_{w=+1} x − sn·Σ_{w=−1} x for one float vector (via lutBuild's table of at least
   * ⌈w.planeBytes/4⌉·4 groups, built from x zero-padded past K); acc: scratch of rows·16 bytes.
   */
  lutGemv(w: PlaneMatrix, table: number, out: number, sp: number, sn: number, acc: number): void;
  /** out[r][m] = sp·Σ_{w=+1} x[k][m] − sn·Σ_{w=−1} x[k][m] by set-bit column adds; x is [K][m], m a multiple of 4 (layers of < 32 rows). */
  tfGemmCols(w: PlaneMatrix, x: number, m: number, out: number, sp: number, sn: number): void;
  /**
   * out[r][m] = sp·Σ_{w=+1} x[k][m] − sn·Σ_{w=−1} x[k][m] by subset-sum tables of 4 activations × 8 columns;
   * x is [K][m] with 8·planeBytes rows (zeros past K), m a multiple of 8; tables: 32 KB scratch, acc: rows·64 bytes.
   */
  tfLutGemm(w: PlaneMatrix, x: number, m: number, out: number, sp: number, sn: number, tables: number, acc: number): void;
  /**
   * out[r][m] = Σ_k c(w[r][k])·x[k][m] with c(+1) = sp, c(−1) = −sn, by tables of the 81 signed sums of 4 inputs ×
   * 8 columns (ternary-base3.wat); x is [K][m] with 4·groups rows (zeros past K), m a multiple of 8.
   */
  tf81Gemm(w: Base3Matrix, x: number, m: number, out: number, sp: number, sn: number): void;
  /** Float GEMM, f64 accumulation in k order: out[r][m] = f32(Σ_k w[r][k]·x[k][m] + bias[r]); w, bias f64; m a multiple of 8. */
  f64GemmCols(w: number, rows: number, k: number, x: number, m: number, bias: number, out: number): void;
  /** f32 GEMM for models without ternarized activations: out[r][m] = Σ_k w[r][k]·x[k][m] + bias[r]; w, bias f32; m a multiple of 16. */
  f32GemmCols(w: number, rows: number, k: number, x: number, m: number, bias: number, out: number): void;
  /**
   * Bias, batchnorm (flags & 1), relu (flags & 2), clip to [lo, hi] (flags & 16), + residual (flags & 4: f32 at `res`, laid out as `out`) and relu
   * again (flags & 8) of `rows` output channels in the reference's arithmetic;
   * src kind 0 f32 / 1 i32 / 2 f64 at src[r·rowStride + b·M + m]; params 6 f64 per row (mul, bias, gamma, mean, sd, beta);
   * out f32 [n][O][M] at channel o0 + r.
   */
  epilogue(src: number, kind: number, rowStride: number, rows: number, n: number, M: number, O: number, o0: number, params: number, flags: number, out: number, res?: number, lo?: number, hi?: number): void;
  /**
   * Fast epilogue for models without ternarized activations: out = a·src + b in f32, then `flags` 2/4/8 as in
   * `epilogue`, with per-row (a, b) as 2 f32 at params; src f32 at src[r·rowStride + b·M + m]; out as in `epilogue`.
   */
  epilogueAffine(src: number, rowStride: number, rows: number, n: number, M: number, O: number, o0: number, params: number, flags: number, out: number, res?: number, lo?: number, hi?: number): void;
  /** Float im2col of one group: x f32 [n][c][h][w] → dst f32 [ig·kh·kw][colsPad] (dst pre-zeroed). */
  im2col(x: number, n: number, c: number, h: number, w: number, ic0: number, ig: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, dh: number, dw: number, oh: number, ow: number, colsPad: number, dst: number): void;
  /** Ternary im2col of one group: int8 trits [n][c][h][w] → rows [n·oh·ow][kpad] for packI8Acts (dst pre-zeroed). */
  im2colI8(x: number, n: number, c: number, h: number, w: number, ic0: number, ig: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, dh: number, dw: number, oh: number, ow: number, kpad: number, dst: number): void;
  /**
   * Per-pixel bit-planes of int8 trits [n][c][hw] (c a multiple of 8): pixel b·hw + p at dst + (b·hw + p)·2·cbPad,
   * [nonzero: cbPad bytes][negative: cbPad bytes], cbPad = 2·⌈c/16⌉. The trits must be followed by 16·hw readable
   * bytes and dst must hold 16 pixel entries past n·hw (see ternary-acts.wat).
   */
  packPixels(t: number, n: number, c: number, hw: number, dst: number): void;
  /**
   * ttGemm activation columns from packPixels planes: bytes [c0, c0+cb) of each pixel's planes (one group's channels),
   * K in (ky, kx, ic) order, columns of 2·aPlane bytes (dst pre-zeroed).
   */
  im2colBits(pp: number, n: number, h: number, w: number, cbPad: number, c0: number, cb: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, dh: number, dw: number, oh: number, ow: number, aPlane: number, dst: number): void;
  /**
   * Depthwise conv, ternary weights (one plane row per channel, ≤ 64 taps) over zero-padded f32 planes [n][c][ph][pw]:
   * per output the sums P (+1 taps) and N (−1 taps) in f32, tap order; written [c][n][oh·ow] as mode 0: P, N;
   * mode 1: f32(sp·P) − f32(sn·N) to outP; mode 2: i32 P − N to outP (see depthwise.wat).
   */
  dwConv(x: number, n: number, c: number, ph: number, pw: number, w: PlaneMatrix, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, oh: number, ow: number, outP: number, outN: number, mode: number, sp: number, sn: number): void;
  /** Planes [h][w] (f32, or int8 trits converted to f32 when `i8`) into f32 planes bordered by `fill` (pads t, l, b, r). */
  padPlanes(src: number, i8: boolean, planes: number, h: number, w: number, pt: number, pl: number, pb: number, pr: number, fill: number, dst: number): void;
  /** The reference's activation rule: int8 trit = x > pos ? 1 : x < neg ? −1 : 0 for f32 x[count]. */
  ternarize(x: number, count: number, pos: number, neg: number, dst: number): void;
  /** Unpadded max pooling of `planes` f32 [h][w] planes into [oh][ow] (the reference's comparison order). */
  maxPool(x: number, planes: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, oh: number, ow: number, out: number): void;
}

/** A minimal module using one v128 op: validates only where WebAssembly SIMD is supported. */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type: () -> v128
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x0a, 0x0a, 0x01, 0x08, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0xfd, 0x62, 0x0b, // i32.const 0; i8x16.splat; i8x16.popcnt; end
]);

export function simdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

let compiled: WebAssembly.Module[] | undefined;

interface WasmExports {
  pack_i8_acts(src: number, rows: number, kpad: number, dst: number): void;
  tt_gemm(w: number, rows: number, chunks: number, wRow: number, wPlane: number, a: number, cols: number, out: number, rs: number, cs: number, abs: number): void;
  tt_gemv(w: number, rows: number, chunks: number, wRow: number, wPlane: number, a: number, out: number, rs: number, abs: number): void;
  lut_build(x: number, groups: number, t: number): void;
  lut_gemv(w: number, rows: number, planeBytes: number, t: number, out: number, sp: number, sn: number, acc: number): void;
  tf_gemm_cols(w: number, rows: number, k: number, x: number, m: number, out: number, sp: number, sn: number): void;
  tf_lut_gemm(w: number, rows: number, pb: number, x: number, m: number, out: number, sp: number, sn: number, tables: number, acc: number): void;
  f64_gemm_cols(w: number, rows: number, k: number, x: number, m: number, bias: number, out: number, panel: number): void;
  f32_gemm_cols(w: number, rows: number, k: number, x: number, m: number, bias: number, out: number, panel: number): void;
  epilogue(src: number, kind: number, rowStride: number, rows: number, n: number, M: number, O: number, o0: number, params: number, flags: number, out: number, res: number, lo: number, hi: number): void;
  epilogue_affine(src: number, rowStride: number, rows: number, n: number, M: number, O: number, o0: number, params: number, flags: number, out: number, res: number, lo: number, hi: number): void;
  im2col_f32(...args: number[]): void;
  maxpool_f32(...args: number[]): void;
  im2col_i8(...args: number[]): void;
  ternarize(x: number, count: number, pos: number, neg: number, dst: number): void;
  pack_pixels(t: number, n: number, c: number, hw: number, dst: number): void;
  dw_conv(...args: number[]): void;
  pad_planes(src: number, i8: number, planes: number, h: number, w: number, pt: number, pl: number, pb: number, pr: number, fill: number, dst: number): void;
  tf81_gemm(w: number, rows: number, G: number, x: number, m: number, out: number, sp: number, sn: number, t: number, ab: number, acc: number): void;
  im2col_bits(...args: number[]): void;
}

class WasmKernels implements Kernels {
  readonly simd = true;
  readonly family = 'wasm-simd128';
  readonly heap: Heap;
  private readonly x: WasmExports;
  constructor() {
    compiled ??= [ternaryBytes, ternaryActsBytes, ternaryFloatBytes, ternaryBase3Bytes, floatBytes, depthwiseBytes].map((b) => new WebAssembly.Module(b as Uint8Array<ArrayBuffer>));
    const memory = new WebAssembly.Memory({ initial: 1 });
    const env = { env: { memory } };
    this.x = Object.assign({}, ...compiled.map((m) => new WebAssembly.Instance(m, env).exports)) as WasmExports;
    this.heap = new Heap(memory);
  }
  packI8Acts(src: number, rows: number, kpad: number, dst: number): void { this.x.pack_i8_acts(src, rows, kpad, dst); }
  ttGemm(w: PlaneMatrix, a: number, cols: number, out: number, rs: number, cs: number, absolute = false): void {
    if (cols === 1) this.x.tt_gemv(w.ptr, w.rows, w.chunks, w.rowBytes, w.planeBytes, a, out, rs, absolute ? 1 : 0);
    else this.x.tt_gemm(w.ptr, w.rows, w.chunks, w.rowBytes, w.planeBytes, a, cols, out, rs, cs, absolute ? 1 : 0);
  }
  lutBuild(x: number, groups: number, table: number): void { this.x.lut_build(x, groups, table); }
  lutGemv(w: PlaneMatrix, table: number, out: number, sp: number, sn: number, acc: number): void {
    this.x.lut_gemv(w.ptr, w.rows, w.planeBytes, table, out, sp, sn, acc);
  }
  tfGemmCols(w: PlaneMatrix, x: number, m: number, out: number, sp: number, sn: number): void {
    this.x.tf_gemm_cols(w.ptr, w.rows, w.k, x, m, out, sp, sn);
  }
  tfLutGemm(w: PlaneMatrix, x: number, m: number, out: number, sp: number, sn: number, tables: number, acc: number): void {
    this.x.tf_lut_gemm(w.ptr, w.rows, w.planeBytes, x, m, out, sp, sn, tables, acc);
  }
  tf81Gemm(w: Base3Matrix, x: number, m: number, out: number, sp: number, sn: number): void {
    const h = this.heap;
    this.x.tf81_gemm(w.ptr, w.rows, w.groups, x, m, out, sp, sn, h.alloc(12 * 2592, false), h.alloc(576, false), h.alloc(w.rows * 32, false));
  }
  f64GemmCols(w: number, rows: number, k: number, x: number, m: number, bias: number, out: number): void {
    this.x.f64_gemm_cols(w, rows, k, x, m, bias, out, this.heap.alloc(k * 64, false));
  }
  f32GemmCols(w: number, rows: number, k: number, x: number, m: number, bias: number, out: number): void {
    this.x.f32_gemm_cols(w, rows, k, x, m, bias, out, this.heap.alloc(k * 64, false));
  }
  epilogue(src: number, kind: number, rowStride: number, rows: number, n: number, M: number, O: number, o0: number, params: number, flags: number, out: number, res = 0, lo = 0, hi = 0): void {
    this.x.epilogue(src, kind, rowStride, rows, n, M, O, o0, params, flags, out, res, lo, hi);
  }
  epilogueAffine(src: number, rowStride: number, rows: number, n: number, M: number, O: number, o0: number, params: number, flags: number, out: number, res = 0, lo = 0, hi = 0): void {
    this.x.epilogue_affine(src, rowStride, rows, n, M, O, o0, params, flags, out, res, lo, hi);
  }
  im2col(x: number, n: number, c: number, h: number, w: number, ic0: number, ig: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, dh: number, dw: number, oh: number, ow: number, colsPad: number, dst: number): void {
    this.x.im2col_f32(x, n, c, h, w, ic0, ig, kh, kw, sh, sw, pt, pl, dh, dw, oh, ow, colsPad, dst);
  }
  maxPool(x: number, planes: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, oh: number, ow: number, out: number): void {
    this.x.maxpool_f32(x, planes, h, w, kh, kw, sh, sw, oh, ow, out);
  }
  im2colI8(x: number, n: number, c: number, h: number, w: number, ic0: number, ig: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, dh: number, dw: number, oh: number, ow: number, kpad: number, dst: number): void {
    this.x.im2col_i8(x, n, c, h, w, ic0, ig, kh, kw, sh, sw, pt, pl, dh, dw, oh, ow, kpad, dst);
  }
  ternarize(x: number, count: number, pos: number, neg: number, dst: number): void {
    this.x.ternarize(x, count, pos, neg, dst);
  }
  packPixels(t: number, n: number, c: number, hw: number, dst: number): void { this.x.pack_pixels(t, n, c, hw, dst); }
  padPlanes(src: number, i8: boolean, planes: number, h: number, w: number, pt: number, pl: number, pb: number, pr: number, fill: number, dst: number): void {
    this.x.pad_planes(src, i8 ? 1 : 0, planes, h, w, pt, pl, pb, pr, fill, dst);
  }
  dwConv(x: number, n: number, c: number, ph: number, pw: number, w: PlaneMatrix, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, oh: number, ow: number, outP: number, outN: number, mode: number, sp: number, sn: number): void {
    this.x.dw_conv(x, n, c, ph, pw, w.ptr, w.planeBytes, w.rowBytes, kh, kw, sh, sw, dh, dw, oh, ow, outP, outN, mode, sp, sn, this.heap.alloc(256, false));
  }
  im2colBits(pp: number, n: number, h: number, w: number, cbPad: number, c0: number, cb: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, dh: number, dw: number, oh: number, ow: number, aPlane: number, dst: number): void {
    this.x.im2col_bits(pp, n, h, w, cbPad, c0, cb, kh, kw, sh, sw, pt, pl, dh, dw, oh, ow, aPlane, dst);
  }
}

/** Kernels for a new engine: SIMD WebAssembly unless `simd` is false or unsupported. */
export function createKernels(simd?: boolean): Kernels {
  if (simd !== false && simdSupported()) return new WasmKernels();
  return new JsKernels(new Heap(new WebAssembly.Memory({ initial: 1 })));
}

/** `k` with every kernel call counted into `calls` by name (bench: which kernels a forward pass ran). */
export function countingKernels(k: Kernels, calls: Map<string, number>): Kernels {
  return new Proxy(k, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || typeof prop !== 'string') return v;
      return (...args: unknown[]) => {
        calls.set(prop, (calls.get(prop) ?? 0) + 1);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
