/**
 * One worker_threads worker per open model document: the model is parsed and
 * kept there, so the extension host thread never blocks on a large file. The
 * worker runs under memory limits; closing the document terminates it, which
 * also stops a statistics pass in flight.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import path from 'node:path';
import type { TechProfile } from '../../core/cost/types';
import type { WorkerResourceLimits } from '../../core/limits';
import type { ModelView } from '../../shared/messages';
import type { CostResult, HistogramResult, InspectRequest, InspectResults, OpenResult } from '../../shared/inspectProtocol';
import { RpcClient } from '../../shared/rpc';
import type { WeightsStatsDone, WeightsStatsProgress } from '../../shared/weightsView';

/**
 * Heap limits of the inspect worker. A `.tnn` keeps its packed tensors in ArrayBuffers (outside these heaps);
 * a weights-only model's statistics need a few count tables and two 16 MiB read buffers (also outside).
 */
export const INSPECT_WORKER_LIMITS: ResourceLimits & WorkerResourceLimits = { maxOldGenerationSizeMb: 1024, maxYoungGenerationSizeMb: 64 };

/** Inspect workers alive in this process (the extension API reports it; tests check that closing a view ends its worker). */
let liveWorkers = 0;
export const liveInspectWorkers = (): number => liveWorkers;

export class InspectClient {
  private readonly client: RpcClient<InspectRequest, InspectResults>;
  private readonly exitListeners = new Set<(code: number) => void>();

  constructor(extensionPath: string, limits: WorkerResourceLimits = INSPECT_WORKER_LIMITS) {
    // A worker that exited or crashed is replaced on the next request.
    this.client = new RpcClient(() => {
      const w = new Worker(path.join(extensionPath, 'dist', 'workers', 'inspect.js'), { resourceLimits: limits });
      liveWorkers++;
      w.once('exit', (code) => {
        liveWorkers--;
        this.exitListeners.forEach((l) => l(code));
      });
      return w;
    }, { name: 'inspect worker', restart: true });
  }

  /** Called whenever a worker of this client exits (tests check that closing a view stops its worker). */
  onWorkerExit(listener: (code: number) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** A model with a graph; weights-only files are refused with a message naming the file. */
  load(file: string, profile: TechProfile | null): Promise<ModelView> {
    return this.client.request({ type: 'load', file, profile });
  }

  /** Any viewable file: a graph model's view, or a weights-only model's header and table (header read only). */
  open(file: string, profile: TechProfile | null): Promise<OpenResult> {
    return this.client.request({ type: 'open', file, profile });
  }

  /** Streams the opened weights-only model's statistics; `onProgress` gets finished tensors as they come. */
  weightsStats(onProgress: (p: WeightsStatsProgress) => void, chunkBytes?: number, threads?: 1 | 2): Promise<WeightsStatsDone> {
    return this.client.request({ type: 'weightsStats', ...(chunkBytes ? { chunkBytes } : {}), ...(threads ? { threads } : {}) }, { onProgress: (p) => onProgress(p as WeightsStatsProgress) });
  }

  /** Stops a statistics pass (its promise rejects with a WorkerError of kind WeightsAbortError). */
  cancelStats(): Promise<boolean> {
    return this.client.request({ type: 'cancelStats' });
  }

  cost(profile: TechProfile): Promise<CostResult> {
    return this.client.request({ type: 'cost', profile });
  }

  histogram(layer: string, bins = 64): Promise<HistogramResult | null> {
    return this.client.request({ type: 'histogram', layer, bins });
  }

  /** The `tritscope inspect --json` object (with cost when a profile is given; bandwidth for weights-only models). */
  summary(profile: TechProfile | null, bandwidthGBs?: number): Promise<Record<string, unknown>> {
    return this.client.request({ type: 'summary', profile, ...(bandwidthGBs ? { bandwidthGBs } : {}) });
  }

  dispose(): void {
    void this.client.dispose('inspect worker stopped');
  }
}
