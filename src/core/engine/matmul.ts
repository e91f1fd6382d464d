/**
 * conv2d and dense layers on the packed kernels. Every variant is a GEMM of
 * weight rows against activation columns; a conv's columns are its im2col
 * patches over the whole batch (stride, padding, dilation, one GEMM per group),
 * a dense layer's columns are the batch rows.
 *  - ternary weights + actQuant: input ternarized with the reference's rule,
 *    packed into planes, integer popcount GEMM (tt), then scales;
 *  - ternary weights, float input: additions-only kernels (tf) — subset-sum
 *    tables of 8 inputs for a single vector, of 4 inputs × 8 columns otherwise;
 *  - float weights (first/last layers): f64-accumulating GEMM, bit-identical
 *    to the reference executor.
 */
import type { Layer, WeightQuant } from '../graph/types';
import { windowOut } from '../ops/index';
import { sizeOf, tensor, type Tensor } from '../tensor';
import type { Epilogue } from './epilogue';
import type { Kernels } from './kernels';
import { repackBase3, repackRows, tapsMajorOrder, type Base3Matrix, type PlaneMatrix } from './planes';
import { depthwise, depthwiseFits } from './depthwise';
import { maxPoolInHeap, type PoolWindow } from './pool';

export interface ConvGeometry {
  strides: number[];
  pads: number[];
  dilations: number[];
  group: number;
}

/** Intermediate tensors of one ternary layer, filled when the stepper asks for sub-steps. */
export interface MatmulTrace {
  quantized?: Tensor;
  /** Integer accumulators (ternary·ternary) or ±additions sums (ternary·float, scales applied by the kernel). */
  accumulators?: Tensor;
  scaled?: Tensor;
  biased?: Tensor;
}

const ceilTo = (n: number, m: number): number => Math.ceil(n / m) * m;

/** Where each column of a GEMM comes from: batch × patches, as a conv (dense = 1×1 "patches" of a [N,K] input). */
interface Geometry {
  n: number; c: number; h: number; w: number;
  o: number; oh: number; ow: number;
  ig: number; kh: number; kw: number;
  sh: number; sw: number; pt: number; pl: number; dh: number; dw: number;
  groups: number;
}

export class MatmulLayer {
  readonly runtimeBytes: number;
  readonly fp32Bytes: number;
  readonly ternary: boolean;
  private readonly planes: PlaneMatrix[] = [];
  /** Wide convs with float input: base-3 weight bytes per group for tf81Gemm, instead of planes. */
  private readonly base3: Base3Matrix[] = [];
  /** Asymmetric scales with ternary inputs: Σ|w|·a is needed too (an absolute-mode pass over the same planes). */
  private readonly asymmetricTt: boolean = false;
  private readonly sp: number = 1;
  private readonly sn: number = 1;
  /** Float weights: [og][K] per group, and the bias (zeros when absent); f64, or f32 when `approximate`. */
  private readonly floatW: number[] = [];
  private readonly floatBias: number = 0;
  private readonly outC: number;
  private readonly k: number;
  /**
   * Ternary conv with ternarized input and whole bytes of channels per group: activation columns are
   * assembled from per-pixel bit-planes (packPixels + im2colBits) instead of an int8 im2col, and the
   * weight rows are stored in the same (ky, kx, ic) order.
   */
  private readonly bitColumns: boolean = false;
  /** Ternary depthwise conv (one input channel per output channel): the dw_conv kernel, planes[0] holds every channel. */
  private readonly depthwise: boolean = false;

  constructor(
    private readonly kernels: Kernels,
    readonly layer: Layer,
    readonly weightShape: number[],
    weights: { trits?: Int8Array; float?: Float32Array; bias?: Float32Array },
    private readonly conv?: ConvGeometry,
    /**
     * The model ternarizes no activations: run() may then compute float layers in f32 and fold bias and
     * batchnorm into one f32 affine map (a few ulps from the reference, within tolerance). With ternarized
     * activations downstream an ulp can flip a trit at a threshold, so the bit-exact f64 paths run.
     */
    private readonly approximate = false,
  ) {
    const heap = kernels.heap;
    this.outC = weightShape[0];
    const groups = conv ? conv.group : 1;
    const og = this.outC / groups;
    this.k = weightShape.slice(1).reduce((a, b) => a * b, 1);
    this.ternary = Boolean(weights.trits);
    if (weights.trits) {
      const wq = layer.weightQuant as WeightQuant;
      this.sp = Math.fround(wq.scale.pos);
      this.sn = Math.fround(wq.scale.neg);
      const [, ig, kh, kw] = weightShape;
      this.depthwise = Boolean(conv && groups > 1 && og === 1 && ig === 1 && depthwiseFits(kh, kw));
      this.bitColumns = Boolean(conv && layer.actQuant && ig % 8 === 0);
      const order = this.bitColumns ? tapsMajorOrder(ig, kh, kw) : undefined;
      // tf81Gemm's 81-entry tables pay off from ~96 rows (docs/engine-performance.md)
      const wide = Boolean(conv && !layer.actQuant && !this.depthwise && og >= 96);
      if (this.depthwise) this.planes.push(repackRows(heap, weights.trits, 0, this.outC, this.k));
      else if (wide) for (let g = 0; g < groups; g++) this.base3.push(repackBase3(heap, weights.trits, g * og, og, this.k));
      else for (let g = 0; g < groups; g++) this.planes.push(repackRows(heap, weights.trits, g * og, og, this.k, order));
      this.asymmetricTt = Boolean(layer.actQuant) && this.sp !== this.sn;
      this.runtimeBytes = [...this.planes, ...this.base3].reduce((s, m) => s + m.bytes, 0);
      this.fp32Bytes = weights.trits.length * 4;
    } else {
      const f = weights.float as Float32Array;
      const bytes = approximate ? 4 : 8;
      for (let g = 0; g < groups; g++) {
        const p = heap.alloc(og * this.k * bytes);
        const part = f.subarray(g * og * this.k, (g + 1) * og * this.k);
        if (approximate) heap.f32.set(part, p >>> 2);
        else heap.f64.set(part, p >>> 3);
        this.floatW.push(p);
      }
      this.floatBias = heap.alloc(this.outC * bytes);
      if (weights.bias && approximate) heap.f32.set(weights.bias, this.floatBias >>> 2);
      else if (weights.bias) heap.f64.set(weights.bias, this.floatBias >>> 3);
      this.runtimeBytes = 0;
      this.fp32Bytes = 0;
    }
  }

  private geometry(x: Tensor, outShape: number[]): Geometry {
    if (!this.conv) {
      const n = x.data.length / this.k;
      return { n, c: this.k, h: 1, w: 1, o: this.outC, oh: 1, ow: 1, ig: this.k, kh: 1, kw: 1, sh: 1, sw: 1, pt: 0, pl: 0, dh: 1, dw: 1, groups: 1 };
    }
    const [n, c, h, w] = x.shape;
    const [, o, oh, ow] = outShape;
    const [, ig, kh, kw] = this.weightShape;
    const p = this.conv;
    return { n, c, h, w, o, oh, ow, ig, kh, kw, sh: p.strides[0], sw: p.strides[1], pt: p.pads[0], pl: p.pads[1], dh: p.dilations[0], dw: p.dilations[1], groups: p.group };
  }

  run(x: Tensor, outShape: number[], epi: Epilogue, trace?: MatmulTrace): Tensor {
    const heap = this.kernels.heap;
    const g = this.geometry(x, this.conv ? outShape : [0, this.outC]);
    const tr = trace ? { acc: tensor(outShape), scaled: tensor(outShape), biased: tensor(outShape) } : undefined;
    // The trace path writes y directly; the fast path copies it out of wasm memory at the end (no zero-filled allocation).
    let y: Tensor = tr ? tensor(outShape) : { shape: [...outShape], data: new Float32Array(0) };
    const size = sizeOf(outShape);
    try {
      // The fast path writes the whole NCHW output here, one group's channels at a time.
      const outBuf = tr ? 0 : heap.alloc(size * 4, false);
      // a fused residual add reads the other operand from engine memory, laid out as the output
      const resBuf = !tr && epi.residual ? heap.alloc(size * 4, false) : 0;
      if (resBuf) heap.f32.set(epi.residual!.data, resBuf >>> 2);
      const mark = heap.mark();
      const aq = this.ternary ? this.layer.actQuant : undefined;
      // ±1 activations are worth ±scale (a negative scale flips them, as in the reference's rule).
      const actScale = aq ? Math.fround(aq.scale) : 1;
      if (aq && trace) trace.quantized = tensor(x.shape);
      // Samples go through in slices whose im2col buffer stays cache-sized (~256 KB).
      const perSampleIn = x.data.length / g.n, perSampleOut = size / g.n;
      const colBytes = this.k * g.oh * g.ow * 4;
      const slice = Math.max(1, Math.floor(262144 / colBytes));
      for (let b0 = 0; b0 < g.n; b0 += slice) {
        const n = Math.min(slice, g.n - b0);
        const gs: Geometry = { ...g, n };
        const sink: Sink = { y, epi, tr, outBuf: outBuf + b0 * perSampleOut * 4, resBuf: resBuf && resBuf + b0 * perSampleOut * 4, yOffset: b0 * perSampleOut };
        const xs = x.data.subarray(b0 * perSampleIn, (b0 + n) * perSampleIn);
        let tin = 0, pixels = 0;
        if (aq) {
          // Input trits by the reference executor's rule (ternarizeActivation), in wasm memory.
          const xin = heap.alloc(xs.length * 4, false);
          heap.f32.set(xs, xin >>> 2);
          const hw = g.h * g.w;
          // packPixels reads up to 15 channel rows past the trits
          tin = heap.alloc(xs.length + (this.bitColumns ? 16 * hw : 0), false);
          // Thresholds rounded to f32 as the reference does; kernels.test.ts checks this against ternarizeActivation.
          this.kernels.ternarize(xin, xs.length, Math.fround(aq.thresholds.pos), Math.fround(aq.thresholds.neg), tin);
          trace?.quantized?.data.set(heap.i8.subarray(tin, tin + xs.length), b0 * perSampleIn);
          if (this.bitColumns) {
            pixels = heap.alloc((n * hw + 16) * 4 * Math.ceil(g.c / 16), false);
            this.kernels.packPixels(tin, n, g.c, hw, pixels);
          }
        }
        const sliceMark = heap.mark();
        if (this.depthwise) {
          const d = depthwise(this.kernels, this.planes[0], { ...gs, c: g.c, pads: this.conv!.pads }, aq ? { i8: tin } : xs,
            { sp: this.sp, sn: this.sn, actScale, asymmetric: this.asymmetricTt, ternaryInput: Boolean(aq) });
          // one "group" of all channels, columns [n][oh·ow]
          this.emit({ ...gs, groups: 1 }, 0, d.src, d.kind, gs.n * gs.oh * gs.ow, d.mul, sink, d.dots);
          heap.release(mark);
          continue;
        }
        for (let gi = 0; gi < g.groups; gi++) {
          if (aq) this.runTt(gs, gi, tin, pixels, actScale, sink);
          else this.runFloatInput(gs, gi, xs, sink);
          heap.release(sliceMark);
        }
        heap.release(mark);
      }
      if (!tr && epi.pool) y = this.pool(outBuf, outShape, epi.pool);
      else if (!tr) y = { shape: y.shape, data: heap.f32.slice(outBuf >>> 2, (outBuf >>> 2) + size) };
    } finally {
      heap.resetScratch();
    }
    if (trace && tr) { trace.accumulators = tr.acc; trace.scaled = tr.scaled; trace.biased = tr.biased; }
    return y;
  }

  /** Fused max pooling of the NCHW output at outBuf (the reference's comparisons, see pool.ts). */
  private pool(outBuf: number, outShape: number[], p: PoolWindow): Tensor {
    const [n, o, h, w] = outShape;
    const [kh, kw] = p.kernel, [sh, sw] = p.strides, [pt, pl, pb, pr] = p.pads;
    return maxPoolInHeap(this.kernels, outBuf, outShape, p, [n, o, windowOut(h, kh, sh, pt, pb), windowOut(w, kw, sw, pl, pr)]);
  }

  /** Ternary·ternary: activation planes (from pixel planes, or int8 im2col rows [cols][kpad] packed) → popcount GEMM. */
  private runTt(g: Geometry, gi: number, tin: number, pixels: number, actScale: number, sink: Sink): void {
    // tin: int8 trits of this slice's g.n samples, in wasm memory; pixels: their packPixels planes (bitColumns)
    const { kernels } = this;
    const heap = kernels.heap;
    const m = this.planes[gi];
    const M = g.oh * g.ow, cols = g.n * M, kpad = m.chunks * 128, colsPad = ceilTo(cols, 4);
    let planes: number;
    if (this.bitColumns) {
      planes = heap.alloc(colsPad * m.chunks * 32);
      kernels.im2colBits(pixels, g.n, g.h, g.w, 2 * Math.ceil(g.c / 16), (gi * g.ig) >>> 3, g.ig >>> 3, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.dh, g.dw, g.oh, g.ow, m.chunks * 16, planes);
    } else {
      const i8 = heap.alloc(colsPad * kpad, !(this.conv === undefined && kpad === g.c && colsPad === cols));
      if (!this.conv) {
        const dst = heap.i8;
        for (let b = 0; b < g.n; b++) dst.copyWithin(i8 + b * kpad, tin + b * g.c, tin + (b + 1) * g.c);
      } else {
        kernels.im2colI8(tin, g.n, g.c, g.h, g.w, gi * g.ig, g.ig, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.dh, g.dw, g.oh, g.ow, kpad, i8);
      }
      planes = heap.alloc(colsPad * m.chunks * 32, false);
      kernels.packI8Acts(i8, cols === 1 ? 1 : colsPad, kpad, planes);
    }
    const out = heap.alloc(m.rows * cols * 4, false);
    kernels.ttGemm(m, planes, cols, out, cols, 1);
    if (!this.asymmetricTt) {
      this.emit(g, gi, out, SRC_I32, cols, actScale * this.sp, sink, out);
      return;
    }
    const outAbs = heap.alloc(m.rows * cols * 4, false);
    kernels.ttGemm(m, planes, cols, outAbs, cols, 1, true);
    // P − N = dot and P + N = Σ|w|·a give the two sign sums, each with its own scale (seed paper Eq. 4).
    const mm = heap.alloc(m.rows * cols * 8, false);
    const i32 = heap.i32, f64 = heap.f64, sp = this.sp, sn = this.sn;
    for (let i = 0; i < m.rows * cols; i++) {
      const dot = i32[(out >>> 2) + i], t = i32[(outAbs >>> 2) + i];
      f64[(mm >>> 3) + i] = actScale * (sp * ((t + dot) / 2) - sn * ((t - dot) / 2));
    }
    this.emit(g, gi, mm, SRC_F64, cols, 1, sink, out);
  }

  /** Float input: f32 im2col [K][colsPad] → additions-only ternary kernel or f64 float GEMM. */
  private runFloatInput(g: Geometry, gi: number, xd: Float32Array, sink: Sink): void {
    const { kernels } = this;
    const heap = kernels.heap;
    const M = g.oh * g.ow, cols = g.n * M, K = g.ig * g.kh * g.kw;
    const og = g.o / g.groups;
    if (this.ternary && cols === 1 && !this.base3.length) {
      // GEMV: subset-sum tables of the input vector, two table reads per 8 weights.
      const m = this.planes[gi];
      const xp = heap.alloc(m.chunks * 512);
      heap.f32.set(xd.subarray(gi * K, (gi + 1) * K), xp >>> 2);
      // lutGemv reads 4 plane bytes at a time: tables for ⌈K/8⌉ groups rounded up to 4, those past K
      // built from the zero padding of xp (all 0), so the table needs no zero fill.
      const groups = Math.ceil(m.planeBytes / 4) * 4;
      const table = heap.alloc(groups * 1024, false);
      kernels.lutBuild(xp, groups, table);
      const out = heap.alloc(og * 4, false);
      kernels.lutGemv(m, table, out, this.sp, this.sn, heap.alloc(og * 16, false));
      this.emit(g, gi, out, SRC_F32, 1, 1, sink);
      return;
    }
    // tfGemmCols takes 4-column tails; tfLutGemm/tf81Gemm work on 8-column blocks and read 8·planeBytes/4·groups rows
    // (zeros past K); the f32/f64 GEMMs on 16/8. Below 32 rows the column adds beat building tables (engine-performance.md).
    const fewRows = this.ternary && !this.base3.length && og < 32;
    const colsPad = ceilTo(cols, fewRows ? 4 : this.ternary ? 8 : 16);
    const kRows = !this.ternary ? K : this.base3.length ? this.base3[gi].groups * 4 : this.planes[gi].planeBytes * 8;
    const xt = heap.alloc(kRows * colsPad * 4);
    const xin = heap.alloc(xd.length * 4, false);
    heap.f32.set(xd, xin >>> 2);
    kernels.im2col(xin, g.n, g.c, g.h, g.w, gi * g.ig, g.ig, g.kh, g.kw, g.sh, g.sw, g.pt, g.pl, g.dh, g.dw, g.oh, g.ow, colsPad, xt);
    const out = heap.alloc(og * colsPad * 4, false);
    if (this.base3.length) kernels.tf81Gemm(this.base3[gi], xt, colsPad, out, this.sp, this.sn);
    else if (fewRows) kernels.tfGemmCols(this.planes[gi], xt, colsPad, out, this.sp, this.sn);
    else if (this.ternary) kernels.tfLutGemm(this.planes[gi], xt, colsPad, out, this.sp, this.sn, heap.alloc(32768, false), heap.alloc(og * 64, false));
    else if (this.approximate) kernels.f32GemmCols(this.floatW[gi], og, K, xt, colsPad, this.floatBias + gi * og * 4, out);
    else kernels.f64GemmCols(this.floatW[gi], og, K, xt, colsPad, this.floatBias + gi * og * 8, out);
    this.emit(g, gi, out, SRC_F32, colsPad, 1, sink);
  }

  /**
   * Bias / fused batchnorm / relu of group gi's results, into NCHW (or [N,O]) order:
   * result (r, col) is src[r·rowStride + col]·mul. Fast path: the wasm epilogue;
   * with a trace, the same arithmetic in TypeScript recording each stage
   * (`dots`, the integer accumulators, feed the trace only).
   */
  private emit(g: Geometry, gi: number, src: number, kind: number, rowStride: number, mul: number, sink: Sink, dots?: number): void {
    const heap = this.kernels.heap;
    const og = g.o / g.groups, M = g.oh * g.ow;
    const { epi, tr } = sink;
    const bn = epi.bn;
    if (!tr && this.approximate && kind === SRC_F32) {
      const params = heap.alloc(og * 8, false);
      const f32 = heap.f32, p0 = params >>> 2;
      for (let r = 0; r < og; r++) {
        const o = gi * og + r, bias = epi.bias ? epi.bias[o] : 0;
        // (gamma·(mul·x + bias − mean))/sd + beta = a·x + b
        const k = bn ? bn.gamma[o] / bn.sd[o] : 1;
        f32[p0 + 2 * r] = mul * k;
        f32[p0 + 2 * r + 1] = bn ? (bias - bn.mean[o]) * k + bn.beta[o] : bias;
      }
      this.kernels.epilogueAffine(src, rowStride, og, g.n, M, g.o, gi * og, params, epilogueFlags(epi, sink), sink.outBuf, sink.resBuf, epi.clip?.lo, epi.clip?.hi);
      return;
    }
    if (!tr) {
      const params = heap.alloc(og * 48, false);
      const f64 = heap.f64, p0 = params >>> 3;
      for (let r = 0; r < og; r++) {
        const o = gi * og + r, p = p0 + r * 6;
        f64[p] = mul;
        f64[p + 1] = epi.bias ? epi.bias[o] : 0;
        f64[p + 2] = bn ? bn.gamma[o] : 1;
        f64[p + 3] = bn ? bn.mean[o] : 0;
        f64[p + 4] = bn ? bn.sd[o] : 1;
        f64[p + 5] = bn ? bn.beta[o] : 0;
      }
      this.kernels.epilogue(src, kind, rowStride, og, g.n, M, g.o, gi * og, params, epilogueFlags(epi, sink), sink.outBuf, sink.resBuf, epi.clip?.lo, epi.clip?.hi);
      return;
    }
    const arr = kind === SRC_F32 ? heap.f32 : kind === SRC_I32 ? heap.i32 : heap.f64;
    const base = kind === SRC_F64 ? src >>> 3 : src >>> 2;
    const yd = sink.y.data.subarray(sink.yOffset);
    const acc = tr.acc.data.subarray(sink.yOffset), scaled = tr.scaled.data.subarray(sink.yOffset), biasedT = tr.biased.data.subarray(sink.yOffset);
    for (let r = 0; r < og; r++) {
      const o = gi * og + r;
      const bias = epi.bias ? epi.bias[o] : 0;
      for (let b = 0; b < g.n; b++) {
        const yBase = (b * g.o + o) * M;
        for (let m = 0; m < M; m++) {
          const at = r * rowStride + b * M + m;
          const mm = arr[base + at] * mul;
          const biased = Math.fround(mm + bias);
          let v = biased;
          if (bn) v = Math.fround((bn.gamma[o] * (v - bn.mean[o])) / bn.sd[o] + bn.beta[o]);
          if (epi.relu) v = v > 0 ? v : 0;
          yd[yBase + m] = v;
          acc[yBase + m] = dots !== undefined ? heap.i32[(dots >>> 2) + at] : mm;
          scaled[yBase + m] = mm;
          biasedT[yBase + m] = biased;
        }
      }
    }
  }
}

const SRC_F32 = 0, SRC_I32 = 1, SRC_F64 = 2;

interface Traces { acc: Tensor; scaled: Tensor; biased: Tensor }

interface Sink {
  y: Tensor; epi: Epilogue; tr?: Traces; outBuf: number;
  /** The fused residual's slice in engine memory (0: none). */
  resBuf: number;
  /** Element offset of this sample slice in y (trace path). */
  yOffset: number;
}

/** The epilogue kernels' flags: 1 batchnorm, 2 relu, 16 clip, 4 + residual, 8 relu after the residual add. */
const epilogueFlags = (epi: Epilogue, sink: Sink): number =>
  (epi.bn ? 1 : 0) | (epi.relu ? 2 : 0) | (epi.clip ? 16 : 0) | (sink.resBuf ? 4 : 0) | (sink.resBuf && epi.reluAfterAdd ? 8 : 0);
