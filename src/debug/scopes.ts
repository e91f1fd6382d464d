/**
 * The Variables view's scopes at a position: Input, Output, Sub-step, Weights,
 * Quantizer, Float reference (with compareFloat) for the current layer; Result
 * at the end of the run; Model for the model frame.
 */
import { displayModelName } from '../core/graph/display-name';
import type { InferenceRuntime } from './runtime';
import type { RecordValue } from './variables';

export type ScopeId = 'input' | 'output' | 'substep' | 'weights' | 'quantizer' | 'float' | 'result' | 'model';

export function scopesFor(rt: InferenceRuntime, modelFrame: boolean): { id: ScopeId; name: string; expensive: boolean }[] {
  if (modelFrame) return [{ id: 'model', name: 'Model', expensive: false }, ...(rt.finalResult ? [{ id: 'result' as const, name: 'Result', expensive: false }] : [])];
  if (rt.atResult) return [{ id: 'result', name: 'Result', expensive: false }, { id: 'output', name: 'Output', expensive: false }];
  const out: { id: ScopeId; name: string; expensive: boolean }[] = [];
  if (rt.position.sub >= 0) out.push({ id: 'substep', name: 'Sub-step', expensive: false });
  out.push(
    // Output first: VS Code expands the first scope, and the layer's result is what one steps to see.
    { id: 'output', name: 'Output', expensive: false },
    { id: 'input', name: 'Input', expensive: false },
    { id: 'weights', name: 'Weights', expensive: false },
    { id: 'quantizer', name: 'Quantizer', expensive: false },
  );
  if (rt.launch?.compareFloat) out.push({ id: 'float', name: 'Float reference', expensive: false });
  return out;
}

type Entries = [string, RecordValue][];

function record(obj: object | undefined): RecordValue {
  if (!obj) return null;
  return { entries: Object.entries(obj).filter(([, v]) => v !== undefined).map(([k, v]): [string, RecordValue] => [k, (typeof v === 'object' && v !== null && !Array.isArray(v) ? record(v) : v) as RecordValue]) };
}

/** The variables of one scope at the runtime's current position. */
export async function buildScopeChildren(rt: InferenceRuntime, id: ScopeId): Promise<Entries> {
  const layers = rt.info?.graph.layers ?? [];
  if (id === 'model') {
    const entries: Entries = [
      ['name', displayModelName(rt.info?.graph.name, rt.launch?.model ?? '')],
      ['file', rt.launch?.model ?? ''],
      ['input', rt.launch?.input ?? ''],
      ['layers', layers.length],
      ['position', rt.atResult ? 'result' : `${rt.position.layer}: ${layers[rt.position.layer]?.name}${rt.position.sub >= 0 ? ` (sub-step ${rt.position.sub})` : ''}`],
    ];
    if (rt.info?.graph.labels) entries.push(['labels', { entries: rt.info.graph.labels.map((l, i): [string, RecordValue] => [String(i), l]) }]);
    return entries;
  }
  if (id === 'result') {
    const f = await rt.final();
    const entries: Entries = [
      ['prediction', `${f.predictedLabel} (class ${f.predicted})`],
      ['probability', f.probabilities[f.predicted]],
      ['probabilities', { entries: f.probabilities.map((p, i): [string, RecordValue] => [f.labels[i] ?? `class ${i}`, p]) }],
    ];
    if (f.floatPredicted !== undefined) entries.push(['float prediction', `${f.floatPredictedLabel} (class ${f.floatPredicted})`], ['agree', Boolean(f.agree)]);
    if (f.topKAgreement !== undefined) entries.push(['top-k agreement', f.topKAgreement]);
    return entries;
  }
  const index = rt.atResult ? layers.length - 1 : rt.position.layer;
  if (index < 0) return [];
  const s = await rt.summary(index);
  switch (id) {
    case 'input': return s.inputs.map((t) => [t.name, t]);
    case 'output': return [[s.output.name, s.output], ['time (ms)', s.timeMs]];
    case 'substep': {
      const sub = s.subSteps[rt.position.sub];
      return sub ? [[sub.label, sub.output], ['kind', sub.kind], ['ternary', sub.ternary]] : [];
    }
    case 'weights': return s.weights.map((t) => [t.name, t]);
    case 'quantizer': {
      const entries: Entries = [];
      if (s.quant.weight) entries.push(['weights', record({ ...s.quant.weight, options: undefined })]);
      if (s.quant.activation) entries.push(['activations', record(s.quant.activation)]);
      if (s.quant.stats) entries.push(['stats', record(s.quant.stats)]);
      entries.push(['sparsity', s.sparsity]);
      return entries;
    }
    case 'float': {
      if (!s.float) return [['float reference', 'not computed for this layer']];
      return [
        [s.float.output.name, s.float.output],
        ['relative L2', s.float.relL2],
        ['cosine', s.float.cosine],
        ['top-k agreement', s.float.topKAgreement],
      ];
    }
  }
}
