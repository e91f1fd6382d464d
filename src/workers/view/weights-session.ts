/**
 * The inspect worker's state for one weights-only model: its listing (header
 * only), one streaming statistics pass at a time with throttled progress
 * (finished tensors travel with it), cancel through an AbortSignal, and the
 * `inspect --json` summary once the statistics exist. A large model's pass is
 * split in two contiguous halves of the file: this thread counts one, a helper
 * worker (dist/workers/weights-stats.js) the other, so two cores share it.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { WeightsAbortError } from '../../core/weights/errors';
import { computeWeightsStats, type WeightsStats } from '../../core/weights/stats';
import { mergeWeightsStats, statsParts } from '../../core/weights/stats-parts';
import { summarizeWeights, type WeightsInspectSummary } from '../../core/weights/summary';
import type { WeightsListing } from '../../core/weights/types';
import { RpcClient, WorkerError, type ErrorView } from '../../shared/rpc';
import type { WeightsPartProgress, WeightsStatsRequest, WeightsStatsResults } from '../../shared/weightsStatsProtocol';
import type { TensorStatsView, WeightsStatsDone, WeightsStatsProgress, WeightsView } from '../../shared/weightsView';
import { buildWeightsView, statsDoneView, tensorStatsView } from './weights-view';

/** At most one progress message per this many ms (the view redraws per message). */
export const PROGRESS_INTERVAL_MS = 100;
/** Below this many bytes of tensor data a second thread costs more to start than it saves. */
export const SPLIT_MIN_BYTES = 64 << 20;
/** The helper only holds count tables and two read buffers (outside the heap). */
const HELPER_LIMITS = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 32 };

export interface StatsRunOptions {
  chunkBytes?: number;
  /**
   * Threads for one pass: by default a helper worker takes half of a model of SPLIT_MIN_BYTES or more when the
   * machine has more than two cores (on two, the extension host and the webview need the other one: measured no
   * faster, docs/weights-formats.md); 2 always splits, 1 never.
   */
  threads?: 1 | 2;
}

type Helper = RpcClient<WeightsStatsRequest, WeightsStatsResults>;

/** The helper's failure re-thrown here with its own kind, file, field and offset (what errorView reads). */
function asError(view: ErrorView): Error {
  return Object.assign(new Error(view.message), { name: view.kind, file: view.file, ...(view.field ? { field: view.field } : {}), ...(view.offset !== undefined ? { offset: view.offset } : {}) });
}

export class WeightsSession {
  private stats: WeightsStats | null = null;
  private running: { abort: AbortController; done: Promise<WeightsStatsDone> } | null = null;
  private lastDone: WeightsStatsDone | null = null;

  constructor(readonly listing: WeightsListing, private readonly formatLabel: string, private readonly helperScript = path.join(__dirname, 'weights-stats.js')) {}

  view(parseMs: number): WeightsView {
    return buildWeightsView(this.listing, this.formatLabel, parseMs);
  }

  /**
   * Streams the statistics: `progress` gets the tensors finished since its last call, at most every
   * PROGRESS_INTERVAL_MS (and once at the start, so a progress bar shows at once). A second call while a
   * pass runs shares it (its progress goes to the first caller); after a finished pass, the result is reused.
   */
  run(progress: (p: WeightsStatsProgress) => void, options: StatsRunOptions = {}): Promise<WeightsStatsDone> {
    if (this.lastDone) return Promise.resolve(this.lastDone);
    if (this.running) return this.running.done;
    const abort = new AbortController();
    const t0 = performance.now();
    const total = this.listing.tensors.reduce((s, t) => s + (t.undecoded ? 0 : t.byteLength), 0);
    const partBytes: number[] = [];
    let pending: TensorStatsView[] = [];
    let tensor = this.listing.tensors[0]?.name ?? '';
    let last = -Infinity;
    const emit = (force: boolean) => {
      const now = performance.now();
      if (!force && now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      progress({ bytesDone: partBytes.reduce((a, b) => a + b, 0), bytesTotal: total, tensor, rows: pending, elapsedMs: now - t0 });
      pending = [];
    };
    emit(true);
    const split = options.threads === 2 || (options.threads === undefined && total >= SPLIT_MIN_BYTES && availableParallelism() > 2);
    const parts = split && existsSync(this.helperScript) ? statsParts(this.listing, 2) : [];
    const local = (tensors: readonly number[] | null, part: number, signal: AbortSignal) => {
      const include = tensors ? new Set(tensors) : null;
      return computeWeightsStats(this.listing, {
        signal,
        chunkBytes: options.chunkBytes,
        ...(include ? { include: (i: number) => include.has(i) } : {}),
        onTensor: (i, s) => pending.push(tensorStatsView(i, s)),
        onProgress: (p) => {
          partBytes[part] = p.bytesDone;
          tensor = p.tensor;
          emit(false);
        },
      });
    };
    const counted = parts.length === 2
      ? this.split(parts, local, abort.signal, options.chunkBytes, (p) => {
        partBytes[1] = p.bytesDone;
        pending.push(...p.finished.map((f) => tensorStatsView(f.index, f.stats)));
        emit(false);
      })
      : local(null, 0, abort.signal);
    const done = counted.then((stats) => {
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

  /**
   * This thread counts the first part while a helper worker counts the second. Whichever fails first (a bad
   * tensor) ends the other and its error is reported with its own kind; a cancel ends both as WeightsAbortError.
   */
  private async split(
    parts: number[][],
    local: (tensors: readonly number[], part: number, signal: AbortSignal) => Promise<WeightsStats>,
    signal: AbortSignal,
    chunkBytes: number | undefined,
    onHelper: (p: WeightsPartProgress) => void,
  ): Promise<WeightsStats> {
    const helper: Helper = new RpcClient(() => new Worker(this.helperScript, { resourceLimits: HELPER_LIMITS }), { name: 'statistics helper worker', restart: false });
    const mineAbort = new AbortController();
    const stop = () => {
      mineAbort.abort();
      void helper.dispose('statistics helper stopped');
    };
    signal.addEventListener('abort', stop);
    try {
      const remote = helper.request({ type: 'stats', listing: this.listing, tensors: parts[1], ...(chunkBytes ? { chunkBytes } : {}) }, { onProgress: (p) => onHelper(p as WeightsPartProgress) });
      const [a, b] = await Promise.all([local(parts[0], 0, mineAbort.signal), remote]);
      return mergeWeightsStats(this.listing, [{ stats: a, tensors: parts[0] }, { stats: b, tensors: parts[1] }]);
    } catch (e) {
      if (signal.aborted) throw new WeightsAbortError(this.listing.file);
      throw e instanceof WorkerError ? asError(e.view) : e;
    } finally {
      signal.removeEventListener('abort', stop);
      stop();
    }
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
