/**
 * worker_threads entry that counts one part of a weights-only model's
 * statistics (a contiguous run of its tensors, src/core/weights/stats-parts.ts)
 * for the inspect worker, which counts the other part meanwhile. Started per
 * pass with memory limits; the inspect worker terminates it to cancel.
 */
import { parentPort } from 'node:worker_threads';
import { computeWeightsStats, type TensorStats } from '../core/weights/stats';
import { dispatch, serveRequests } from '../shared/rpc';
import type { WeightsPartProgress, WeightsStatsRequest, WeightsStatsResults } from '../shared/weightsStatsProtocol';

/** At most one progress message per this many ms. */
const PROGRESS_INTERVAL_MS = 50;

let file = '';

if (!parentPort) throw new Error('weights-stats.js must run as a worker thread');
serveRequests(parentPort, dispatch<WeightsStatsRequest, WeightsStatsResults>({
  stats: async (r, ctx) => {
    file = r.listing.file;
    const include = new Set(r.tensors);
    let finished: Array<{ index: number; stats: TensorStats }> = [];
    let last = -Infinity;
    const stats = await computeWeightsStats(r.listing, {
      chunkBytes: r.chunkBytes,
      include: (i) => include.has(i),
      onTensor: (index, s) => finished.push({ index, stats: s }),
      onProgress: (p) => {
        const now = performance.now();
        if (now - last < PROGRESS_INTERVAL_MS) return;
        last = now;
        ctx.progress({ bytesDone: p.bytesDone, tensor: p.tensor, finished } satisfies WeightsPartProgress);
        finished = [];
      },
    });
    if (finished.length) ctx.progress({ bytesDone: stats.bytesRead, tensor: '', finished } satisfies WeightsPartProgress);
    return stats;
  },
}), () => file);
