/** TF.js Layers `model.json` (+ weight shards) → FloatModel in the IR's NCHW layout. */
import { createHash } from 'node:crypto';
import { ImportError } from '../../errors';
import type { FloatModel } from '../../graph/types';
import { checkInputShape } from '../../ops/index';
import { TfContext, TFJS_CONVERTERS } from './layers';
import { loadWeights, parseTopology, readModelJson, type Config, type TfLayer } from './model-json';

export const SUPPORTED_TFJS_LAYERS: readonly string[] = [...Object.keys(TFJS_CONVERTERS), 'InputLayer'].sort();

/** Keras batch shape [null, H, W, C] → IR per-sample [C, H, W]; [null, F] → [F]. */
function irInputShape(file: string, l: TfLayer, batchShape: unknown): number[] {
  if (!Array.isArray(batchShape)) throw new ImportError(`${file}: layer '${l.name}' (${l.className}): no batch_input_shape; cannot infer the model input shape`);
  const dims = batchShape.slice(1).map(Number);
  if (dims.some((d) => !(d > 0))) throw new ImportError(`${file}: layer '${l.name}': input shape [${batchShape.map(String)}] has unknown dimensions (shapes do not infer)`);
  if (dims.some((d) => !Number.isSafeInteger(d))) throw new ImportError(`${file}: layer '${l.name}': input shape [${batchShape.map(String)}] has a dimension that is not an integer`);
  if (dims.length === 3) return [dims[2], dims[0], dims[1]];
  if (dims.length === 1) return dims;
  throw new ImportError(`${file}: layer '${l.name}': input rank ${dims.length} is not supported (expected [H, W, C] images or [F] features)`);
}

const batchShapeOf = (c: Config): unknown => c.batch_input_shape ?? c.batch_shape ?? c.batchInputShape;

export async function importTfjsFile(file: string): Promise<FloatModel> {
  const { bytes, json } = readModelJson(file);
  const topo = parseTopology(json, file);
  const ctx = new TfContext(file, await loadWeights(json, file));
  const outputOf = new Map<string, string>();
  let inputName: string | undefined;
  let inputShape: number[] = [];
  let previous: string | undefined;

  const declareInput = (l: TfLayer, name: string): void => {
    if (inputName !== undefined) throw new ImportError(`${file}: layer '${l.name}': a second model input; only models with exactly one input are supported`);
    inputShape = irInputShape(file, l, batchShapeOf(l.config));
    try {
      checkInputShape(name, inputShape);
    } catch (e) {
      throw new ImportError(`${file}: layer '${l.name}': ${(e as Error).message}`);
    }
    inputName = name;
    ctx.shapes.set(name, [1, ...inputShape]);
  };

  for (const l of topo.layers) {
    if (l.className === 'InputLayer') {
      declareInput(l, l.name);
      outputOf.set(l.name, l.name);
      previous = l.name;
      continue;
    }
    if (topo.kind === 'Sequential' && previous === undefined) {
      declareInput(l, 'input');
      previous = 'input';
    }
    const convert = TFJS_CONVERTERS[l.className];
    if (!convert) {
      throw new ImportError(`${file}: layer '${l.name}': unsupported layer class_name '${l.className}'; supported layers: ${SUPPORTED_TFJS_LAYERS.join(', ')}`);
    }
    const inputs = topo.kind === 'Sequential' ? [previous as string] : l.inbound.map((n) => {
      const v = outputOf.get(n);
      if (!v) throw new ImportError(`${file}: layer '${l.name}': inbound layer '${n}' is not defined before it`);
      return v;
    });
    if (inputs.length === 0) throw new ImportError(`${file}: layer '${l.name}' (${l.className}) has no inbound nodes`);
    const out = convert(ctx, l, inputs);
    outputOf.set(l.name, out);
    previous = out;
  }
  if (inputName === undefined || previous === undefined) throw new ImportError(`${file}: the model has no layers`);
  const outputs = topo.kind === 'Sequential' ? [previous] : topo.outputLayers.map((n) => {
    const v = outputOf.get(n);
    if (!v) throw new ImportError(`${file}: output layer '${n}' is not defined`);
    return v;
  });
  if (topo.kind === 'Model' && topo.inputLayers.length > 1) throw new ImportError(`${file}: the model has ${topo.inputLayers.length} inputs; only models with exactly one input are supported`);
  return {
    graph: { name: topo.name, inputs: [{ name: inputName, shape: inputShape }], outputs, layers: ctx.layers },
    tensors: ctx.tensors,
    source: { file, sha256: createHash('sha256').update(bytes).digest('hex'), format: 'tfjs-layers' },
  };
}
