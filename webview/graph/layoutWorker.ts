/**
 * Web Worker of the graph view: runs the dagre layout off the webview's UI
 * thread. Bundled into the webview as text (esbuild.mjs, `?worker` imports) and
 * started from a blob: URL, which the webview CSP allows as `worker-src blob:`.
 */
import { layoutGraph } from './layout';
import type { LayoutReply, LayoutRequest } from './layoutClient';

const scope = self as unknown as { onmessage: ((e: MessageEvent<LayoutRequest>) => void) | null; postMessage(m: LayoutReply): void };

scope.onmessage = (e) => {
  const { id, graph, direction } = e.data;
  const t0 = performance.now();
  try {
    const layout = layoutGraph(graph, direction);
    scope.postMessage({ id, layout, ms: performance.now() - t0 });
  } catch (err) {
    scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
};
