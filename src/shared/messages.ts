/**
 * The typed protocol between the `.tnn` custom editor's extension host side
 * (src/extension/editor) and its webview (webview/main.ts). One union per
 * direction; requests carry `messageId`, their replies `inReplyTo`. Histogram
 * data travels as an ArrayBuffer (transferable, not serialized element-wise).
 * No runtime dependencies: both bundles import this file.
 */
import type { ErrorView } from './rpc';
import type { WeightsToWebviewMessage, WeightsViewState } from './weightsView';
import type { SensitivityView } from './sensitivityView';

/** Load failures reach the webview in the workers' error format. */
export type { ErrorView };

/** Cost numbers of one layer or the totals, as the UI shows them. */
export interface CostView {
  macKind: 'tt' | 'tf' | 'ff' | null;
  macs: { tt: number; tf: number; ff: number; total: number };
  additions: number;
  memoryBits: number;
  skippableMacs: number;
  weightZeroFraction: number | null;
  energyPj: number;
  energySkipPj: number;
}

export interface LayerRow {
  index: number;
  name: string;
  op: string;
  /** Weight shape for conv/dense, else output shape. */
  shape: number[];
  outputShape: number[] | null;
  ternary: boolean;
  actTernary: boolean;
  method: string | null;
  deltaP: number | null;
  deltaN: number | null;
  alphaP: number | null;
  alphaN: number | null;
  gamma: number | null;
  trits: { neg: number; zero: number; pos: number } | null;
  sparsity: number | null;
  /** Entropy of the trit distribution in bits (max log2 3 ≈ 1.585). */
  entropyBits: number | null;
  relError: number | null;
  hasLatent: boolean;
  cost: CostView | null;
  /**
   * Value names the layer consumes / produces (graph edges: a layer whose output
   * another layer consumes feeds it). Optional so views built before the graph
   * view existed still type-check; the graph view then chains layers in order.
   */
  inputs?: string[];
  outputs?: string[];
}

export interface HeaderView {
  fileName: string;
  filePath: string;
  modelName: string;
  method: string | null;
  options: Record<string, string>;
  provenance: Record<string, string>;
  params: number;
  ternaryParams: number;
  fileBytes: number;
  float32Bytes: number;
  bitsPerTrit: number | null;
  floatAccuracy: number | null;
  ternaryAccuracy: number | null;
  sourceFile: string | null;
}

export interface ProfileNumberView {
  value: number;
  source: string;
  assumption: boolean;
}

export interface ProfileView {
  id: string;
  name: string;
  description: string;
  weightEncoding: string;
  ops: Record<'macTT' | 'macTF' | 'macFF' | 'add', { transistors: ProfileNumberView; energyPj: ProfileNumberView }>;
}

export interface ModelView {
  header: HeaderView;
  layers: LayerRow[];
  totals: CostView | null;
  /** Milliseconds spent parsing (in the worker). */
  parseMs: number;
  /** Graph input value names (the graph view's source nodes); optional like LayerRow.inputs. */
  inputs?: string[];
  /** Graph output value names (the graph view's sink nodes). */
  outputs?: string[];
}


/**
 * Per-layer values the graph view colours nodes by, fed from outside the viewer
 * (the sensitivity sweep, the debugger's divergence, …) through
 * TnnEditorProvider.setOverlay → the `overlay` message. An overlay replaces the
 * previous one of the same metric; empty `values` shows "no data yet".
 */
export interface GraphOverlay {
  /** 'sensitivity' and 'divergence' have picker entries already; any other id adds one. */
  metric: string;
  /** Layer name → value (finite numbers; others are ignored). Layers without a value draw as "no value". */
  values: Record<string, number>;
  /** Picker and legend text, e.g. 'KL divergence, only this layer ternary'; defaults to the metric id. */
  label?: string;
  /** Provenance shown under the legend, e.g. 'model.sensitivity.json · 256 samples'. */
  source?: string;
}

export const ToWebview = {
  Loading: 'loading',
  Model: 'model',
  LoadError: 'loadError',
  Cost: 'cost',
  Histogram: 'histogram',
  Notice: 'notice',
  Overlay: 'overlay',
  Sensitivity: 'sensitivity',
} as const;

export const FromWebview = {
  Ready: 'ready',
  SelectProfile: 'selectProfile',
  RequestHistogram: 'requestHistogram',
  RunAction: 'runAction',
  Rendered: 'rendered',
  ChartsRendered: 'chartsRendered',
  GraphRendered: 'graphRendered',
  RequantizeWith: 'requantizeWith',
} as const;

export type EditorAction = 'stepThrough' | 'requantize' | 'exportSummary' | 'openAsJson' | 'reopenDefault' | 'compare' | 'analyseSensitivity';

export type ToWebviewMessage =
  | { type: typeof ToWebview.Loading; fileName: string }
  | {
      type: typeof ToWebview.Model;
      model: ModelView;
      profiles: ProfileView[];
      profileId: string;
      profileError?: string;
      /** File name of the other side when this editor is one side of a diff view. */
      diffWith?: string;
    }
  | { type: typeof ToWebview.LoadError; error: ErrorView }
  | { type: typeof ToWebview.Cost; inReplyTo?: number; profileId: string; layers: Array<CostView | null>; totals: CostView | null }
  | {
      type: typeof ToWebview.Histogram;
      inReplyTo: number;
      layer: string;
      /** Float64Array of bin counts, as its ArrayBuffer. */
      counts: ArrayBuffer;
      min: number;
      max: number;
      deltaP: number | null;
      deltaN: number | null;
    }
  | { type: typeof ToWebview.Notice; text: string; level: 'info' | 'error' }
  | { type: typeof ToWebview.Overlay; overlay: GraphOverlay }
  /** The model's sensitivity analysis (null: none found beside the model); src/shared/sensitivityView.ts. */
  | { type: typeof ToWebview.Sensitivity; view: SensitivityView | null }
  /** Weights-only models (GGUF, safetensors checkpoints): ./weightsView.ts. */
  | WeightsToWebviewMessage;

export type FromWebviewMessage =
  | { type: typeof FromWebview.Ready }
  | { type: typeof FromWebview.SelectProfile; messageId: number; profileId: string }
  | { type: typeof FromWebview.RequestHistogram; messageId: number; layer: string }
  | { type: typeof FromWebview.RunAction; action: EditorAction }
  /** Header and table painted: `ms` since the webview's script started, `sinceModelMs` since the model message arrived. */
  | { type: typeof FromWebview.Rendered; rows: number; ms: number; sinceModelMs?: number }
  /** The per-layer charts drawn (after the table's first paint), timed as Rendered. */
  | { type: typeof FromWebview.ChartsRendered; charts: number; ms: number; sinceModelMs: number }
  /** The graph tab painted: layout time (in the worker, or 'main' as fallback) and model-to-paint time. */
  | { type: typeof FromWebview.GraphRendered; nodes: number; edges: number; layoutMs: number; totalMs: number; layoutIn: 'worker' | 'main' }
  /** "Re-quantize with this set": quantize the analysed float model keeping these layers float (checked by the host). */
  | { type: typeof FromWebview.RequantizeWith; keepFloat: string[] };

/** Webview state kept with getState/setState across hide/show. */
export interface EditorViewState {
  selected: string | null;
  sortKey: string;
  sortDir: 1 | -1;
  filter: string;
  profileId: string | null;
  page: number;
  /** Which view of the layers shows: the table (default) or the graph. */
  tab?: 'table' | 'graph';
  /** Graph view: metric id the nodes are coloured by, layout direction, zoom/pan. */
  graphMetric?: string;
  graphDirection?: 'TB' | 'LR';
  graphView?: { x: number; y: number; k: number } | null;
  /** The weights-only view's state (GGUF, safetensors checkpoints). */
  weights?: WeightsViewState;
}

export function isFromWebview(m: unknown): m is FromWebviewMessage {
  const t = (m as { type?: unknown } | null)?.type;
  return typeof t === 'string' && (Object.values(FromWebview) as string[]).includes(t);
}
