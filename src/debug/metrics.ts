/**
 * The names a breakpoint condition or a debug-console expression can read at a
 * layer: `divergence`, `cosine`, `topk`, `sparsity`, `time`, `index`, `name`,
 * `op`, `output.{min,max,mean,std,sparsity,size}`, `input.{…}`, and
 * `layer("name")` giving the same record for another layer.
 */
import { ExpressionError, evaluateAst, freeIdentifiers, parseExpression, type Node, type Value, type ValueRecord } from './expr';
import type { LayerStepSummary, TensorSummary } from '../shared/engineProtocol';

function tensorRecord(t: TensorSummary | undefined): ValueRecord {
  if (!t) return { min: NaN, max: NaN, mean: NaN, std: NaN, sparsity: NaN, size: 0 };
  const rec: Record<string, Value> = {
    min: t.min, max: t.max, mean: t.mean, std: t.std, sparsity: t.count ? t.zeros / t.count : 0, size: t.count,
  };
  if (t.trits) { rec.neg = t.trits.neg; rec.zero = t.trits.zero; rec.pos = t.trits.pos; }
  return rec;
}

/** The metrics of one layer as an expression record. `divergence`/`cosine`/`topk` are NaN without compareFloat. */
export function layerRecord(s: LayerStepSummary): ValueRecord {
  return {
    index: s.index,
    name: s.name,
    op: s.op,
    time: s.timeMs,
    divergence: s.float ? s.float.relL2 : NaN,
    cosine: s.float ? s.float.cosine : NaN,
    topk: s.float ? s.float.topKAgreement : NaN,
    sparsity: s.sparsity,
    output: tensorRecord(s.output),
    input: tensorRecord(s.inputs[0]),
    float: tensorRecord(s.float?.output),
  };
}

/** Identifiers an expression may use at top level. */
export const KNOWN_IDENTIFIERS = [...Object.keys(layerRecord({
  index: 0, name: '', op: '', inputs: [], subSteps: [], weights: [], quant: {}, sparsity: 0, timeMs: 0,
  output: undefined as unknown as TensorSummary,
})), 'layer'];

const FLOAT_ONLY = new Set(['divergence', 'cosine', 'topk', 'float']);

/** Checks a breakpoint condition before any layer runs: syntax, known names, float-only names. Returns an error message or undefined. */
export function validateCondition(src: string, compareFloat: boolean): string | undefined {
  try {
    const ids = freeIdentifiers(parseExpression(src));
    const unknown = ids.filter((id) => !KNOWN_IDENTIFIERS.includes(id));
    if (unknown.length) return `unknown identifier '${unknown[0]}' in '${src}' (known: ${KNOWN_IDENTIFIERS.join(', ')})`;
    const needsFloat = ids.filter((id) => FLOAT_ONLY.has(id));
    if (needsFloat.length && !compareFloat) return `'${needsFloat[0]}' needs the float reference: launch with "compareFloat": true`;
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Names of layers an expression reads through `layer("…")` with a literal name (fetched before evaluation). */
export function referencedLayers(ast: Node): string[] {
  const out: string[] = [];
  const walk = (n: Node): void => {
    switch (n.type) {
      case 'call':
        if (n.callee.type === 'ident' && n.callee.name === 'layer' && n.args[0]?.type === 'str') out.push(n.args[0].value);
        walk(n.callee); n.args.forEach(walk); break;
      case 'member': walk(n.object); break;
      case 'unary': walk(n.arg); break;
      case 'binary': walk(n.left); walk(n.right); break;
      default: break;
    }
  };
  walk(ast);
  return out;
}

/**
 * Evaluates an expression at a layer. `fetch` supplies the summaries of layers
 * named through `layer("…")` (asynchronously, from the worker) before the
 * synchronous evaluator runs.
 */
export async function evaluateAtLayer(
  src: string,
  current: LayerStepSummary | undefined,
  fetch: (layerName: string) => Promise<LayerStepSummary | undefined>,
): Promise<Value> {
  const ast = parseExpression(src);
  const others = new Map<string, ValueRecord>();
  for (const name of referencedLayers(ast)) {
    const s = await fetch(name);
    if (s) others.set(name, layerRecord(s));
  }
  const layer = (...args: Value[]): Value => {
    const name = args[0];
    if (typeof name !== 'string') throw new ExpressionError(src, 'layer() takes a layer name in quotes, e.g. layer("conv2")');
    const rec = others.get(name);
    if (!rec) throw new ExpressionError(src, `unknown layer '${name}'`);
    return rec;
  };
  const env: ValueRecord = current ? { ...layerRecord(current), layer } : { layer };
  return evaluateAst(ast, env, src);
}
