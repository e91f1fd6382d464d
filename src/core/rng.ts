/**
 * mulberry32: the one small seeded PRNG of the project, and the shuffles built
 * on it. Math.random is not seedable, and reproducibility matters for
 * stochastic ternarization (--seed), `random:<seed>` inputs, training shuffles
 * and test fixtures. Every user seeds it the same way: the 32-bit seed as given.
 * A user that wants a sequence independent of another user's with the same
 * seed XORs its own constant into the seed (see the stochastic quantizer).
 */
export type Rng = () => number;

/** Uniform numbers in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates permutation of 0..n-1. */
export function permutation(n: number, rand: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}
