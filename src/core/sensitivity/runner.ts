/**
 * Runs one keep-float configuration of the analysed model on a batch, on one of
 * three engines (docs/sensitivity.md, "Engines"):
 *  - mixed (default): the packed engine's float and ternary pieces compiled once
 *    (engine/mixed.ts), a configuration picks per layer, and a run may resume from
 *    the values of a run that shares its prefix;
 *  - packed: the packed engine compiled for each configuration, what
 *    `tritscope eval --engine packed` runs on the quantized file (bit-identical to mixed);
 *  - reference: the reference executor on each assembled model, what `tritscope eval` runs.
 */
import { loadMixedEngine, type MixedEngine } from '../engine/mixed';
import { loadPackedEngine, type PackedEngine } from '../engine/index';
import { ExecutionError } from '../errors';
import { runFloatLayer, runReference } from '../exec/reference';
import type { TnnModel } from '../graph/types';
import { layerOutputShape, probabilityHead } from '../ops/index';
import type { Tensor } from '../tensor';
import type { SweepPieces } from './pieces';
import type { SweepEngine } from './schema';

export interface ConfigRun {
  /** The graph output (what top-1 ranks). */
  output: Tensor;
  /** What KL is computed from: the softmax head's input, or the output. */
  logits: Tensor;
  /** Every value of the run (mixed engine only), for runs that resume from it. */
  values?: Map<string, Tensor>;
}

export interface Resume {
  from: number;
  values: ReadonlyMap<string, Tensor>;
}

export interface ConfigRunner {
  readonly kind: SweepEngine;
  readonly klFrom: 'logits' | 'outputs';
  /** Runs `x` with exactly the candidate layers named in `ternary` ternarized. */
  run(x: Tensor, ternary: ReadonlySet<string>, resume?: Resume): Promise<ConfigRun>;
}

const keyOf = (s: ReadonlySet<string>) => [...s].sort().join('\u0000');

export async function createRunner(p: SweepPieces, kind: SweepEngine): Promise<ConfigRunner> {
  const graph = p.float.graph;
  // A softmax head whose output nobody else reads: KL comes from its input.
  const found = probabilityHead(graph);
  const head = found && !graph.layers.some((l) => found.outputs.some((o) => l.inputs.includes(o))) ? found : undefined;
  const logitsName = head?.inputs[0] ?? graph.outputs[0];
  const klFrom = head ? 'logits' : 'outputs';
  const pick = (values: ReadonlyMap<string, Tensor>): ConfigRun => {
    const output = values.get(graph.outputs[0]);
    const logits = values.get(logitsName);
    if (!output || !logits) throw new ExecutionError(`graph '${graph.name}': output '${graph.outputs[0]}' was not produced`);
    return { output, logits };
  };

  if (kind === 'mixed') {
    const all = new Set(p.candidates.map((l) => l.name));
    const engine: MixedEngine = await loadMixedEngine(p.assemble(new Set()), p.assemble(all));
    const ternaryIndex = (s: ReadonlySet<string>) => {
      const idx = new Set<number>();
      for (const name of s) idx.add(p.indexOf.get(name)!);
      return idx;
    };
    return {
      kind, klFrom,
      async run(x, ternary, resume) {
        const idx = ternaryIndex(ternary);
        const values = engine.run(x, (i) => idx.has(i), resume ? { from: resume.from, values: resume.values } : {});
        return { ...pick(values), values };
      },
    };
  }

  // One compiled engine / assembled model at a time: the sweep runs configuration by configuration for these.
  // The packed engine returns only the graph output, so it runs the graph without its softmax head and the
  // head runs here on the logits through the op's reference kernel, which is what the engine runs for it.
  const headless = (m: TnnModel): TnnModel =>
    head ? { ...m, graph: { ...m.graph, layers: m.graph.layers.filter((l) => l !== head), outputs: [logitsName] } } : m;
  let cached: { key: string; model: TnnModel; packed?: PackedEngine } | undefined;
  const modelFor = async (ternary: ReadonlySet<string>) => {
    const key = keyOf(ternary);
    if (cached?.key !== key) {
      const model = p.assemble(ternary);
      cached = { key, model, packed: kind === 'packed' ? await loadPackedEngine(headless(model)) : undefined };
    }
    return cached;
  };
  return {
    kind, klFrom,
    async run(x, ternary) {
      const c = await modelFor(ternary);
      if (c.packed) {
        const logits = c.packed.run(x);
        if (!head) return { output: logits, logits };
        const output = runFloatLayer(head, [logits], layerOutputShape(head, [logits.shape], () => undefined), () => undefined);
        return { output, logits };
      }
      const values = new Map<string, Tensor>();
      const output = runReference(c.model, x, (layer, y) => { for (const o of layer.outputs) values.set(o, y); });
      return { output, logits: head ? values.get(logitsName)! : output };
    },
  };
}
