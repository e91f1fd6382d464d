/**
 * The `weightsManifest` of a TF.js model.json, checked field by field before
 * any shard is opened: every error names the file and the JSON path of the
 * field (`weightsManifest[0].weights[2].shape[1]`), never "internal error".
 */
import { ImportError } from '../../errors';
import { boundedProduct, MAX_TENSOR_ELEMENTS, MAX_TFJS_WEIGHT_BYTES } from '../../limits';
import { clip } from '../../text';

export interface ManifestWeight {
  name: string;
  shape: number[];
  /** Elements (product of shape). */
  count: number;
}

export interface ManifestGroup {
  index: number;
  paths: unknown[];
  weights: ManifestWeight[];
  /** Bytes the weights need: the shards must hold exactly this many. */
  bytes: number;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `string '${clip(v, 40)}'`;
  return `${typeof v} ${String(v)}`;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkManifest(json: Record<string, unknown>, file: string): ManifestGroup[] {
  const fail: (field: string, detail: string) => never = (field, detail) => {
    throw new ImportError(`${file}: ${field}: ${detail}`);
  };
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) fail('weightsManifest', `expected a list of weight groups, found ${manifest === undefined ? 'nothing' : describe(manifest)}`);
  const names = new Set<string>();
  let total = 0;
  return (manifest as unknown[]).map((group, gi): ManifestGroup => {
    const gf = `weightsManifest[${gi}]`;
    if (!isObj(group)) fail(gf, `expected an object {paths, weights}, found ${describe(group)}`);
    if (!Array.isArray(group.paths)) fail(`${gf}.paths`, `expected a list of shard file names, found ${describe(group.paths)}`);
    if (!Array.isArray(group.weights)) fail(`${gf}.weights`, `expected a list of weights, found ${describe(group.weights)}`);
    (group.paths as unknown[]).forEach((p, pi) => {
      if (typeof p !== 'string') fail(`${gf}.paths[${pi}]`, `expected a relative path string, found ${describe(p)}`);
    });
    let bytes = 0;
    const weights = (group.weights as unknown[]).map((w, wi): ManifestWeight => {
      const wf = `${gf}.weights[${wi}]`;
      if (!isObj(w)) fail(wf, `expected an object {name, shape, dtype}, found ${describe(w)}`);
      if (typeof w.name !== 'string' || !w.name) fail(`${wf}.name`, `expected a non-empty string, found ${describe(w.name)}`);
      const name = w.name as string;
      if (names.has(name)) fail(`${wf}.name`, `weight '${clip(name, 80)}' is listed twice`);
      names.add(name);
      if (w.quantization !== undefined) fail(`${wf}.quantization`, `weight '${clip(name, 80)}' is quantized; only float32 weights are supported`);
      if ((w.dtype ?? 'float32') !== 'float32') fail(`${wf}.dtype`, `weight '${clip(name, 80)}' has dtype ${typeof w.dtype === 'string' ? clip(w.dtype, 40) : describe(w.dtype)}; only float32 weights are supported`);
      if (!Array.isArray(w.shape)) fail(`${wf}.shape`, `expected a list of dimensions, found ${describe(w.shape)}`);
      const shape = (w.shape as unknown[]).map((d, di) => {
        if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) fail(`${wf}.shape[${di}]`, `expected a non-negative integer, found ${describe(d)}`);
        return d as number;
      });
      const count = boundedProduct(shape, MAX_TENSOR_ELEMENTS);
      if (count === Infinity) fail(`${wf}.shape`, `[${shape.join(',')}] has more than ${MAX_TENSOR_ELEMENTS} elements`);
      bytes += 4 * count;
      return { name, shape, count };
    });
    total += bytes;
    if (total > MAX_TFJS_WEIGHT_BYTES) fail(gf, `the weights listed so far need ${total} bytes, over the ${MAX_TFJS_WEIGHT_BYTES}-byte cap for a TF.js model`);
    return { index: gi, paths: group.paths as unknown[], weights, bytes };
  });
}
