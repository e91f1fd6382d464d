/** Reads a TF.js Layers `model.json`: topology, layer list with inbound edges, and float32 weights from the shards. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ImportError } from '../../errors';
import type { Tensor } from '../../tensor';

export type Config = Record<string, unknown>;

export interface TfLayer {
  className: string;
  name: string;
  config: Config;
  /** Names of the layers whose outputs feed this one (first call only). */
  inbound: string[];
}

export interface TfTopology {
  kind: 'Sequential' | 'Model';
  name: string;
  layers: TfLayer[];
  inputLayers: string[];
  outputLayers: string[];
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype?: string;
  quantization?: unknown;
}
interface ManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

const isObj = (v: unknown): v is Config => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Inbound layer names: Keras 2 `[[[name, node, tensor, kwargs], ...]]` or Keras 3 `[{args: [{config: {keras_history}}]}]`. */
function inboundNames(raw: unknown): string[] {
  if (!Array.isArray(raw) || raw.length === 0) return [];
  const first = raw[0];
  if (Array.isArray(first)) return first.map((e) => (Array.isArray(e) ? String(e[0]) : String(e)));
  if (isObj(first) && Array.isArray(first.args)) {
    const out: string[] = [];
    const visit = (a: unknown): void => {
      if (Array.isArray(a)) a.forEach(visit);
      else if (isObj(a) && isObj(a.config) && Array.isArray(a.config.keras_history)) out.push(String(a.config.keras_history[0]));
    };
    visit(first.args);
    return out;
  }
  return [];
}

export function parseTopology(json: Config, file: string): TfTopology {
  let topo = json.modelTopology;
  if (!isObj(topo)) throw new ImportError(`${file}: modelTopology is missing; expected a TF.js Layers model.json (graph models from tfjs-converter are not supported)`);
  if (isObj(topo.model_config)) topo = topo.model_config; // Keras-converted files nest the model here
  const t = topo as Config;
  const kind = t.class_name;
  if (kind !== 'Sequential' && kind !== 'Model' && kind !== 'Functional') {
    throw new ImportError(`${file}: modelTopology.class_name '${String(kind)}' is not Sequential or Model`);
  }
  const cfg = t.config;
  const rawLayers = Array.isArray(cfg) ? cfg : isObj(cfg) && Array.isArray(cfg.layers) ? cfg.layers : undefined;
  if (!rawLayers) throw new ImportError(`${file}: modelTopology.config.layers is missing`);
  const layers = rawLayers.map((l, i): TfLayer => {
    if (!isObj(l) || typeof l.class_name !== 'string' || !isObj(l.config)) throw new ImportError(`${file}: modelTopology layer ${i} lacks class_name/config`);
    const name = String(l.name ?? l.config.name ?? `layer_${i}`);
    return { className: l.class_name, name, config: l.config, inbound: inboundNames(l.inbound_nodes) };
  });
  const name = String((isObj(cfg) && cfg.name) || path.basename(path.dirname(file)) || 'model');
  if (kind === 'Sequential') return { kind: 'Sequential', name, layers, inputLayers: [], outputLayers: [] };
  const ends = (v: unknown): string[] => (Array.isArray(v) ? v.map((e) => String(Array.isArray(e) ? e[0] : e)) : []);
  const c = cfg as Config;
  return { kind: 'Model', name, layers, inputLayers: ends(c.input_layers), outputLayers: ends(c.output_layers) };
}

/** Loads every weight of the manifest as float32, keyed by its name (e.g. `conv2d_1/kernel`). */
export async function loadWeights(json: Config, file: string): Promise<Map<string, Tensor>> {
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) throw new ImportError(`${file}: weightsManifest is missing or not a list`);
  const out = new Map<string, Tensor>();
  const dir = path.dirname(file);
  for (const [gi, group] of (manifest as ManifestGroup[]).entries()) {
    if (!Array.isArray(group.paths) || !Array.isArray(group.weights)) throw new ImportError(`${file}: weightsManifest[${gi}] needs 'paths' and 'weights' lists`);
    const parts: Uint8Array[] = [];
    for (const p of group.paths) {
      const shard = path.resolve(dir, p);
      try {
        parts.push(await readFile(shard));
      } catch {
        throw new ImportError(`${file}: weightsManifest[${gi}]: weight shard '${p}' not found (looked for ${shard})`);
      }
    }
    const total = parts.reduce((a, b) => a + b.length, 0);
    const buf = new Uint8Array(total);
    parts.reduce((off, p) => (buf.set(p, off), off + p.length), 0);
    const view = new DataView(buf.buffer);
    let off = 0;
    for (const w of group.weights) {
      if (w.quantization) throw new ImportError(`${file}: weight '${w.name}' is quantized (${JSON.stringify(w.quantization)}); only float32 weights are supported`);
      if ((w.dtype ?? 'float32') !== 'float32') throw new ImportError(`${file}: weight '${w.name}' has dtype ${w.dtype}; only float32 weights are supported`);
      const n = w.shape.reduce((a, b) => a * b, 1);
      if (off + n * 4 > total) throw new ImportError(`${file}: weight '${w.name}' [${w.shape}] runs past the end of shards ${group.paths.join(', ')} (${total} bytes)`);
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getFloat32(off + 4 * i, true);
      off += n * 4;
      out.set(w.name, { shape: [...w.shape], data });
    }
  }
  return out;
}
