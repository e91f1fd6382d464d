/** Reads a TF.js Layers `model.json`: topology, layer list with inbound edges, and float32 weights from the shards. */
import path from 'node:path';
import { ImportError } from '../../errors';
import { readRegularFile, resolveInside, statRegularFile, type Fail } from '../../fs-guard';
import { jsonLimitViolation, type JsonLimits } from '../../json-limits';
import { MAX_MODEL_JSON_BYTES } from '../../limits';
import type { Tensor } from '../../tensor';
import { checkManifest } from './manifest';

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

/** Keras topologies nest layers → config → arrays a dozen levels deep; hundreds would be hostile. */
const MODEL_JSON_LIMITS: JsonLimits = { maxDepth: 64, maxValues: 5_000_000 };

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

/**
 * Reads model.json: a regular file under MAX_MODEL_JSON_BYTES whose JSON nesting
 * and size are bounded before JSON.parse (a hostile file must not cost gigabytes).
 */
export function readModelJson(file: string): { bytes: Uint8Array; json: Config } {
  const fail: Fail = (detail) => {
    throw new ImportError(`${file}: ${detail}`);
  };
  const bytes = readRegularFile(file, MAX_MODEL_JSON_BYTES, fail);
  const text = new TextDecoder().decode(bytes);
  const over = jsonLimitViolation(text, MODEL_JSON_LIMITS);
  if (over) fail(`model.json ${over}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(`not valid JSON: ${(e as Error).message}`);
  }
  if (!isObj(json)) fail(`expected a JSON object (a TF.js Layers model.json), found ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}`);
  return { bytes, json };
}

/** Loads every weight of the manifest as float32, keyed by its name (e.g. `conv2d_1/kernel`). */
export async function loadWeights(json: Config, file: string): Promise<Map<string, Tensor>> {
  const groups = checkManifest(json, file);
  const dir = path.dirname(file);
  const out = new Map<string, Tensor>();
  const seen = new Map<string, string>();
  for (const g of groups) {
    // Every shard is resolved, confined, de-duplicated and sized before any byte is read.
    let onDisk = 0;
    const shards = g.paths.map((ref, pi) => {
      const field = `weightsManifest[${g.index}].paths[${pi}]`;
      const fail: Fail = (detail) => {
        throw new ImportError(`${file}: ${field}: ${detail}`);
      };
      const real = resolveInside(dir, ref, fail);
      const first = seen.get(real);
      if (first) fail(`shard '${ref}' is listed twice (also as ${first})`);
      seen.set(real, field);
      const size = statRegularFile(real, g.bytes, (d) => fail(`shard '${ref}' ${d}`)).size;
      onDisk += size;
      return { ref, real, fail };
    });
    if (onDisk !== g.bytes) {
      throw new ImportError(`${file}: weightsManifest[${g.index}]: shards ${g.paths.map((p) => `'${p}'`).join(', ')} hold ${onDisk} bytes; the ${g.weights.length} float32 weights listed need ${g.bytes}`);
    }
    const buf = new Uint8Array(g.bytes);
    let at = 0;
    for (const sh of shards) at += readRegularFile(sh.real, g.bytes - at, (d) => sh.fail(`shard '${sh.ref}' ${d}`), buf, at).length;
    const view = new DataView(buf.buffer);
    let off = 0;
    for (const w of g.weights) {
      const data = new Float32Array(w.count);
      for (let i = 0; i < w.count; i++) data[i] = view.getFloat32(off + 4 * i, true);
      off += 4 * w.count;
      out.set(w.name, { shape: w.shape, data });
    }
  }
  return out;
}
