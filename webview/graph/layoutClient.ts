/**
 * Runs graph layouts in a Web Worker started from a blob: URL (the worker's
 * code is bundled into the webview as text, so no second resource is fetched).
 * Falls back to the UI thread when the worker cannot start (a CSP without
 * `worker-src blob:`, a browser without workers) so the graph still shows.
 */
import workerSource from './layoutWorker.ts?worker';
import { layoutGraph, type Direction, type GraphLayout } from './layout';
import type { GraphModel } from './graphModel';

export interface LayoutRequest {
  id: number;
  graph: Pick<GraphModel, 'nodes' | 'edges'>;
  direction: Direction;
}

export type LayoutReply = { id: number; layout: GraphLayout; ms: number } | { id: number; error: string };

export interface LayoutResult {
  layout: GraphLayout;
  /** Time of the layout itself (inside the worker). */
  ms: number;
  where: 'worker' | 'main';
}

export class LayoutClient {
  private worker: Worker | null = null;
  private failed = false;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: LayoutResult) => void; reject: (e: Error) => void }>();

  private start(): Worker | null {
    if (this.worker || this.failed) return this.worker;
    try {
      const url = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
      this.worker = new Worker(url);
      URL.revokeObjectURL(url);
      this.worker.onmessage = (e: MessageEvent<LayoutReply>) => {
        const p = this.pending.get(e.data.id);
        if (!p) return;
        this.pending.delete(e.data.id);
        if ('error' in e.data) p.reject(new Error(e.data.error));
        else p.resolve({ layout: e.data.layout, ms: e.data.ms, where: 'worker' });
      };
      // A worker refused after construction (CSP reports asynchronously) surfaces here: redo pending work inline.
      this.worker.onerror = (e) => {
        e.preventDefault();
        this.failed = true;
        this.worker?.terminate();
        this.worker = null;
        for (const [id, p] of this.pending) { this.pending.delete(id); p.reject(new Error('worker failed')); }
      };
    } catch {
      this.failed = true;
      this.worker = null;
    }
    return this.worker;
  }

  private inline(graph: LayoutRequest['graph'], direction: Direction): LayoutResult {
    const t0 = performance.now();
    const layout = layoutGraph(graph, direction);
    return { layout, ms: performance.now() - t0, where: 'main' };
  }

  async layout(graph: LayoutRequest['graph'], direction: Direction): Promise<LayoutResult> {
    const w = this.start();
    if (!w) return this.inline(graph, direction);
    const id = this.nextId++;
    const req: LayoutRequest = { id, graph: { nodes: graph.nodes, edges: graph.edges }, direction };
    try {
      return await new Promise<LayoutResult>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        w.postMessage(req);
      });
    } catch (err) {
      if (this.failed) return this.inline(graph, direction);
      throw err;
    }
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
  }
}
