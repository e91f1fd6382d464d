/**
 * A small seeded PRNG (mulberry32) so that stochastic ternarization is
 * reproducible from `--seed` on every platform (Math.random is not seedable).
 */
export type Rng = () => number;

/** Uniform numbers in [0, 1) from a 32-bit seed. */
export function createRng(seed: number): Rng {
  let a = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
