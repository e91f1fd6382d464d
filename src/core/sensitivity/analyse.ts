/**
 * The whole analysis of one model file: load the float weights (a float model,
 * or a `.tnn`'s latent float weights), quantize each weight layer once, sweep,
 * attach per-layer costs, and keep what proposals need (the runner, the samples
 * and the float reference) in a session so they are measured on the same samples.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { modelCost, type TechProfile } from '../cost/index';
import { openDataset, parsePreprocess, type DataSource } from '../data/index';
import { TritscopeError } from '../errors';
import { floatOriginal } from '../exec/float-original';
import type { FloatModel } from '../graph/types';
import { loadRunnableModel } from '../model-formats/index';
import { checkSamplesFit } from '../quant/evaluate';
import { DEFAULT_METHOD, isKnownMethod, quantizerSpec } from '../quant/registry';
import type { OptionValue } from '../quant/spec';
import { TOOL_VERSION } from '../version';
import { quantizePieces, type SweepPieces } from './pieces';
import { createRunner, type ConfigRunner } from './runner';
import { SENSITIVITY_FORMAT, SENSITIVITY_SUFFIX, SENSITIVITY_VERSION, type LayerSensitivity, type SensitivityResult, type SweepEngine } from './schema';
import { fillReference, mixedBatchSize, runSweep, type FloatReference, type SweepProgress } from './sweep';

export interface AnalyseOptions {
  data: string;
  preprocess?: string;
  /** Samples: the first `limit` of the data set (default 256). */
  limit?: number;
  /** Quantizer (default: the `.tnn`'s own method when it has one, else the registry default). */
  method?: string;
  methodOptions?: Readonly<Record<string, OptionValue | undefined>>;
  seed?: number;
  engine?: SweepEngine;
  profile: TechProfile;
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (p: SweepProgress & { stage: 'quantize' | 'sweep' | 'reference' }) => void;
}

export interface SensitivitySession {
  result: SensitivityResult;
  pieces: SweepPieces;
  runner: ConfigRunner;
  reference: FloatReference;
  batch: number;
}

export const DEFAULT_SAMPLES = 256;

/** Where a model's sensitivity file lives: beside it, under its full name. */
export function sensitivityPath(modelFile: string): string {
  return `${modelFile}${SENSITIVITY_SUFFIX}`;
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

interface AnalysedModel {
  float: FloatModel;
  source: 'float' | 'tnn-latent';
  /** A `.tnn`'s own quantizer and options, the defaults for its sweep. */
  method?: string;
  methodOptions?: Record<string, OptionValue>;
  seed?: number;
}

/** The float weights to analyse: a float model as is, a `.tnn` through its stored latent weights. */
export async function loadAnalysedModel(file: string): Promise<AnalysedModel> {
  const loaded = await loadRunnableModel(file);
  if (loaded.kind === 'float') return { float: loaded.model, source: 'float' };
  const original = floatOriginal(loaded.model);
  if (original.kind !== 'latent-float')
    throw new TritscopeError(`${file}: keeps no float original to analyse (quantized with --no-latent, or trained with QAT, whose latent weights are trained for ternarization); analyse the float source model instead`);
  const prov = loaded.model.provenance;
  const method = typeof prov.method === 'string' && isKnownMethod(prov.method) ? prov.method : undefined;
  const methodOptions: Record<string, OptionValue> = {};
  if (method) {
    for (const o of quantizerSpec(method).options) {
      const v = prov.options?.[o.key];
      if (typeof v === 'number' || typeof v === 'boolean') methodOptions[o.key] = v;
    }
  }
  const seed = typeof prov.options?.seed === 'number' ? prov.options.seed : undefined;
  return { float: original.model as FloatModel, source: 'tnn-latent', method, methodOptions, seed };
}

/** Opens the sweep's samples: the first `limit` of `spec`, checked against the model's input. */
export async function openSamples(float: FloatModel, o: { data: string; preprocess?: string; limit?: number }): Promise<DataSource> {
  const limit = o.limit ?? DEFAULT_SAMPLES;
  const data = await openDataset(o.data, { limit, preprocess: parsePreprocess(o.preprocess), inputShape: float.graph.inputs[0]?.shape });
  checkSamplesFit(float, data);
  return data;
}

/** Bits (packed encoding) and energy of each weight layer float and ternary, and of everything else. */
export function layerCosts(p: SweepPieces, profile: TechProfile) {
  const names = new Set(p.candidates.map((l) => l.name));
  const f = modelCost(p.assemble(new Set()), profile);
  const t = modelCost(p.assemble(names), profile);
  const per = new Map<string, Pick<LayerSensitivity, 'bits' | 'energyPj' | 'params'>>();
  let otherBits = 0, otherEnergyPj = 0, otherParams = 0, params = 0;
  const count = (x: { params: { ternary: number; float: number } }) => x.params.ternary + x.params.float;
  f.layers.forEach((fl, i) => {
    params += count(fl);
    if (names.has(fl.name)) {
      const tl = t.layers[i];
      per.set(fl.name, {
        bits: { float: fl.weightBits.packed, ternary: tl.weightBits.packed },
        energyPj: { float: fl.energyPj, ternary: tl.energyPj },
        params: { float: count(fl), ternary: count(tl) },
      });
    } else {
      otherBits += fl.weightBits.packed;
      otherEnergyPj += fl.energyPj;
      otherParams += count(fl);
    }
  });
  return { per, otherBits, otherEnergyPj, otherParams, params };
}

export async function analyseSensitivity(file: string, o: AnalyseOptions): Promise<SensitivitySession> {
  const t0 = performance.now();
  const model = await loadAnalysedModel(file);
  const sha256 = await sha256File(file);
  const data = await openSamples(model.float, o);
  const loadMs = performance.now() - t0;
  const { pieces, runner, method, methodOptions, seed } = await prepare(model, o);
  const quantizeMs = performance.now() - t0 - loadMs;
  const sweep = await runSweep(pieces, runner, {
    samples: data, n: data.n, batchSize: o.batchSize, signal: o.signal,
    onProgress: (p) => o.onProgress?.({ ...p, stage: 'sweep' }),
  });
  const sweepMs = performance.now() - t0 - loadMs - quantizeMs;
  const costs = layerCosts(pieces, o.profile);
  const result: SensitivityResult = {
    format: SENSITIVITY_FORMAT,
    version: SENSITIVITY_VERSION,
    model: { file: path.basename(file), sha256, graph: model.float.graph.name, source: model.source },
    method,
    methodOptions,
    seed,
    data: { spec: o.data, preprocess: o.preprocess ?? null, name: data.name, n: data.n },
    engine: runner.kind,
    klFrom: runner.klFrom,
    float: { top1: sweep.float.top1, top1Count: sweep.float.top1Count },
    allTernary: sweep.allTernary,
    layers: pieces.candidates.map((l) => ({
      name: l.name,
      op: l.op,
      index: pieces.indexOf.get(l.name)!,
      weights: pieces.pieces.get(l.name)!.packed.count,
      ...sweep.layers.get(l.name)!,
      ...costs.per.get(l.name)!,
    })),
    totals: {
      params: costs.params,
      otherParams: costs.otherParams,
      weights: pieces.candidates.reduce((s, l) => s + pieces.pieces.get(l.name)!.packed.count, 0),
      otherBits: costs.otherBits,
      otherEnergyPj: costs.otherEnergyPj,
      profile: { id: o.profile.id, name: o.profile.name },
    },
    timings: { loadMs, quantizeMs, sweepMs, totalMs: performance.now() - t0, batch: sweep.batch, layerRuns: sweep.layerRuns },
    toolVersion: TOOL_VERSION,
    date: new Date().toISOString(),
  };
  return { result, pieces, runner, reference: sweep.reference, batch: sweep.batch };
}

async function prepare(model: AnalysedModel, o: AnalyseOptions) {
  const method = o.method ?? model.method ?? DEFAULT_METHOD;
  if (!isKnownMethod(method)) throw new TritscopeError(`unknown quantization method '${method}'`);
  // A .tnn's own options apply only to its own method.
  const given = { ...(method === model.method ? model.methodOptions : {}), ...o.methodOptions };
  const seed = o.seed ?? (method === model.method ? model.seed : undefined) ?? 0;
  const pieces = await quantizePieces(model.float, {
    method, options: given, seed, signal: o.signal,
    onLayer: (done, total, name) => o.onProgress?.({ done, total, message: `ternarized ${name}`, stage: 'quantize' }),
  });
  const runner = await createRunner(pieces, o.engine ?? 'mixed');
  const methodOptions: Record<string, number | boolean> = {};
  for (const [k, v] of Object.entries(given)) if (v !== undefined) methodOptions[k] = v;
  return { pieces, runner, method, methodOptions, seed };
}

/**
 * A session over a stored sweep of the same file (checked by the caller): the pieces and the
 * float reference are rebuilt (one float pass), the per-layer sweep is not run again.
 */
export async function resumeSession(file: string, stored: SensitivityResult, o: Omit<AnalyseOptions, 'data' | 'limit' | 'preprocess' | 'engine'>): Promise<SensitivitySession> {
  const model = await loadAnalysedModel(file);
  const data = await openSamples(model.float, { data: stored.data.spec, preprocess: stored.data.preprocess ?? undefined, limit: stored.data.n });
  if (data.n !== stored.data.n) throw new TritscopeError(`${stored.data.spec}: has ${data.n} samples now, the stored sweep used ${stored.data.n}; run the sweep again`);
  const { pieces, runner } = await prepare(model, { ...o, data: stored.data.spec, method: stored.method, methodOptions: stored.methodOptions, seed: stored.seed, engine: stored.engine });
  const batch = stored.engine === 'mixed' ? mixedBatchSize(pieces) : Math.min(64, data.n);
  const reference = await fillReference(runner, data, data.n, batch, o.signal, (p) => o.onProgress?.({ ...p, stage: 'reference' }));
  if (reference.classes && data.n) {
    // The float model must score as it did when the sweep was stored, or the file does not describe it.
    const floatTop1 = reference.floatCorrect;
    if (floatTop1 !== stored.float.top1Count) throw new TritscopeError(`${file}: float top-1 is ${floatTop1}/${data.n} now, the stored sweep says ${stored.float.top1Count}; run the sweep again`);
  }
  return { result: stored, pieces, runner, reference, batch };
}
