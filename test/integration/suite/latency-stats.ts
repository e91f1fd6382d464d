/** Summary of latency samples (ms) for the responsiveness benchmark. Pure: unit tested in plain Node. */
export interface LatencyStats {
  n: number;
  median: number;
  p90: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of ascending-sorted samples. */
function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function latencyStats(samples: number[]): LatencyStats {
  if (!samples.length) throw new Error('latencyStats: no samples');
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  const r = (x: number) => +x.toFixed(2);
  return { n: s.length, median: r(median), p90: r(percentile(s, 0.9)), max: r(s[s.length - 1]), mean: r(s.reduce((a, b) => a + b, 0) / s.length) };
}
