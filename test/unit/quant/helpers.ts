/** Test data generators, independent of the code under test (own PRNG, Box–Muller). */
export function xorshift(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

export function gaussian(n: number, mean: number, std: number, seed: number): Float32Array {
  const r = xorshift(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = 1 - r();
    const v = r();
    out[i] = mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return out;
}

export function uniform(n: number, lo: number, hi: number, seed: number): Float32Array {
  const r = xorshift(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

export function countTrits(t: Int8Array): { neg: number; zero: number; pos: number } {
  const c = { neg: 0, zero: 0, pos: 0 };
  for (const v of t) if (v > 0) c.pos++; else if (v < 0) c.neg++; else c.zero++;
  return c;
}

/** ‖W − Ŵ‖² for trits and scales. */
export function sqError(w: Float32Array, t: Int8Array, ap: number, an: number): number {
  let e = 0;
  for (let i = 0; i < w.length; i++) {
    const q = t[i] > 0 ? ap : t[i] < 0 ? -an : 0;
    e += (w[i] - q) ** 2;
  }
  return e;
}

export function assertClose(actual: number, expected: number, tol: number, what: string): void {
  if (!(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)))) {
    throw new Error(`${what}: ${actual} != ${expected} (tol ${tol})`);
  }
}
