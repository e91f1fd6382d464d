/**
 * Ternary dense and conv2d layers over the packed kernels. With `actQuant` the
 * input is ternarized (the reference's rule) and the ternary·ternary popcount
 * kernel runs; otherwise the ternary·float additions-only kernels run. Conv
 * goes through im2col per sample and group (stride, padding, dilation, groups).
 */
import { ternarizeActivation } from '../exec/reference';
import type { ActQuant, Layer, WeightQuant } from '../graph/types';
import { tensor, type Tensor } from '../tensor';
import { afterBias, withBias, type Epilogue } from './epilogue';
import type { Kernels } from './kernels';
import { repackRows, type PlaneMatrix } from './planes';

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

/** Trits of the layer input by exactly the reference executor's rule (ternarizeActivation), and the value of ±1. */
export function ternarizeInput(x: Tensor, aq: ActQuant): { trits: Int8Array; scale: number } {
  const y = ternarizeActivation(x, aq).data;
  const trits = new Int8Array(y.length);
  for (let i = 0; i < y.length; i++) trits[i] = y[i] > 0 ? 1 : y[i] < 0 ? -1 : 0;
  return { trits, scale: Math.abs(Math.fround(aq.scale)) };
}

/** Weights of one ternary layer as planes (and |W| planes when the two scales differ). */
interface PackedWeights {
  groups: PlaneMatrix[];
  absGroups?: PlaneMatrix[];
  sp: number;
  sn: number;
}

function packWeights(kernels: Kernels, trits: Int8Array, rowsPerGroup: number, k: number, groups: number, wq: WeightQuant, needAbs: boolean): PackedWeights {
  const sp = Math.fround(wq.scale.pos), sn = Math.fround(wq.scale.neg);
  const g: PlaneMatrix[] = [];
  const abs: PlaneMatrix[] = [];
  for (let i = 0; i < groups; i++) {
    g.push(repackRows(kernels.heap, trits, i * rowsPerGroup, rowsPerGroup, k));
    if (needAbs && sp !== sn) abs.push(repackRows(kernels.heap, trits, i * rowsPerGroup, rowsPerGroup, k, true));
  }
  return { groups: g, absGroups: abs.length ? abs : undefined, sp, sn };
}

export const packedBytes = (w: PackedWeights): number =>
  [...w.groups, ...(w.absGroups ?? [])].reduce((s, m) => s + m.bytes, 0);

const ceilTo = (n: number, m: number): number => Math.ceil(n / m) * m;

/**
 * Runs the integer popcount GEMM of one weight group against `cols` activation
 * rows of int8 trits already written at `i8` ([ceil4(cols)][kpad]), and calls
 * emit(r, c, matmulValue, integerDot) for each result.
 */
function ttGroup(kernels: Kernels, w: PackedWeights, g: number, i8: number, cols: number, actScale: number, emit: (r: number, c: number, mm: number, dot: number) => void): void {
  const heap = kernels.heap;
  const m = w.groups[g];
  const colsPad = ceilTo(cols, 4);
  const planes = heap.alloc(colsPad * m.chunks * 32);
  kernels.packI8Planes(i8, colsPad, m.chunks * 128, planes);
  const out = heap.alloc(m.rows * cols * 4);
  kernels.ttGemm(m.ptr, m.rows, m.chunks, planes, cols, out, cols, 1);
  let outAbs = 0;
  const abs = w.absGroups?.[g];
  if (abs) {
    outAbs = heap.alloc(m.rows * cols * 4);
    kernels.ttGemm(abs.ptr, abs.rows, abs.chunks, planes, cols, outAbs, cols, 1);
  }
  const i32 = heap.i32;
  const symScale = actScale * w.sp;
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < cols; c++) {
      const dot = i32[(out >>> 2) + r * cols + c];
      let mm: number;
      if (abs) {
        // P − N = dot and P + N = Σ|w|·a give the two sign sums for Eq. 6's asymmetric scales.
        const t = i32[(outAbs >>> 2) + r * cols + c];
        mm = actScale * (w.sp * ((t + dot) / 2) - w.sn * ((t - dot) / 2));
      } else mm = dot * symScale;
      emit(r, c, mm, dot);
    }
  }
}

export class TernaryMatmul {
  private readonly w: PackedWeights;
  readonly runtimeBytes: number;
  readonly fp32Bytes: number;
  private readonly outC: number;
  private readonly k: number;

  constructor(
    private readonly kernels: Kernels,
    readonly layer: Layer,
    trits: Int8Array,
    readonly weightShape: number[],
    private readonly conv?: ConvGeometry,
  ) {
    const wq = layer.weightQuant as WeightQuant;
    this.outC = weightShape[0];
    const groups = conv ? conv.group : 1;
    this.k = trits.length / this.outC;
    this.w = packWeights(kernels, trits, this.outC / groups, this.k, groups, wq, Boolean(layer.actQuant));
    this.runtimeBytes = packedBytes(this.w);
    this.fp32Bytes = trits.length * 4;
  }

  run(x: Tensor, outShape: number[], epi: Epilogue, trace?: MatmulTrace): Tensor {
    const heap = this.kernels.heap;
    const y = tensor(outShape);
    const tr = trace ? { acc: tensor(outShape), scaled: tensor(outShape), biased: tensor(outShape) } : undefined;
    let trits: Int8Array | undefined;
    let actScale = 1;
    if (this.layer.actQuant) {
      ({ trits, scale: actScale } = ternarizeInput(x, this.layer.actQuant));
      if (trace) trace.quantized = { shape: [...x.shape], data: Float32Array.from(trits) };
    }
    const put = (idx: number, o: number, mm: number, acc: number): void => {
      const v = withBias(epi, o, mm);
      y.data[idx] = afterBias(epi, o, v);
      if (tr) { tr.acc.data[idx] = acc; tr.scaled.data[idx] = mm; tr.biased.data[idx] = v; }
    };
    try {
      if (this.conv) this.runConv(x, trits, actScale, outShape, put);
      else this.runDense(x, trits, actScale, put);
    } finally {
      heap.resetScratch();
    }
    if (trace && tr) { trace.accumulators = tr.acc; trace.scaled = tr.scaled; trace.biased = tr.biased; }
    return y;
  }

  private runDense(x: Tensor, trits: Int8Array | undefined, actScale: number, put: (idx: number, o: number, mm: number, acc: number) => void): void {
    const { kernels, k, outC, w } = this;
    const heap = kernels.heap;
    const rows = x.data.length / k;
    const m = w.groups[0];
    if (trits) {
      const kpad = m.chunks * 128;
      const i8 = heap.alloc(ceilTo(rows, 4) * kpad);
      for (let r = 0; r < rows; r++) heap.i8.set(trits.subarray(r * k, (r + 1) * k), i8 + r * kpad);
      ttGroup(kernels, w, 0, i8, rows, actScale, (o, r, mm, dot) => put(r * outC + o, o, mm, dot));
      return;
    }
    if (rows === 1) {
      // GEMV: subset-sum tables of the input, then two table reads per 8 weights.
      const xp = heap.alloc(m.chunks * 512);
      heap.f32.set(x.data, xp >>> 2);
      const table = heap.alloc(m.chunks * 16 * 1024);
      kernels.lutBuild(xp, m.chunks * 16, table);
      const out = heap.alloc(outC * 4);
      kernels.lutGemv(m.ptr, outC, m.chunks, table, out, w.sp, w.sn);
      const f32 = heap.f32;
      for (let o = 0; o < outC; o++) put(o, o, f32[(out >>> 2) + o], f32[(out >>> 2) + o]);
      return;
    }
    const mPad = ceilTo(rows, 16);
    const xt = heap.alloc(k * mPad * 4);
    const f32 = heap.f32, xb = xt >>> 2;
    for (let r = 0; r < rows; r++) for (let i = 0; i < k; i++) f32[xb + i * mPad + r] = x.data[r * k + i];
    const out = heap.alloc(outC * mPad * 4);
    kernels.tfGemmCols(m.ptr, outC, m.chunks, xt, mPad, out, w.sp, w.sn);
    const f = heap.f32;
    for (let o = 0; o < outC; o++) for (let r = 0; r < rows; r++) {
      const v = f[(out >>> 2) + o * mPad + r];
      put(r * outC + o, o, v, v);
    }
  }

  private runConv(x: Tensor, trits: Int8Array | undefined, actScale: number, outShape: number[], put: (idx: number, o: number, mm: number, acc: number) => void): void {
    const { kernels, w } = this;
    const heap = kernels.heap;
    const p = this.conv as ConvGeometry;
    const [n, c, h, wd] = x.shape;
    const [, o, oh, ow] = outShape;
    const [, ig, kh, kw] = this.weightShape;
    const [sh, sw] = p.strides, [pt, pl] = p.pads, [dh, dw] = p.dilations;
    const og = o / p.group, M = oh * ow, K = ig * kh * kw;
    for (let b = 0; b < n; b++) {
      for (let g = 0; g < p.group; g++) {
        const m = w.groups[g];
        const chBase = (b * c + g * ig) * h * wd;
        const emitBase = (b * o + g * og) * M;
        if (trits) {
          const kpad = m.chunks * 128;
          const i8 = heap.alloc(ceilTo(M, 4) * kpad);
          const dst = heap.i8;
          for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
            let d = i8 + (oy * ow + ox) * kpad;
            for (let ic = 0; ic < ig; ic++) for (let ky = 0; ky < kh; ky++) {
              const iy = oy * sh - pt + ky * dh;
              for (let kx = 0; kx < kw; kx++, d++) {
                const ix = ox * sw - pl + kx * dw;
                if (iy >= 0 && iy < h && ix >= 0 && ix < wd) dst[d] = trits[chBase + ic * h * wd + iy * wd + ix];
              }
            }
          }
          ttGroup(kernels, w, g, i8, M, actScale, (r, col, mm, dot) => put(emitBase + r * M + col, g * og + r, mm, dot));
        } else {
          const mPad = ceilTo(M, 16);
          const xt = heap.alloc(K * mPad * 4);
          const f32 = heap.f32, xd = x.data;
          for (let ic = 0, k = 0; ic < ig; ic++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++, k++) {
            const row = (xt >>> 2) + k * mPad;
            for (let oy = 0; oy < oh; oy++) {
              const iy = oy * sh - pt + ky * dh;
              if (iy < 0 || iy >= h) continue;
              const src = chBase + ic * h * wd + iy * wd;
              for (let ox = 0; ox < ow; ox++) {
                const ix = ox * sw - pl + kx * dw;
                if (ix >= 0 && ix < wd) f32[row + oy * ow + ox] = xd[src + ix];
              }
            }
          }
          const out = heap.alloc(og * mPad * 4);
          kernels.tfGemmCols(m.ptr, og, m.chunks, xt, mPad, out, w.sp, w.sn);
          const f = heap.f32;
          for (let r = 0; r < og; r++) for (let col = 0; col < M; col++) {
            const v = f[(out >>> 2) + r * mPad + col];
            put(emitBase + r * M + col, g * og + r, v, v);
          }
        }
        heap.resetScratch();
      }
    }
  }
}
