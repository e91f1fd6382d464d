/**
 * The runtime's handle on the engine: requests go to a worker thread running
 * src/workers/inference.ts (so an inline adapter never blocks the extension
 * host), or straight to a StepperHost in-process (tests, benchmarks).
 */
import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { ExecutionError } from '../core/errors';
import type { EngineRequest, EngineResults } from '../shared/engineProtocol';
import { RpcClient } from '../shared/rpc';
import { WORKER_RESOURCE_LIMITS, type WorkerResourceLimits } from '../core/limits';
import type { StepperHost } from './stepperHost';

export interface EngineConnection {
  request<K extends EngineRequest['type']>(req: Extract<EngineRequest, { type: K }>): Promise<EngineResults[K]>;
  dispose(): Promise<void>;
}

/** Default location of the bundled worker next to dist/extension.js and dist/debugAdapter.js. */
export function defaultWorkerPath(): string {
  return path.join(__dirname, 'workers', 'inference.js');
}

/** One inference worker per debug session; once it fails, every later request fails with that error. */
export class WorkerEngineConnection implements EngineConnection {
  private readonly client: RpcClient<EngineRequest, EngineResults>;

  constructor(workerPath = defaultWorkerPath(), limits: WorkerResourceLimits = WORKER_RESOURCE_LIMITS) {
    if (!existsSync(workerPath)) throw new ExecutionError(`debugger: inference worker ${workerPath} not found (build with 'node esbuild.mjs')`);
    this.client = new RpcClient(() => new Worker(workerPath, { resourceLimits: limits }), { name: 'debugger: inference worker', restart: false });
  }

  request<K extends EngineRequest['type']>(req: Extract<EngineRequest, { type: K }>): Promise<EngineResults[K]> {
    return this.client.request(req);
  }

  dispose(): Promise<void> {
    return this.client.dispose('debugger: session ended');
  }
}

/** Runs the host on the caller's thread (tests, the benchmark's in-process mode). */
export class InProcessEngineConnection implements EngineConnection {
  constructor(private readonly host: StepperHost) {}
  request<K extends EngineRequest['type']>(req: Extract<EngineRequest, { type: K }>): Promise<EngineResults[K]> {
    return this.host.handle(req);
  }
  async dispose(): Promise<void> {}
}
