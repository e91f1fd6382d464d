/**
 * One worker_threads worker per open `.tnn` document: the model is parsed and
 * kept there, so the extension host thread never blocks on a large file.
 */
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import type { TechProfile } from '../../core/cost/types';
import { WORKER_RESOURCE_LIMITS, type WorkerResourceLimits } from '../../core/limits';
import type { ModelView } from '../../shared/messages';
import type { CostResult, HistogramResult, InspectRequest, InspectResults } from '../../shared/inspectProtocol';
import { RpcClient } from '../../shared/rpc';

export class InspectClient {
  private readonly client: RpcClient<InspectRequest, InspectResults>;

  constructor(extensionPath: string, limits: WorkerResourceLimits = WORKER_RESOURCE_LIMITS) {
    // A worker that exited or crashed is replaced on the next request.
    this.client = new RpcClient(() => new Worker(path.join(extensionPath, 'dist', 'workers', 'inspect.js'), { resourceLimits: limits }), { name: 'inspect worker', restart: true });
  }

  load(file: string, profile: TechProfile | null): Promise<ModelView> {
    return this.client.request({ type: 'load', file, profile });
  }

  cost(profile: TechProfile): Promise<CostResult> {
    return this.client.request({ type: 'cost', profile });
  }

  histogram(layer: string, bins = 64): Promise<HistogramResult | null> {
    return this.client.request({ type: 'histogram', layer, bins });
  }

  /** The `tritscope inspect --json` object (with cost when a profile is given). */
  summary(profile: TechProfile | null): Promise<Record<string, unknown>> {
    return this.client.request({ type: 'summary', profile });
  }

  dispose(): void {
    void this.client.dispose('inspect worker stopped');
  }
}
