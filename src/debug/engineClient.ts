/**
 * The runtime's handle on the engine: requests go to a worker thread running
 * src/workers/inference.ts (so an inline adapter never blocks the extension
 * host), or straight to a StepperHost in-process (tests, benchmarks).
 */
import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { ExecutionError, TritscopeError } from '../core/errors';
import { WORKER_RESOURCE_LIMITS, type WorkerResourceLimits } from '../core/limits';
import type { RequestEnvelope, ResponseEnvelope, WorkerRequest, WorkerResults } from './protocol';
import type { StepperHost } from './stepperHost';

export interface EngineConnection {
  request<K extends WorkerRequest['type']>(req: Extract<WorkerRequest, { type: K }>): Promise<WorkerResults[K]>;
  dispose(): Promise<void>;
}

/** An error raised in the worker, re-thrown here with its class name kept for messages. */
export class WorkerError extends TritscopeError {
  constructor(readonly errorName: string, message: string) {
    super(message);
  }
}

/** Default location of the bundled worker next to dist/extension.js and dist/debugAdapter.js. */
export function defaultWorkerPath(): string {
  return path.join(__dirname, 'workers', 'inference.js');
}

export class WorkerEngineConnection implements EngineConnection {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private failure?: Error;

  constructor(workerPath = defaultWorkerPath(), limits: WorkerResourceLimits = WORKER_RESOURCE_LIMITS) {
    if (!existsSync(workerPath)) throw new ExecutionError(`debugger: inference worker ${workerPath} not found (build with 'node esbuild.mjs')`);
    this.worker = new Worker(workerPath, { resourceLimits: limits });
    this.worker.on('message', (msg: ResponseEnvelope) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new WorkerError(msg.error.name, msg.error.message));
    });
    this.worker.on('error', (e) => this.failAll(new ExecutionError(`debugger: inference worker failed: ${e.message}`)));
    this.worker.on('exit', (code) => this.failAll(new ExecutionError(`debugger: inference worker exited (code ${code})`)));
  }

  private failAll(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  request<K extends WorkerRequest['type']>(req: Extract<WorkerRequest, { type: K }>): Promise<WorkerResults[K]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<WorkerResults[K]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, ...req } satisfies RequestEnvelope);
    });
  }

  async dispose(): Promise<void> {
    this.failure ??= new ExecutionError('debugger: session ended');
    await this.worker.terminate();
  }
}

/** Runs the host on the caller's thread (tests, the benchmark's in-process mode). */
export class InProcessEngineConnection implements EngineConnection {
  constructor(private readonly host: StepperHost) {}
  request<K extends WorkerRequest['type']>(req: Extract<WorkerRequest, { type: K }>): Promise<WorkerResults[K]> {
    return this.host.handle(req);
  }
  async dispose(): Promise<void> {}
}
