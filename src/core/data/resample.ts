/**
 * Separable image resampling with a triangle (bilinear) filter that widens when
 * downscaling, as PIL's BILINEAR resize does (and so torchvision's Resize on
 * PIL images): upscaling is plain bilinear with half-pixel centers; shrinking
 * 1000 → 256 averages every source pixel instead of skipping most of them.
 * A crop of the resized grid is computed directly (only the kept pixels).
 */

/** One channel of a source image: element (y, x) is data[offset + y·rowStride + x·step] × scale. */
export interface Plane {
  data: ArrayLike<number>;
  offset: number;
  step: number;
  rowStride: number;
  width: number;
  height: number;
  scale: number;
}

/** One axis of the output: `count` pixels starting at `start` of a grid of `resized` pixels spanning the source. */
export interface Axis {
  count: number;
  resized: number;
  start: number;
}

interface Coeffs {
  first: Int32Array;
  taps: Int32Array;
  maxTaps: number;
  weights: Float32Array;
}

/** PIL's precompute_coeffs for the triangle filter (support 1), normalized so each output sums the weights to 1. */
function coefficients(inSize: number, axis: Axis): Coeffs {
  const scale = inSize / axis.resized;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // triangle radius 1, stretched when shrinking
  const maxTaps = Math.ceil(support) * 2 + 2;
  const first = new Int32Array(axis.count);
  const taps = new Int32Array(axis.count);
  const weights = new Float32Array(axis.count * maxTaps);
  for (let j = 0; j < axis.count; j++) {
    const center = (axis.start + j + 0.5) * scale;
    const lo = Math.max(0, Math.floor(center - support));
    const hi = Math.min(inSize, Math.ceil(center + support));
    let sum = 0;
    let n = 0;
    for (let x = lo; x < hi && n < maxTaps; x++, n++) {
      const w = Math.max(0, 1 - Math.abs((x + 0.5 - center) / filterScale));
      weights[j * maxTaps + n] = w;
      sum += w;
    }
    if (sum === 0) {
      // Only when the center lies exactly between two far pixels: take the nearest.
      weights[j * maxTaps] = 1;
      sum = 1;
      n = Math.max(n, 1);
    }
    for (let k = 0; k < n; k++) weights[j * maxTaps + k] /= sum;
    first[j] = lo;
    taps[j] = n;
  }
  return { first, taps, maxTaps, weights };
}

/** Writes the [ay.count × ax.count] resampled window of `p` into `out` at `at`. */
export function resample(p: Plane, ax: Axis, ay: Axis, out: Float32Array, at: number): void {
  const cx = coefficients(p.width, ax);
  const cy = coefficients(p.height, ay);
  // Horizontal pass only over the source rows the vertical pass reads.
  const rowLo = cy.first[0];
  let rowHi = rowLo;
  for (let j = 0; j < ay.count; j++) rowHi = Math.max(rowHi, cy.first[j] + cy.taps[j]);
  const rows = rowHi - rowLo;
  const tmp = new Float32Array(rows * ax.count);
  for (let r = 0; r < rows; r++) {
    const base = p.offset + (rowLo + r) * p.rowStride;
    for (let j = 0; j < ax.count; j++) {
      let s = 0;
      const f = cx.first[j];
      for (let k = 0; k < cx.taps[j]; k++) s += cx.weights[j * cx.maxTaps + k] * p.data[base + (f + k) * p.step];
      tmp[r * ax.count + j] = s * p.scale;
    }
  }
  for (let i = 0; i < ay.count; i++) {
    const f = cy.first[i] - rowLo;
    for (let j = 0; j < ax.count; j++) {
      let s = 0;
      for (let k = 0; k < cy.taps[i]; k++) s += cy.weights[i * cy.maxTaps + k] * tmp[(f + k) * ax.count + j];
      out[at + i * ax.count + j] = s;
    }
  }
}
