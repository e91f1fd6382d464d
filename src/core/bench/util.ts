/** Small helpers shared by the bench cases: per-row top-1. */

/** Index of the largest value of each of `rows` equal-length rows (first on ties). */
export function argmaxRows(data: Float32Array, rows: number): number[] {
  const c = data.length / rows;
  return Array.from({ length: rows }, (_, r) => {
    let best = 0;
    for (let i = 1; i < c; i++) if (data[r * c + i] > data[r * c + best]) best = i;
    return best;
  });
}
