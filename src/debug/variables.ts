/**
 * Turns layer summaries into DAP variables. A tensor shows its statistics as
 * named children and its values as indexed children in groups of at most 100
 * (`[0..99]`, and groups of groups for big tensors), so no request ever
 * returns more than ~100 children, whatever the tensor's size.
 */
import { Handles } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { formatValue, type Value } from './expr';
import type { TensorRef, TensorSummary } from '../shared/engineProtocol';

export const GROUP = 100;

export type VarNode =
  | { kind: 'tensor'; t: TensorSummary }
  | { kind: 'range'; t: TensorSummary; start: number; end: number }
  | { kind: 'record'; entries: [string, RecordValue][] }
  | { kind: 'scope'; id: string };

export type RecordValue = Value | number[] | TensorSummary | { entries: [string, RecordValue][] } | null;

export type SliceFetcher = (ref: TensorRef, start: number, count: number) => Promise<number[]>;

/** Size of one child of a range [start, end) so that it has ≤ GROUP children: 1 (values) or a power of GROUP. */
export function childSpan(length: number): number {
  let span = 1;
  while (length / span > GROUP) span *= GROUP;
  return span;
}

function fmt(n: number): string {
  return formatValue(n);
}

export function tensorValueText(t: TensorSummary): string {
  const trits = t.trits ? ` trits −1:${t.trits.neg} 0:${t.trits.zero} +1:${t.trits.pos}` : '';
  return `[${t.shape.join('×')}] ${t.dtype} min=${fmt(t.min)} max=${fmt(t.max)} mean=${fmt(t.mean)} std=${fmt(t.std)}${trits}`;
}

/** Multi-index name of a flat index in a row-major tensor, e.g. `[0,3,12,5]`. */
export function indexName(shape: readonly number[], flat: number): string {
  if (shape.length <= 1) return `[${flat}]`;
  const idx: number[] = new Array(shape.length);
  let r = flat;
  for (let d = shape.length - 1; d >= 0; d--) { idx[d] = r % shape[d]; r = Math.floor(r / shape[d]); }
  return `[${idx.join(',')}]`;
}

export class VariableStore {
  private handles = new Handles<VarNode>();

  reset(): void {
    this.handles.reset();
  }

  ref(node: VarNode): number {
    return this.handles.create(node);
  }

  get(ref: number): VarNode | undefined {
    return this.handles.get(ref);
  }

  tensorVariable(name: string, t: TensorSummary): DebugProtocol.Variable {
    const span = childSpan(t.count);
    return {
      name,
      value: tensorValueText(t),
      type: 'tensor',
      variablesReference: this.ref({ kind: 'tensor', t }),
      namedVariables: t.trits ? 10 : 7,
      indexedVariables: Math.ceil(t.count / span),
    };
  }

  /** Children of a node; `filter`/`start`/`count` follow the DAP variables request. */
  async children(node: VarNode, fetch: SliceFetcher, args: DebugProtocol.VariablesArguments): Promise<DebugProtocol.Variable[]> {
    switch (node.kind) {
      case 'scope': return [];
      case 'record': return node.entries.map(([k, v]) => this.recordVariable(k, v));
      case 'tensor': {
        const named = args.filter === 'indexed' ? [] : this.statsVariables(node.t);
        const indexed = args.filter === 'named' ? [] : await this.indexed(node.t, 0, node.t.count, fetch, args);
        return [...named, ...indexed];
      }
      case 'range': return this.indexed(node.t, node.start, node.end, fetch, args);
    }
  }

  private statsVariables(t: TensorSummary): DebugProtocol.Variable[] {
    const leaf = (name: string, value: string): DebugProtocol.Variable => ({ name, value, variablesReference: 0 });
    const out = [
      leaf('shape', `[${t.shape.join(',')}]`), leaf('dtype', t.dtype), leaf('min', fmt(t.min)), leaf('max', fmt(t.max)),
      leaf('mean', fmt(t.mean)), leaf('std', fmt(t.std)), leaf('zeros', `${t.zeros} of ${t.count}`),
    ];
    if (t.trits) out.push(leaf('trits −1', String(t.trits.neg)), leaf('trits 0', String(t.trits.zero)), leaf('trits +1', String(t.trits.pos)));
    return out;
  }

  /** Indexed children of [start, end): values when ≤ 100 of them, else groups; paged by args.start/count. */
  private async indexed(t: TensorSummary, start: number, end: number, fetch: SliceFetcher, args: DebugProtocol.VariablesArguments): Promise<DebugProtocol.Variable[]> {
    const span = childSpan(end - start);
    const total = Math.ceil((end - start) / span);
    const first = Math.min(total, Math.max(0, args.start ?? 0));
    const last = Math.min(total, first + Math.min(GROUP, args.count && args.count > 0 ? args.count : total));
    if (span === 1) {
      const values = await fetch(t.ref, start + first, last - first);
      return values.map((v, i) => ({ name: indexName(t.shape, start + first + i), value: fmt(v), variablesReference: 0 }));
    }
    const out: DebugProtocol.Variable[] = [];
    for (let c = first; c < last; c++) {
      const s = start + c * span, e = Math.min(end, s + span);
      out.push({
        name: `[${s}..${e - 1}]`, value: '', variablesReference: this.ref({ kind: 'range', t, start: s, end: e }),
        indexedVariables: Math.ceil((e - s) / childSpan(e - s)),
      });
    }
    return out;
  }

  recordVariable(name: string, v: RecordValue): DebugProtocol.Variable {
    if (v === null || v === undefined) return { name, value: '—', variablesReference: 0 };
    if (Array.isArray(v)) return { name, value: `[${v.map(fmt).join(', ')}]`, variablesReference: 0 };
    if (typeof v === 'object' && 'ref' in v && 'shape' in v) return this.tensorVariable(name, v as TensorSummary);
    if (typeof v === 'object' && 'entries' in v && Array.isArray(v.entries)) {
      const entries = v.entries as [string, RecordValue][];
      return { name, value: `{${entries.length} fields}`, variablesReference: this.ref({ kind: 'record', entries }), namedVariables: entries.length };
    }
    if (typeof v === 'object' && typeof v !== 'function') {
      const entries = Object.entries(v as Record<string, Value>) as [string, RecordValue][];
      return { name, value: formatValue(v as Value), variablesReference: this.ref({ kind: 'record', entries }), namedVariables: entries.length };
    }
    return { name, value: typeof v === 'string' ? v : formatValue(v as Value), variablesReference: 0 };
  }
}
