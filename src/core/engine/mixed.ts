/**
 * Mixed precision on the packed engine without recompiling: the same graph is
 * compiled twice, once with every weight layer float and once with every weight
 * layer ternary, and a run picks, layer by layer, which compiled piece executes.
 * A configuration ("only conv3 ternary", "all but conv3") then costs no
 * quantization and no repacking, which is what a per-layer sweep of 2L + 2
 * configurations needs. Results are bit-identical to `loadPackedEngine` on the
 * assembled model (test/unit/sensitivity/mixed.test.ts): each layer runs the
 * kernel, weights and fused epilogue that compiling that model would give it.
 *
 * A run can also resume at layer `from` from the values of an earlier run
 * whose layers before `from` were configured the same (prefix reuse: "only
 * layer i ternary" shares everything before i with the float run).
 */
import { ExecutionError } from '../errors';
import type { TnnModel } from '../graph/types';
import type { Tensor } from '../tensor';
import { compileModel, runLayer, type CompiledModel } from './compile';
import { checkInput } from './index';
import { createKernels } from './kernels';

export interface MixedRunOptions {
  /** First layer index to run; every value produced before it must be in `values`. */
  from?: number;
  /** Values of a run whose layers before `from` had the same configuration (not modified: copied). */
  values?: ReadonlyMap<string, Tensor>;
}

export interface MixedEngine {
  readonly layerCount: number;
  /**
   * Runs the graph with layer i's weights ternary when `ternary(i)` (layers without a ternary
   * piece always run float). Returns every value the run produced or was given, by name.
   */
  run(input: Tensor, ternary: (layerIndex: number) => boolean, opts?: MixedRunOptions): Map<string, Tensor>;
  /** Bytes of both compiled models' WebAssembly memories. */
  memoryBytes(): number;
}

function fusionPlan(c: CompiledModel): string {
  return c.layers.map((l) => l.fused?.absorbs ?? 0).join(',');
}

/**
 * `float` and `ternary` must share one graph (same layers, values and order); they
 * differ only in which weight layers carry `weightQuant`. W-only: a layer with
 * ternarized activations would make the float pieces exact-f64 in one model and not
 * the other, so both must have none.
 */
export async function loadMixedEngine(float: TnnModel, ternary: TnnModel, opts: { simd?: boolean } = {}): Promise<MixedEngine> {
  const fl = float.graph.layers, tl = ternary.graph.layers;
  if (fl.length !== tl.length || fl.some((l, i) => l.name !== tl[i].name || l.op !== tl[i].op || l.outputs.join() !== tl[i].outputs.join() || l.inputs.join() !== tl[i].inputs.join()))
    throw new ExecutionError(`mixed engine: the float and ternary models of '${float.graph.name}' do not have the same layers`);
  if ([...fl, ...tl].some((l) => l.actQuant)) throw new ExecutionError(`mixed engine: '${float.graph.name}' ternarizes activations; mixing is for weight-only models`);
  const f = compileModel(float, createKernels(opts.simd));
  const t = compileModel(ternary, createKernels(opts.simd));
  // Fusion depends on the graph, not on weight precision; a difference would mean the pieces do not line up.
  if (fusionPlan(f) !== fusionPlan(t)) throw new ExecutionError(`mixed engine: '${float.graph.name}' fuses differently when ternary`);
  const hasTernary = t.layers.map((c) => Boolean(c.matmul?.ternary));
  const graph = float.graph;
  return {
    layerCount: f.layers.length,
    memoryBytes: () => (f.layers[0]?.kernels.heap.memory.buffer.byteLength ?? 0) + (t.layers[0]?.kernels.heap.memory.buffer.byteLength ?? 0),
    run(input, ternaryAt, o = {}) {
      checkInput(float, input);
      const from = o.from ?? 0;
      if (!Number.isInteger(from) || from < 0 || from > f.layers.length) throw new ExecutionError(`mixed engine: start layer ${from} is outside 0..${f.layers.length}`);
      const values = new Map<string, Tensor>(o.values ?? []);
      values.set(graph.inputs[0].name, input);
      const get = (name: string, layer: string): Tensor => {
        const v = values.get(name);
        if (!v) throw new ExecutionError(`layer '${layer}': input value '${name}' is not produced by the graph input or an earlier layer`);
        return v;
      };
      // The loop of runCompiled (engine/index.ts), with the compiled piece chosen per layer.
      for (let i = from; i < f.layers.length; i++) {
        const c = hasTernary[i] && ternaryAt(i) ? t.layers[i] : f.layers[i];
        const xs = c.layer.inputs.map((n) => get(n, c.layer.name));
        let y: Tensor;
        let last = c.layer;
        if (c.fused) {
          const epi = c.fused.epilogue;
          y = runLayer(c, xs, undefined, epi.residualOf === undefined ? epi : { ...epi, residual: get(epi.residualOf, c.layer.name) });
          i += c.fused.absorbs;
          last = f.layers[i].layer;
        } else y = runLayer(c, xs);
        for (const out of last.outputs) values.set(out, y);
      }
      return values;
    },
  };
}
