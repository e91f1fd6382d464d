/** The EngineLoader over the real core modules: `.tnn` reader, input specs and the packed engine. */
import { readTnnFile, unpackTrits } from '../core/format/index';
import { parseInputSpec } from '../core/data/index';
import { loadPackedEngine, type PackedEngine } from '../core/engine/index';
import type { TnnModel } from '../core/graph/types';
import type { EngineLoader } from './stepperHost';

export function realEngineLoader(): EngineLoader {
  // One compiled engine per loaded model: a restart with a new input reuses it.
  const engines = new WeakMap<TnnModel, PackedEngine>();
  return {
    readModel: (path) => readTnnFile(path),
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
