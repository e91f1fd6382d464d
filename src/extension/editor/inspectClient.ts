/**
 * One worker_threads worker per open `.tnn` document: the model is parsed and
 * kept there, so the extension host thread never blocks on a large file.
 */
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import type { TechProfile } from '../../core/cost/types';
import { WORKER_RESOURCE_LIMITS, type WorkerResourceLimits } from '../../core/limits';
import type { ErrorView, ModelView } from '../../shared/messages';
import type { CostResult, HistogramResult, WorkerReply, WorkerRequest, WorkerResult } from './workerProtocol';

type Pending = { resolve: (r: WorkerResult) => void; reject: (e: WorkerError) => void };
type RequestBody<T> = T extends unknown ? Omit<T, 'id'> : never;

/** A failure reported by the worker, carrying the original error's fields. */
export class WorkerError extends Error {
  constructor(readonly view: ErrorView) {
    super(view.message);
  }
}

export class InspectClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly extensionPath: string,
    private readonly limits: WorkerResourceLimits = WORKER_RESOURCE_LIMITS,
  ) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(path.join(this.extensionPath, 'dist', 'workers', 'inspect.js'), { resourceLimits: this.limits });
    w.on('message', (reply: WorkerReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.result);
      else p.reject(new WorkerError(reply.error));
    });
    const failAll = (message: string) => {
      for (const p of this.pending.values()) p.reject(new WorkerError({ message, file: '', kind: 'WorkerError' }));
      this.pending.clear();
      this.worker = null;
    };
    w.on('error', (e) => failAll(`inspect worker failed: ${e.message}`));
    w.on('exit', (code) => failAll(`inspect worker exited (code ${code})`));
    this.worker = w;
    return w;
  }

  private request(body: RequestBody<WorkerRequest>): Promise<WorkerResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.start().postMessage({ ...body, id } as WorkerRequest);
    });
  }

  load(file: string, profile: TechProfile | null): Promise<ModelView> {
    return this.request({ type: 'load', file, profile }) as Promise<ModelView>;
  }

  cost(profile: TechProfile): Promise<CostResult> {
    return this.request({ type: 'cost', profile }) as Promise<CostResult>;
  }

  histogram(layer: string, bins = 64): Promise<HistogramResult | null> {
    return this.request({ type: 'histogram', layer, bins }) as Promise<HistogramResult | null>;
  }

  /** The `tritscope inspect --json` object (with cost when a profile is given). */
  summary(profile: TechProfile | null): Promise<Record<string, unknown>> {
    return this.request({ type: 'summary', profile }) as Promise<Record<string, unknown>>;
  }

  dispose(): void {
    const w = this.worker;
    this.worker = null;
    void w?.terminate();
  }
}
