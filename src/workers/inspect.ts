/**
 * worker_threads entry of the model viewer: loads the model through the
 * model-format registry off the extension host thread, keeps it for the
 * document's lifetime, and answers cost, histogram and summary requests
 * (protocol: src/shared/inspectProtocol.ts). Weights-only models (GGUF,
 * safetensors checkpoints, weights-only `.tnn`) are listed from their header and
 * their statistics streamed on request (./view/weights-session.ts).
 */
import { parentPort } from 'node:worker_threads';
import { summarizeTnn, type InspectSummary } from '../core/inspect/summary';
import { addCost, modelCost, type TechProfile } from '../core/cost';
import type { TnnModel } from '../core/graph/types';
import { TritscopeError } from '../core/errors';
import { loadModel } from '../core/model-formats/index';
import type { CostResult, InspectRequest, InspectResults, OpenResult } from '../shared/inspectProtocol';
import { dispatch, serveRequests, Transfer } from '../shared/rpc';
import type { WeightsStatsProgress } from '../shared/weightsView';
import { buildModelView, costView, latentHistogram } from './view/model-view';
import { WeightsSession } from './view/weights-session';

let model: TnnModel | null = null;
let fileBytes = 0;
let summary: InspectSummary | null = null;
let filePath = '';
let weights: WeightsSession | null = null;

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

async function open(file: string, profile: TechProfile | null): Promise<OpenResult> {
  filePath = file;
  model = null;
  summary = null;
  weights?.cancel();
  weights = null;
  const t0 = performance.now();
  const loaded = await loadModel(file, { use: 'view' });
  fileBytes = loaded.bytes;
  if (loaded.kind === 'weights') {
    weights = new WeightsSession(loaded.listing, loaded.format.label);
    return { kind: 'weights', view: weights.view(performance.now() - t0) };
  }
  if (loaded.kind !== 'tnn') throw new TritscopeError(`${file}: the model viewer cannot show ${loaded.format.label} files`);
  const parseMs = performance.now() - t0;
  model = loaded.model;
  summary = summarizeTnn(model, fileBytes);
  return { kind: 'model', view: buildModelView(model, summary, file, costOf(model, profile), parseMs) };
}

async function load(file: string, profile: TechProfile | null): Promise<InspectResults['load']> {
  const r = await open(file, profile);
  if (r.kind === 'weights') throw new TritscopeError(`${file}: holds weights only (${r.view.header.formatLabel}), no layers to compare`);
  return r.view;
}

function requireWeights(): WeightsSession {
  if (!weights) throw new Error('inspect worker: no weights-only model opened');
  return weights;
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

async function inspectSummary(profile: TechProfile | null, bandwidthGBs?: number): Promise<InspectResults['summary']> {
  if (weights) return (await weights.summary(bandwidthGBs)) as unknown as Record<string, unknown>;
  const m = requireModel();
  const s = summary ?? summarizeTnn(m, fileBytes);
  const withCost = profile && costOf(m, profile) ? addCost(s, m, profile) : s;
  return withCost as unknown as Record<string, unknown>;
}

if (!parentPort) throw new Error('inspect.js must run as a worker thread');
serveRequests(parentPort, dispatch<InspectRequest, InspectResults>({
  load: (r) => load(r.file, r.profile),
  open: (r) => open(r.file, r.profile),
  weightsStats: (r, ctx) => requireWeights().run((p: WeightsStatsProgress) => ctx.progress(p), { chunkBytes: r.chunkBytes, threads: r.threads }),
  cancelStats: () => weights?.cancel() ?? false,
  cost: (r) => cost(r.profile),
  histogram: (r) => histogram(r.layer, r.bins),
  summary: (r) => inspectSummary(r.profile, r.bandwidthGBs),
}), () => filePath);
