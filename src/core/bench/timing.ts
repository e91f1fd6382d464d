/** Side-by-side timing: warm-up, then ours and the baseline interleaved rep by rep, medians reported. */
export interface PairTiming {
  /** Medians (what ratio uses). */
  ours_ms: number;
  baseline_ms: number;
  /** Fastest repetitions: on a loaded shared machine the least disturbed estimate. */
  ours_min_ms: number;
  baseline_min_ms: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Interleaving (ours, baseline, ours, baseline, …) spreads machine noise — other
 * processes, frequency changes — over both sides instead of biasing one.
 */
export function timePair(ours: () => void, baseline: () => void, reps: number, warmup = 2): PairTiming {
  for (let i = 0; i < warmup; i++) { ours(); baseline(); }
  const a: number[] = [], b: number[] = [];
  for (let i = 0; i < reps; i++) {
    let t = performance.now();
    ours();
    a.push(performance.now() - t);
    t = performance.now();
    baseline();
    b.push(performance.now() - t);
  }
  return { ours_ms: median(a), baseline_ms: median(b), ours_min_ms: Math.min(...a), baseline_min_ms: Math.min(...b) };
}
