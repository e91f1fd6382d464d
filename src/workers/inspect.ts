/**
 * worker_threads entry of the `.tnn` editor: parses the model off the extension
 * host thread, keeps it for the document's lifetime, and answers cost, histogram
 * and summary requests (protocol: src/extension/editor/workerProtocol.ts).
 */
import { parentPort } from 'node:worker_threads';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseTnn } from '../core/format/index';
import { summarizeTnn, type InspectSummary } from '../core/inspect/summary';
import { addCost, modelCost, type TechProfile } from '../core/cost';
import type { TnnModel } from '../core/graph/types';
import { TnnFormatError, TritscopeError } from '../core/errors';
import { buildModelView, costView, latentHistogram } from '../extension/editor/modelView';
import type { CostResult, WorkerReply, WorkerRequest, WorkerResult } from '../extension/editor/workerProtocol';
import type { ErrorView } from '../shared/messages';

let model: TnnModel | null = null;
let fileBytes = 0;
let summary: InspectSummary | null = null;
let filePath = '';

/** Class names survive minification only through instanceof: production bundles rename classes. */
function errorKind(err: unknown): string {
  if (err instanceof TnnFormatError) return 'TnnFormatError';
  if (err instanceof TritscopeError) return 'TritscopeError';
  const code = (err as NodeJS.ErrnoException)?.code;
  return code ? `file error ${code}` : 'Error';
}

function errorView(err: unknown): ErrorView {
  const e = err as Error & { file?: string; field?: string; offset?: number };
  return { message: e?.message ?? String(err), file: e?.file ?? filePath, field: e?.field, offset: e?.offset, kind: errorKind(err) };
}

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

async function handle(req: WorkerRequest): Promise<{ result: WorkerResult; transfer: ArrayBuffer[] }> {
  switch (req.type) {
    case 'load': {
      filePath = req.file;
      model = null;
      summary = null;
      const bytes = await readFile(req.file);
      const t0 = performance.now();
      const u8 = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      model = parseTnn(u8, path.basename(req.file));
      fileBytes = bytes.byteLength;
      const parseMs = performance.now() - t0;
      summary = summarizeTnn(model, fileBytes);
      return { result: buildModelView(model, summary, req.file, costOf(model, req.profile), parseMs), transfer: [] };
    }
    case 'cost': {
      const m = requireModel();
      const c = costOf(m, req.profile);
      const byName = new Map(c?.layers.map((l) => [l.name, l]) ?? []);
      const result: CostResult = {
        profileId: req.profile.id,
        layers: m.graph.layers.map((l) => {
          const lc = byName.get(l.name);
          return lc ? costView(lc) : null;
        }),
        totals: c ? costView(c.totals) : null,
      };
      return { result, transfer: [] };
    }
    case 'histogram': {
      const h = latentHistogram(requireModel(), req.layer, req.bins);
      if (!h) return { result: null, transfer: [] };
      const counts = h.counts.buffer as ArrayBuffer;
      return { result: { counts, min: h.min, max: h.max }, transfer: [counts] };
    }
    case 'summary': {
      const m = requireModel();
      const s = summary ?? summarizeTnn(m, fileBytes);
      const withCost = req.profile && costOf(m, req.profile) ? addCost(s, m, req.profile) : s;
      return { result: withCost as unknown as Record<string, unknown>, transfer: [] };
    }
  }
}

function requireModel(): TnnModel {
  if (!model) throw new Error('inspect worker: no model loaded');
  return model;
}

parentPort?.on('message', (req: WorkerRequest) => {
  handle(req).then(
    ({ result, transfer }) => parentPort!.postMessage({ id: req.id, ok: true, result } satisfies WorkerReply, transfer),
    (err) => parentPort!.postMessage({ id: req.id, ok: false, error: errorView(err) } satisfies WorkerReply),
  );
});
