/**
 * The inspect worker's state for one weights-only model: its listing (header
 * only), one streaming statistics pass at a time with throttled progress
 * (finished tensors travel with it), cancel through an AbortSignal, and the
 * `inspect --json` summary once the statistics exist.
 */
import { computeWeightsStats, type WeightsStats } from '../../core/weights/stats';
import { summarizeWeights, type WeightsInspectSummary } from '../../core/weights/summary';
import type { WeightsListing } from '../../core/weights/types';
import type { TensorStatsView, WeightsStatsDone, WeightsStatsProgress, WeightsView } from '../../shared/weightsView';
import { buildWeightsView, statsDoneView, tensorStatsView } from './weights-view';

/** At most one progress message per this many ms (the view redraws per message). */
export const PROGRESS_INTERVAL_MS = 100;

export class WeightsSession {
  private stats: WeightsStats | null = null;
  private running: { abort: AbortController; done: Promise<WeightsStatsDone> } | null = null;
  private lastDone: WeightsStatsDone | null = null;

  constructor(readonly listing: WeightsListing, private readonly formatLabel: string) {}

  view(parseMs: number): WeightsView {
    return buildWeightsView(this.listing, this.formatLabel, parseMs);
  }

  /**
   * Streams the statistics: `progress` gets the tensors finished since its last call, at most every
   * PROGRESS_INTERVAL_MS (and once at the start, so a progress bar shows at once). A second call while a
   * pass runs shares it (its progress goes to the first caller); after a finished pass, the result is reused.
   */
  run(progress: (p: WeightsStatsProgress) => void, chunkBytes?: number): Promise<WeightsStatsDone> {
    if (this.lastDone) return Promise.resolve(this.lastDone);
    if (this.running) return this.running.done;
    const abort = new AbortController();
    const t0 = performance.now();
    let pending: TensorStatsView[] = [];
    let last = -Infinity;
    const emit = (bytesDone: number, bytesTotal: number, tensor: string, force: boolean) => {
      const now = performance.now();
      if (!force && now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      progress({ bytesDone, bytesTotal, tensor, rows: pending, elapsedMs: now - t0 });
      pending = [];
    };
    const total = this.listing.tensors.reduce((s, t) => s + (t.undecoded ? 0 : t.byteLength), 0);
    emit(0, total, this.listing.tensors[0]?.name ?? '', true);
    const done = computeWeightsStats(this.listing, {
      signal: abort.signal,
      chunkBytes,
      onTensor: (i, s) => pending.push(tensorStatsView(i, s)),
      onProgress: (p) => emit(p.bytesDone, p.bytesTotal, p.tensor, false),
    }).then((stats) => {
      this.stats = stats;
      this.lastDone = statsDoneView(this.listing, stats, performance.now() - t0);
      return this.lastDone;
    });
    this.running = { abort, done };
    const clear = () => {
      if (this.running?.done === done) this.running = null;
    };
    done.then(clear, clear);
    return done;
  }

  /** Stops a running pass (its promise rejects with WeightsAbortError); false when none runs. */
  cancel(): boolean {
    if (!this.running) return false;
    this.running.abort.abort();
    return true;
  }

  /** The `inspect --json` object; runs (or waits for) the statistics first. */
  async summary(bandwidthGBs?: number): Promise<WeightsInspectSummary> {
    if (!this.stats) await this.run(() => undefined);
    return summarizeWeights(this.listing, this.stats!, { bandwidthGBs });
  }
}
