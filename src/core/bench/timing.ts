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
 * With `block` > 1 each side runs `block` consecutive calls per round (each call
 * timed): for sub-millisecond calls, strict call-by-call alternation times each
 * side with caches and branch predictors just overwritten by the other, which is
 * not how a stream of inferences runs (and penalizes the smaller, faster side most).
 * Warm-up runs at least `warmup` pairs and at least `warmupMs`: V8 first runs JS
 * and wasm in baseline tiers and swaps in optimized code compiled in the
 * background, so a few sub-millisecond calls would time the baseline tiers of both sides.
 */
export function timePair(ours: () => void, baseline: () => void, reps: number, warmup = 2, warmupMs = 250, block = 1): PairTiming {
  const start = performance.now();
  for (let i = 0; i < warmup || performance.now() - start < warmupMs; i++) { ours(); baseline(); }
  const a: number[] = [], b: number[] = [];
  const timeBlock = (f: () => void, into: number[]): void => {
    for (let j = 0; j < block; j++) {
      const t = performance.now();
      f();
      into.push(performance.now() - t);
    }
  };
  for (let i = 0; i < reps; i++) {
    timeBlock(ours, a);
    timeBlock(baseline, b);
  }
  return { ours_ms: median(a), baseline_ms: median(b), ours_min_ms: Math.min(...a), baseline_min_ms: Math.min(...b) };
}

/** One side of a multi-way comparison; `run` may be async (onnxruntime-web's session.run is). */
export interface Side {
  name: string;
  run: () => unknown;
}

/**
 * timePair for any number of sides, async ones included: `warmup` rounds, then `reps` rounds in which
 * every side runs once, in an order that rotates each round (no side always follows the same one).
 * Returns each side's median and fastest call in ms, by name, in wall time and in this process's CPU
 * time (process.cpuUsage, all threads): on a shared, oversubscribed machine a call's wall time includes
 * the time other processes held the core, its CPU time does not.
 */
export async function timeRounds(sides: Side[], reps: number, warmup = 1): Promise<Record<string, { median_ms: number; min_ms: number; cpu_ms: number; runs: number }>> {
  for (let i = 0; i < warmup; i++) for (const s of sides) await s.run();
  const times = sides.map(() => [] as number[]), cpu = sides.map(() => [] as number[]);
  for (let i = 0; i < reps; i++) {
    for (let j = 0; j < sides.length; j++) {
      const at = (i + j) % sides.length;
      const c = process.cpuUsage();
      const t = performance.now();
      await sides[at].run();
      times[at].push(performance.now() - t);
      const d = process.cpuUsage(c);
      cpu[at].push((d.user + d.system) / 1000);
    }
  }
  return Object.fromEntries(sides.map((s, i) => [s.name, { median_ms: median(times[i]), min_ms: Math.min(...times[i]), cpu_ms: median(cpu[i]), runs: times[i].length }]));
}

/** Medians and minimums of one side-by-side timing: ours against a baseline. */
export interface TimedRatio {
  name: string;
  ours_ms: number;
  baseline_ms: number;
  /** baseline_ms / ours_ms. */
  ratio: number;
  ours_min_ms: number;
  baseline_min_ms: number;
}
