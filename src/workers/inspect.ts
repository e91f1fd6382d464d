/**
 * worker_threads entry of the model viewer: loads the model through the
 * model-format registry off the extension host thread, keeps it for the
 * document's lifetime, and answers cost, histogram and summary requests
 * (protocol: src/shared/inspectProtocol.ts).
 */
import { parentPort } from 'node:worker_threads';
import { summarizeTnn, type InspectSummary } from '../core/inspect/summary';
import { addCost, modelCost, type TechProfile } from '../core/cost';
import type { TnnModel } from '../core/graph/types';
import { TritscopeError } from '../core/errors';
import { loadModel } from '../core/model-formats/index';
import type { CostResult, InspectRequest, InspectResults } from '../shared/inspectProtocol';
import { dispatch, serveRequests, Transfer } from '../shared/rpc';
import { buildModelView, costView, latentHistogram } from './view/model-view';

let model: TnnModel | null = null;
let fileBytes = 0;
let summary: InspectSummary | null = null;
let filePath = '';

function costOf(m: TnnModel, profile: TechProfile | null) {
  if (!profile) return null;
  try {
    // Reuse the summary's trit counts instead of decoding every packed tensor again.
    const tritCounts = summary ? Object.fromEntries(summary.layers.map((l) => [l.name, l.trits])) : undefined;
    return modelCost(m, profile, { tritCounts });
  } catch {
    return null; // a graph the shape inference cannot follow still shows its table, without cost
  }
}

async function load(file: string, profile: TechProfile | null): Promise<InspectResults['load']> {
  filePath = file;
  model = null;
  summary = null;
  const t0 = performance.now();
  const loaded = await loadModel(file, { use: 'view' });
  // Weights-only listings (GGUF, safetensors checkpoints) get their own view with their readers.
  if (loaded.kind !== 'tnn') throw new TritscopeError(`${file}: the model viewer cannot show ${loaded.format.label} files yet`);
  const parseMs = performance.now() - t0;
  model = loaded.model;
  fileBytes = loaded.bytes;
  summary = summarizeTnn(model, fileBytes);
  return buildModelView(model, summary, file, costOf(model, profile), parseMs);
}

function cost(profile: TechProfile): CostResult {
  const m = requireModel();
  const c = costOf(m, profile);
  const byName = new Map(c?.layers.map((l) => [l.name, l]) ?? []);
  return {
    profileId: profile.id,
    layers: m.graph.layers.map((l) => {
      const lc = byName.get(l.name);
      return lc ? costView(lc) : null;
    }),
    totals: c ? costView(c.totals) : null,
  };
}

function requireModel(): TnnModel {
  if (!model) throw new Error('inspect worker: no model loaded');
  return model;
}

function histogram(layer: string, bins: number): Transfer<InspectResults['histogram']> | null {
  const h = latentHistogram(requireModel(), layer, bins);
  if (!h) return null;
  const counts = h.counts.buffer as ArrayBuffer;
  return new Transfer({ counts, min: h.min, max: h.max }, [counts]);
}

function inspectSummary(profile: TechProfile | null): InspectResults['summary'] {
  const m = requireModel();
  const s = summary ?? summarizeTnn(m, fileBytes);
  const withCost = profile && costOf(m, profile) ? addCost(s, m, profile) : s;
  return withCost as unknown as Record<string, unknown>;
}

if (!parentPort) throw new Error('inspect.js must run as a worker thread');
serveRequests(parentPort, dispatch<InspectRequest, InspectResults>({
  load: (r) => load(r.file, r.profile),
  cost: (r) => cost(r.profile),
  histogram: (r) => histogram(r.layer, r.bins),
  summary: (r) => inspectSummary(r.profile),
}), () => filePath);
