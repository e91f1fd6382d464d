/**
 * `<model>.sensitivity.json`, version 1: what the per-layer sensitivity sweep
 * measured (src/core/sensitivity/sweep.ts) and the keep-float proposals made
 * from it (./propose.ts). The CLI prints the same object with --json. Files are
 * read back by the viewer, so `parseSensitivity` treats them as hostile: sizes
 * are bounded before JSON.parse and every field is checked, with errors naming
 * the file and the field. A change that breaks readers bumps the version.
 */
import { Checker } from '../format/index';
import { TnnFormatError } from '../errors';
import { jsonLimitViolation } from '../json-limits';

export const SENSITIVITY_FORMAT = 'tritscope-sensitivity';
export const SENSITIVITY_VERSION = 1;
/** Beside the model: `fashion-cnn.onnx` → `fashion-cnn.onnx.sensitivity.json` (the full name, so a .onnx and its .tnn never share one). */
export const SENSITIVITY_SUFFIX = '.sensitivity.json';
export const MAX_SENSITIVITY_BYTES = 16 * 2 ** 20;
const MAX_LAYERS = 20_000;
const MAX_PROPOSALS = 16;
const MAX_NAME = 4096;

export type BudgetKind = 'float-weights' | 'bits' | 'energy';
export const BUDGET_KINDS: readonly BudgetKind[] = ['float-weights', 'bits', 'energy'];
export type Objective = 'kl' | 'top1';
export type SweepEngine = 'mixed' | 'packed' | 'reference';

/** Accuracy of one configuration on the sweep's samples. kl: mean KL(float ‖ this) in nats per sample. */
export interface Score {
  top1: number;
  top1Count: number;
  kl: number;
}

export interface LayerCostPair {
  float: number;
  ternary: number;
}

export interface LayerSensitivity {
  name: string;
  op: string;
  /** Index in the graph's layer list. */
  index: number;
  /** Elements of the layer's weight tensor. */
  weights: number;
  /** This layer ternary, every other layer float. */
  onlyThis: Score;
  /** Every weight layer ternary but this one. */
  allButThis: Score;
  /** Weight storage (cost model's packed encoding: 1.6 bits per trit, 32-bit floats) and energy per sample, float vs ternary. */
  bits: LayerCostPair;
  energyPj: LayerCostPair;
  /** Parameters the cost model counts for the layer float vs ternary (a ternary layer adds its scales). */
  params: LayerCostPair;
}

export interface SensitivityTotals {
  /** Parameters of the all-float model (the cost model's count). */
  params: number;
  /** Parameters outside the weight layers' choice; bits per weight = bits / (otherParams + Σ chosen layer params). */
  otherParams: number;
  /** Elements of the weight layers' weight tensors, the denominator of the float-weights share. */
  weights: number;
  /** Bits and energy of everything that is not a weight layer's weight choice (biases, batchnorm, pooling, …). */
  otherBits: number;
  otherEnergyPj: number;
  profile: { id: string; name: string };
}

/** How a keep-float set's accuracy is predicted from the sweep (./propose.ts). */
export type Predictor = 'all-but-this' | 'only-this' | 'mean';
export const PREDICTORS: readonly Predictor[] = ['all-but-this', 'only-this', 'mean'];

export interface Prediction {
  top1: number;
  kl: number;
}

/** One keep-float set with what it costs, what each predictor says and what was measured. */
export interface KeepFloatPlan {
  keepFloat: string[];
  floatWeightShare: number;
  bitsPerWeight: number;
  energyPj: number;
  /** The predictor whose ranking proposed this set (absent for the default rule). */
  predictor?: Predictor;
  predicted: Record<Predictor, Prediction>;
  measured: Score;
}

export interface Proposal {
  budget: { kind: BudgetKind; text: string; limit: number };
  objective: Objective;
  /** The best measured of `candidates`. */
  proposal: KeepFloatPlan;
  /** The sets each predictor ranks best within the budget (and those ranked at the default rule's cost that fit it), each measured. */
  candidates: KeepFloatPlan[];
  /** The seed paper's rule, first and last weight layers float, and whether it fits the budget. */
  defaultRule: KeepFloatPlan & { fits: boolean };
  /** The proposal made under the default rule's own cost of this budget kind (same-budget comparison). */
  atDefaultCost: KeepFloatPlan;
  ms: number;
  date: string;
}

export interface SensitivityResult {
  format: typeof SENSITIVITY_FORMAT;
  version: typeof SENSITIVITY_VERSION;
  /** The analysed file (base name), its SHA-256 and where the float weights came from. */
  model: { file: string; sha256: string; graph: string; source: 'float' | 'tnn-latent' };
  method: string;
  methodOptions: Record<string, number | boolean>;
  seed: number;
  data: { spec: string; preprocess: string | null; name: string; n: number };
  engine: SweepEngine;
  /** KL is computed from the logits (the softmax head's input) or, without a softmax head, from the raw outputs as logits. */
  klFrom: 'logits' | 'outputs';
  float: { top1: number; top1Count: number };
  allTernary: Score;
  layers: LayerSensitivity[];
  totals: SensitivityTotals;
  timings: { loadMs: number; quantizeMs: number; sweepMs: number; totalMs: number; batch: number; layerRuns: number };
  toolVersion: string;
  date: string;
  proposals?: Proposal[];
}

function checkScore(c: Checker, v: unknown, field: string, n: number, withKl: boolean): Score {
  const o = c.object(v, field);
  const top1Count = c.nonNegInt(o.top1Count, `${field}.top1Count`);
  if (top1Count > n) c.fail(`${field}.top1Count`, `${top1Count} correct of ${n} samples`);
  const top1 = c.nonNegative(o.top1, `${field}.top1`);
  if (Math.abs(top1 - top1Count / n) > 1e-9) c.fail(`${field}.top1`, `expected ${top1Count}/${n}, found ${top1}`);
  return { top1, top1Count, kl: withKl ? c.nonNegative(o.kl, `${field}.kl`) : 0 };
}

function checkPair(c: Checker, v: unknown, field: string): LayerCostPair {
  const o = c.object(v, field);
  return { float: c.nonNegative(o.float, `${field}.float`), ternary: c.nonNegative(o.ternary, `${field}.ternary`) };
}

function boundedName(c: Checker, v: unknown, field: string): string {
  const s = c.nonEmptyString(v, field);
  if (s.length > MAX_NAME) c.fail(field, `longer than ${MAX_NAME} characters`);
  return s;
}

function checkPlan(c: Checker, v: unknown, field: string, names: Set<string>, n: number): KeepFloatPlan {
  const o = c.object(v, field);
  const keepFloat = c.stringArray(o.keepFloat, `${field}.keepFloat`);
  keepFloat.forEach((k, i) => { if (!names.has(k)) c.fail(`${field}.keepFloat[${i}]`, `'${k.slice(0, 80)}' is not a swept layer`); });
  const p = c.object(o.predicted, `${field}.predicted`);
  const predicted = {} as Record<Predictor, Prediction>;
  for (const k of PREDICTORS) {
    const q = c.object(p[k], `${field}.predicted.${k}`);
    predicted[k] = { top1: c.nonNegative(q.top1, `${field}.predicted.${k}.top1`), kl: c.nonNegative(q.kl, `${field}.predicted.${k}.kl`) };
  }
  const predictor = o.predictor as Predictor | undefined;
  if (predictor !== undefined && !PREDICTORS.includes(predictor)) c.fail(`${field}.predictor`, `expected one of ${PREDICTORS.join(', ')}`);
  return {
    keepFloat,
    floatWeightShare: c.nonNegative(o.floatWeightShare, `${field}.floatWeightShare`),
    bitsPerWeight: c.nonNegative(o.bitsPerWeight, `${field}.bitsPerWeight`),
    energyPj: c.nonNegative(o.energyPj, `${field}.energyPj`),
    ...(predictor ? { predictor } : {}),
    predicted,
    measured: checkScore(c, o.measured, `${field}.measured`, n, true),
  };
}

function checkProposal(c: Checker, v: unknown, field: string, names: Set<string>, n: number): Proposal {
  const o = c.object(v, field);
  const b = c.object(o.budget, `${field}.budget`);
  const kind = c.string(b.kind, `${field}.budget.kind`) as BudgetKind;
  if (!BUDGET_KINDS.includes(kind)) c.fail(`${field}.budget.kind`, `expected one of ${BUDGET_KINDS.join(', ')}`);
  const objective = c.string(o.objective, `${field}.objective`) as Objective;
  if (objective !== 'kl' && objective !== 'top1') c.fail(`${field}.objective`, "expected 'kl' or 'top1'");
  const d = c.object(o.defaultRule, `${field}.defaultRule`);
  if (typeof d.fits !== 'boolean') c.fail(`${field}.defaultRule.fits`, 'expected a boolean');
  const candidates = c.array(o.candidates, `${field}.candidates`);
  if (candidates.length > 2 * PREDICTORS.length) c.fail(`${field}.candidates`, `more than ${2 * PREDICTORS.length} candidates`);
  return {
    budget: { kind, text: boundedName(c, b.text, `${field}.budget.text`), limit: c.finite(b.limit, `${field}.budget.limit`) },
    objective,
    proposal: checkPlan(c, o.proposal, `${field}.proposal`, names, n),
    candidates: candidates.map((x, i) => checkPlan(c, x, `${field}.candidates[${i}]`, names, n)),
    defaultRule: { ...checkPlan(c, o.defaultRule, `${field}.defaultRule`, names, n), fits: d.fits as boolean },
    atDefaultCost: checkPlan(c, o.atDefaultCost, `${field}.atDefaultCost`, names, n),
    ms: c.nonNegative(o.ms, `${field}.ms`),
    date: c.string(o.date, `${field}.date`),
  };
}

/** Parses and checks a sensitivity file's text (hostile: sizes bounded before parsing, every field checked). */
export function parseSensitivity(text: string, file: string): SensitivityResult {
  const c = new Checker(file);
  if (text.length > MAX_SENSITIVITY_BYTES) c.fail('(file)', `larger than ${MAX_SENSITIVITY_BYTES} bytes`);
  const violation = jsonLimitViolation(text, { maxDepth: 12, maxValues: 2_000_000 });
  if (violation) c.fail('(file)', violation);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new TnnFormatError(file, '(file)', `not JSON: ${(e as Error).message}`);
  }
  const o = c.object(raw, '(root)');
  if (o.format !== SENSITIVITY_FORMAT) c.fail('format', `expected "${SENSITIVITY_FORMAT}"`);
  if (o.version !== SENSITIVITY_VERSION) c.fail('version', `expected ${SENSITIVITY_VERSION}, found ${JSON.stringify(o.version)?.slice(0, 20)} (written by another Tritscope version: run the analysis again)`);
  const m = c.object(o.model, 'model');
  const sha256 = c.string(m.sha256, 'model.sha256');
  if (!/^[0-9a-f]{64}$/.test(sha256)) c.fail('model.sha256', 'expected 64 hex digits');
  const source = m.source as SensitivityResult['model']['source'];
  if (source !== 'float' && source !== 'tnn-latent') c.fail('model.source', "expected 'float' or 'tnn-latent'");
  const d = c.object(o.data, 'data');
  const n = c.nonNegInt(d.n, 'data.n');
  if (n < 1) c.fail('data.n', 'expected at least one sample');
  const engine = o.engine as SweepEngine;
  if (engine !== 'mixed' && engine !== 'packed' && engine !== 'reference') c.fail('engine', "expected 'mixed', 'packed' or 'reference'");
  const klFrom = o.klFrom as SensitivityResult['klFrom'];
  if (klFrom !== 'logits' && klFrom !== 'outputs') c.fail('klFrom', "expected 'logits' or 'outputs'");
  const layersRaw = c.array(o.layers, 'layers');
  if (layersRaw.length > MAX_LAYERS) c.fail('layers', `more than ${MAX_LAYERS} layers`);
  const layers = layersRaw.map((v, i): LayerSensitivity => {
    const f = `layers[${i}]`;
    const l = c.object(v, f);
    return {
      name: boundedName(c, l.name, `${f}.name`),
      op: boundedName(c, l.op, `${f}.op`),
      index: c.nonNegInt(l.index, `${f}.index`),
      weights: c.nonNegInt(l.weights, `${f}.weights`),
      onlyThis: checkScore(c, l.onlyThis, `${f}.onlyThis`, n, true),
      allButThis: checkScore(c, l.allButThis, `${f}.allButThis`, n, true),
      bits: checkPair(c, l.bits, `${f}.bits`),
      energyPj: checkPair(c, l.energyPj, `${f}.energyPj`),
      params: checkPair(c, l.params, `${f}.params`),
    };
  });
  const names = new Set(layers.map((l) => l.name));
  if (names.size !== layers.length) c.fail('layers', 'layer names repeat');
  const t = c.object(o.totals, 'totals');
  const p = c.object(t.profile, 'totals.profile');
  const tm = c.object(o.timings, 'timings');
  const methodOptions: Record<string, number | boolean> = {};
  for (const [k, v] of Object.entries(c.object(o.methodOptions, 'methodOptions')).slice(0, 64)) {
    if (typeof v !== 'boolean') c.finite(v, `methodOptions.${k.slice(0, 40)}`);
    methodOptions[k] = v as number | boolean;
  }
  const proposalsRaw = o.proposals === undefined ? [] : c.array(o.proposals, 'proposals');
  if (proposalsRaw.length > MAX_PROPOSALS) c.fail('proposals', `more than ${MAX_PROPOSALS} proposals`);
  const preprocess = d.preprocess === null ? null : c.string(d.preprocess, 'data.preprocess');
  return {
    format: SENSITIVITY_FORMAT,
    version: SENSITIVITY_VERSION,
    model: { file: boundedName(c, m.file, 'model.file'), sha256, graph: c.string(m.graph, 'model.graph'), source },
    method: boundedName(c, o.method, 'method'),
    methodOptions,
    seed: c.nonNegInt(o.seed, 'seed'),
    data: { spec: boundedName(c, d.spec, 'data.spec'), preprocess, name: c.string(d.name, 'data.name'), n },
    engine,
    klFrom,
    float: (({ top1, top1Count }) => ({ top1, top1Count }))(checkScore(c, o.float, 'float', n, false)),
    allTernary: checkScore(c, o.allTernary, 'allTernary', n, true),
    layers,
    totals: {
      params: c.nonNegInt(t.params, 'totals.params'),
      otherParams: c.nonNegative(t.otherParams, 'totals.otherParams'),
      weights: c.nonNegInt(t.weights, 'totals.weights'),
      otherBits: c.nonNegative(t.otherBits, 'totals.otherBits'),
      otherEnergyPj: c.nonNegative(t.otherEnergyPj, 'totals.otherEnergyPj'),
      profile: { id: c.string(p.id, 'totals.profile.id'), name: c.string(p.name, 'totals.profile.name') },
    },
    timings: {
      loadMs: c.nonNegative(tm.loadMs, 'timings.loadMs'),
      quantizeMs: c.nonNegative(tm.quantizeMs, 'timings.quantizeMs'),
      sweepMs: c.nonNegative(tm.sweepMs, 'timings.sweepMs'),
      totalMs: c.nonNegative(tm.totalMs, 'timings.totalMs'),
      batch: c.nonNegInt(tm.batch, 'timings.batch'),
      layerRuns: c.nonNegInt(tm.layerRuns, 'timings.layerRuns'),
    },
    toolVersion: c.string(o.toolVersion, 'toolVersion'),
    date: c.string(o.date, 'date'),
    ...(proposalsRaw.length ? { proposals: proposalsRaw.map((v, i) => checkProposal(c, v, `proposals[${i}]`, names, n)) } : {}),
  };
}

