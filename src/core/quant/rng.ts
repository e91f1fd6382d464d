/** The PRNG of stochastic ternarization: mulberry32 with the seed mixed, so `--seed 0` is not a degenerate start. */
import { mulberry32, type Rng } from '../rng';

export type { Rng };

export function createRng(seed: number): Rng {
  return mulberry32((Math.trunc(seed) ^ 0x9e3779b9) >>> 0);
}
