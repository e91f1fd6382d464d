/**
 * The model listing: a read-only text with one line per layer and indented
 * lines for the sub-steps a layer runs in the packed engine. The debugger's
 * stack frames and breakpoints refer to its line numbers, so the text is a
 * pure function of the graph (and tensor shapes): the adapter and the
 * extension's content provider compute the same lines independently.
 */
import { displayModelName } from '../core/graph/display-name';
import type { Graph, Layer } from '../core/graph/types';
import type { SubStepKind } from '../core/engine/stepper-types';
import { isOpType, OPS } from '../core/ops/index';

export const LISTING_SCHEME = 'tritscope-listing';

/** One sub-step line the listing predicts for a layer. */
export interface ListingSubStep {
  kind: SubStepKind;
  label: string;
  /** 1-based line number. */
  line: number;
}

export interface ListingLayer {
  index: number;
  name: string;
  /** 1-based line number of the layer line. */
  line: number;
  subSteps: ListingSubStep[];
}

export interface Listing {
  text: string;
  layers: ListingLayer[];
  /** 1-based line of the closing "result" line (where the run stops at its end). */
  resultLine: number;
  lineCount: number;
}

/** What a listing line stands for: a layer line, one of its sub-steps, the result line or nothing. */
export type LinePosition =
  | { kind: 'layer'; layer: number }
  | { kind: 'subStep'; layer: number; subStep: number }
  | { kind: 'result' }
  | { kind: 'none' };

export type ShapeLookup = (tensorName: string) => readonly number[] | undefined;

const SUBSTEP_LABELS: Record<SubStepKind, string> = {
  'quantize-input': 'quantize input',
  'ternary-matmul': 'ternary matmul',
  'float-matmul': 'float matmul',
  scale: 'scale',
  'bias-bn': 'bias/BN',
  activation: 'activation',
  op: 'op',
};

/**
 * The sub-steps the packed engine traces for a ternary conv/dense layer
 * (src/core/engine/stepper.ts): W+A: quantize input → ternary matmul (popcount
 * accumulators) → scale → bias/BN; W only: ternary matmul (scales applied) →
 * bias/BN. BN and activations the engine fuses show in the layers that own them.
 * Other layers have no sub-steps worth a line (their one sub-step is the output).
 */
export function expectedSubSteps(layer: Layer): { kind: SubStepKind; label: string }[] {
  if (!isOpType(layer.op) || OPS[layer.op].engine.kind !== 'matmul' || !layer.weightQuant) return [];
  const kinds: SubStepKind[] = layer.actQuant ? ['quantize-input', 'ternary-matmul', 'scale', 'bias-bn'] : ['ternary-matmul', 'bias-bn'];
  return kinds.map((kind) => ({ kind, label: SUBSTEP_LABELS[kind] }));
}

/** Short description of a layer: `conv2d 16→32 3×3  ternary W+A`. */
export function describeLayer(layer: Layer, shapeOf: ShapeLookup): string {
  const parts: string[] = [layer.op];
  if (isOpType(layer.op)) {
    try {
      const geometry = OPS[layer.op].describe?.(layer, (role) => (layer.weights[role] ? (shapeOf(layer.weights[role]) as number[] | undefined) : undefined));
      if (geometry) parts.push(geometry);
    } catch {
      // A layer whose attributes do not check is listed by its op alone (the run reports why).
    }
  }
  const quant = layer.weightQuant ? (layer.actQuant ? 'ternary W+A' : 'ternary W') : layer.actQuant ? 'ternary A' : '';
  return quant ? `${parts.join(' ')}  ${quant}` : parts.join(' ');
}

/** Builds the listing text and its line map. */
export function buildListing(graph: Graph, shapeOf: ShapeLookup, modelFile = graph.name): Listing {
  const lines: string[] = [];
  const input = graph.inputs[0];
  const inputText = input ? `input ${input.name} [${input.shape.join(',')}]` : 'no input';
  const fileName = modelFile.split(/[\\/]/).pop() ?? modelFile;
  lines.push(`# ${displayModelName(graph.name, fileName)} (${fileName}) — ${graph.layers.length} layers, ${inputText}`);
  const idxWidth = Math.max(3, String(graph.layers.length - 1).length + 1);
  const nameWidth = Math.max(6, ...graph.layers.map((l) => l.name.length + 1));
  const layers: ListingLayer[] = graph.layers.map((layer, index) => {
    lines.push(`${String(index).padStart(idxWidth)}  ${layer.name.padEnd(nameWidth)} ${describeLayer(layer, shapeOf)}`.trimEnd());
    const line = lines.length;
    const subSteps = expectedSubSteps(layer).map((s) => {
      lines.push(`${' '.repeat(idxWidth + 4)}${s.label}`);
      return { ...s, line: lines.length };
    });
    return { index, name: layer.name, line, subSteps };
  });
  const labels = graph.labels?.length ? ` over ${graph.labels.length} classes` : '';
  lines.push(`${'='.padStart(idxWidth)}  result${' '.repeat(Math.max(1, nameWidth - 5))}argmax of ${graph.outputs.join(', ') || 'output'}${labels}`);
  const resultLine = lines.length;
  return { text: `${lines.join('\n')}\n`, layers, resultLine, lineCount: lines.length };
}

/** What a 1-based line of the listing stands for. */
export function positionOfLine(listing: Listing, line: number): LinePosition {
  if (line === listing.resultLine) return { kind: 'result' };
  for (const l of listing.layers) {
    if (l.line === line) return { kind: 'layer', layer: l.index };
    const s = l.subSteps.findIndex((x) => x.line === line);
    if (s >= 0) return { kind: 'subStep', layer: l.index, subStep: s };
  }
  return { kind: 'none' };
}

/** The listing document's path for a model file: `<model path>.listing` (the URI is `tritscope-listing:<path>`). */
export function listingPathFor(modelPath: string): string {
  const p = modelPath.replace(/\\/g, '/');
  return `${p.startsWith('/') ? '' : '/'}${p}.listing`;
}

/** The model file a listing path refers to (inverse of listingPathFor; accepts the full URI too). */
export function modelPathOfListing(listingPath: string): string {
  let p = listingPath;
  if (p.startsWith(`${LISTING_SCHEME}:`)) {
    // A URI string (as VS Code sends it for breakpoints): strip the scheme and undo percent-encoding.
    p = p.slice(LISTING_SCHEME.length + 1);
    try { p = decodeURIComponent(p); } catch { /* keep as is */ }
  }
  p = p.replace(/\.listing$/, '');
  // Windows paths come back as /C:/dir/model.tnn.
  return /^\/[A-Za-z]:\//.test(p) ? p.slice(1) : p;
}

/** The full listing URI string, used as a DAP `source.path` (VS Code parses scheme-prefixed paths as URIs). */
export function listingUriFor(modelPath: string): string {
  return `${LISTING_SCHEME}:${listingPathFor(modelPath)}`;
}
