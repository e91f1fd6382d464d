/**
 * worker_threads entry of the step-through debugger (dist/workers/inference.js):
 * owns the model and the packed engine's Stepper and answers the runtime's
 * requests, so neither the extension host nor the adapter's DAP loop blocks
 * while a layer runs.
 */
import { parentPort } from 'node:worker_threads';
import { StepperHost } from '../debug/stepperHost';
import { realEngineLoader } from '../debug/realLoader';
import type { RequestEnvelope, ResponseEnvelope } from '../debug/protocol';

const port = parentPort;
if (!port) throw new Error('inference.js must run as a worker thread');
const host = new StepperHost(realEngineLoader());

port.on('message', async ({ id, ...req }: RequestEnvelope) => {
  let reply: ResponseEnvelope;
  try {
    reply = { id, ok: true, result: await host.handle(req) };
  } catch (e) {
    const err = e as Error;
    reply = { id, ok: false, error: { name: err?.name ?? 'Error', message: err?.message ?? String(e) } };
  }
  port.postMessage(reply);
});
