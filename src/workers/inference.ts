/**
 * worker_threads entry of the step-through debugger (dist/workers/inference.js):
 * owns the model and the packed engine's Stepper and answers the runtime's
 * requests (src/shared/engineProtocol.ts), so neither the extension host nor
 * the adapter's DAP loop blocks while a layer runs.
 */
import { parentPort } from 'node:worker_threads';
import { StepperHost } from '../debug/stepperHost';
import { realEngineLoader } from '../debug/realLoader';
import type { EngineRequest } from '../shared/engineProtocol';
import { serveRequests } from '../shared/rpc';

if (!parentPort) throw new Error('inference.js must run as a worker thread');
const host = new StepperHost(realEngineLoader());
serveRequests<EngineRequest>(parentPort, (req) => host.handle(req));
