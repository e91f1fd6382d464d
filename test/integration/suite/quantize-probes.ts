/**
 * Latency probes of the extension host, for the responsiveness benchmark:
 * - command: `executeCommand('setContext', …)`, a round trip host → workbench → host;
 * - findFiles: a workspace search (host → search service → host);
 * - eventLoop: how late a 0 ms timer fires on the host's own event loop.
 */
import * as vscode from 'vscode';
import { performance } from 'node:perf_hooks';
export { latencyStats, type LatencyStats } from './latency-stats';

export interface ProbeSamples {
  command: number[];
  findFiles: number[];
  eventLoop: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function timed(f: () => Thenable<unknown> | Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

/** `n` rounds of the three probes, 30 ms apart so they sample the whole period. */
export async function probeLatencies(n: number): Promise<ProbeSamples> {
  const out: ProbeSamples = { command: [], findFiles: [], eventLoop: [] };
  for (let i = 0; i < n; i++) {
    out.command.push(await timed(() => vscode.commands.executeCommand('setContext', 'tritscope.responsivenessProbe', i)));
    out.findFiles.push(await timed(() => vscode.workspace.findFiles('models/*.onnx', undefined, 10)));
    out.eventLoop.push(await timed(() => new Promise((r) => setTimeout(r, 0))));
    await sleep(30);
  }
  return out;
}
