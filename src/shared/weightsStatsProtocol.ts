/**
 * Requests from the inspect worker (src/workers/view/weights-session.ts) to its
 * helper (src/workers/weights-stats.ts), which counts one part of a statistics
 * pass split across two threads; they travel in ./rpc.ts envelopes. Type-only.
 */
import type { TensorStats, WeightsStats } from '../core/weights/stats';
import type { WeightsListing } from '../core/weights/types';

export type WeightsStatsRequest = { type: 'stats'; listing: WeightsListing; tensors: number[]; chunkBytes?: number };

/** Sent as RPC progress while the part runs. */
export interface WeightsPartProgress {
  bytesDone: number;
  tensor: string;
  /** Tensors finished since the previous progress. */
  finished: Array<{ index: number; stats: TensorStats }>;
}

/** The result of each request type. */
export interface WeightsStatsResults {
  stats: WeightsStats;
}
