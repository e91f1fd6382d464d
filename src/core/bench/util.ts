/** Small helpers shared by the bench cases: a deterministic generator and per-row top-1. */

/** Linear congruential generator in [0, 1): deterministic inputs and weights for the bench. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

/** Index of the largest value of each of `rows` equal-length rows (first on ties). */
export function argmaxRows(data: Float32Array, rows: number): number[] {
  const c = data.length / rows;
  return Array.from({ length: rows }, (_, r) => {
    let best = 0;
    for (let i = 1; i < c; i++) if (data[r * c + i] > data[r * c + best]) best = i;
    return best;
  });
}
