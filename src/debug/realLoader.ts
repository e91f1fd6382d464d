/** The EngineLoader over the real core modules: the model-format registry, input specs and the packed engine. */
import { TritscopeError } from '../core/errors';
import { unpackTrits } from '../core/format/index';
import { loadRunnableModel } from '../core/model-formats/index';
import { parseInputSpec } from '../core/data/index';
import { loadPackedEngine, type PackedEngine } from '../core/engine/index';
import type { TnnModel } from '../core/graph/types';
import type { EngineLoader } from './stepperHost';

export function realEngineLoader(): EngineLoader {
  // One compiled engine per loaded model: a restart with a new input reuses it.
  const engines = new WeakMap<TnnModel, PackedEngine>();
  return {
    async readModel(path) {
      const loaded = await loadRunnableModel(path);
      // The debugger steps the packed ternary engine, which runs .tnn models only.
      if (loaded.kind !== 'tnn') throw new TritscopeError(`${path}: the debugger steps .tnn models, not ${loaded.format.label} (quantize it first: Tritscope: Quantize to ternary)`);
      return loaded.model;
    },
    readInput: (spec, sampleShape) => parseInputSpec(spec, sampleShape),
    async createStepper(model, input, opts) {
      let engine = engines.get(model);
      if (!engine) {
        engine = await loadPackedEngine(model);
        engines.set(model, engine);
      }
      return engine.steps(input, opts);
    },
    unpackTrits,
  };
}
