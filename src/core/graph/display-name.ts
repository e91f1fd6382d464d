/**
 * The name a model is shown by. Exporters name a graph when the user did not:
 * PyTorch `torch_jit` (older: `torch-jit-export`), `main_graph` (torch.onnx's
 * dynamo path and others), tf2onnx `tf2onnx`. Such a name says nothing, so the
 * file's name stands in for it (issue #12).
 */
export const EXPORTER_DEFAULT_GRAPH_NAMES: readonly string[] = ['torch_jit', 'torch-jit-export', 'main_graph', 'tf2onnx'];

/** The file's base name without its last extension (`/m/resnet50.twn.tnn` → `resnet50.twn`). */
export function fileStem(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** The graph's own name, unless it is empty or an exporter's default: then the file's stem. */
export function displayModelName(graphName: string | undefined, file: string): string {
  return graphName && !EXPORTER_DEFAULT_GRAPH_NAMES.includes(graphName) ? graphName : fileStem(file);
}
