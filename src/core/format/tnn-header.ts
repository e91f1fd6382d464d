/**
 * The Tritscope layer over a safetensors header (docs/tnn-format.md §2.1, §3, §5):
 * checks `__metadata__`, the packed-tensor table, latent list and graph, without
 * touching tensor data. Used by parseTnn and by peekTnnHeader (huge files).
 */
import type { Graph, LayerQuantStats, Provenance } from '../graph/types';
import { TnnFormatError } from '../errors';
import { Checker } from './check';
import { foreignFormatHint } from './errors-hint';
import { computeHeaderChecksum, HEADER_CHECKSUM_KEY } from './header-checksum';
import { checkGraph, checkGraphShapes, checkTensorReferences, type TensorKind } from './graph-check';
import { packedLength } from './pack';
import { METADATA_KEY, tensorField, type Dtype, type SafetensorsHeader } from './safetensors';

export const TNN_FORMAT = 'tnn';
export const TNN_VERSION = '1';
const CHECKSUM_RE = /^sha256:[0-9a-f]{64}$/;

export interface TnnTensorInfo {
  name: string;
  dtype: Dtype;
  /** The safetensors (stored) shape; for packed trits [ceil(count/5)]. */
  storedShape: number[];
  /** The logical shape (equal to storedShape for unpacked tensors). */
  shape: number[];
  /** data_offsets relative to the data region. */
  begin: number;
  end: number;
  /** Absolute file offset of the first byte. */
  offset: number;
  /** Trit count for packed tensors. */
  trits?: number;
  latent: boolean;
}

export interface TnnHeader {
  file: string;
  fileSize: number;
  headerLength: number;
  dataStart: number;
  dataLength: number;
  /** In data-region order. */
  tensors: TnnTensorInfo[];
  graph: Graph;
  provenance: Provenance;
  layerStats?: Record<string, LayerQuantStats>;
  checksum: string;
  /** The raw `__metadata__` strings (unknown keys included). */
  metadata: Record<string, string>;
}

const M = (key: string) => `${METADATA_KEY}.${key}`;

function requireKey(c: Checker, meta: Record<string, string>, key: string): string {
  const v = meta[key];
  if (v === undefined) c.fail(M(key), 'missing (required by docs/tnn-format.md §2.1)');
  return v;
}

function checkProvenance(c: Checker, value: unknown): Provenance {
  const o = c.object(value, M('provenance'));
  c.string(o.toolVersion, `${M('provenance')}.toolVersion`);
  c.string(o.date, `${M('provenance')}.date`);
  for (const key of ['floatAccuracy', 'ternaryAccuracy'])
    c.optional(o, key, M('provenance'), (v, f) => c.finite(v, f));
  return o as unknown as Provenance;
}

function checkLayerStats(c: Checker, value: unknown): Record<string, LayerQuantStats> {
  const field = M('layer_stats');
  const o = c.object(value, field);
  for (const [layer, s] of Object.entries(o)) {
    const f = `${field}.${layer}`;
    const stats = c.object(s, f);
    const trits = c.object(stats.trits, `${f}.trits`);
    for (const k of ['neg', 'zero', 'pos']) c.nonNegInt(trits[k], `${f}.trits.${k}`);
    for (const k of ['sparsity', 'entropyBits', 'relError', 'cosine']) c.finite(stats[k], `${f}.${k}`);
  }
  return o as unknown as Record<string, LayerQuantStats>;
}

/** Validates everything that can be checked from the header alone. */
export function checkTnnHeader(sh: SafetensorsHeader, file: string, fileSize: number, prefix: Uint8Array): TnnHeader {
  const c: Checker = new Checker(file);
  const meta = sh.metadata;
  if (meta === null)
    throw new TnnFormatError(file, METADATA_KEY, `missing: a safetensors file but not a Tritscope .tnn file (${foreignFormatHint(prefix)})`);
  if (meta.format !== TNN_FORMAT)
    c.fail(M('format'), `${meta.format === undefined ? 'missing' : `is ${JSON.stringify(meta.format)}`}: a safetensors file, but not a Tritscope .tnn file (Tencent TNN uses the same extension); expected "tnn"`);
  const version = requireKey(c, meta, 'tnn_version');
  if (version !== TNN_VERSION) c.fail(M('tnn_version'), `unsupported version ${JSON.stringify(version)}, this reader supports "${TNN_VERSION}"`);
  const checksum = requireKey(c, meta, 'checksum');
  if (!CHECKSUM_RE.test(checksum)) c.fail(M('checksum'), `expected "sha256:" followed by 64 lowercase hex digits, found ${JSON.stringify(checksum.slice(0, 80))}`);

  const entries = new Map(sh.entries.map((e) => [e.name, e]));
  const tritField = M('trit_tensors');
  const tritTable = c.object(c.json(requireKey(c, meta, 'trit_tensors'), tritField), tritField);
  const packed = new Map<string, { count: number; shape: number[] }>();
  for (const [name, v] of Object.entries(tritTable)) {
    const f = `${tritField}[${JSON.stringify(name)}]`;
    const o = c.object(v, f);
    const count = c.nonNegInt(o.count, `${f}.count`);
    const shape = c.shape(o.shape, `${f}.shape`);
    const e = entries.get(name);
    if (!e) c.fail(f, `packed tensor ${JSON.stringify(name)} is not in the header`);
    const at = sh.dataStart + e.begin;
    if (e.dtype !== 'U8') throw new TnnFormatError(file, `${tensorField(name)}.dtype`, `packed trits must be U8, found ${e.dtype}`, at);
    if (e.shape.length !== 1 || e.shape[0] !== packedLength(count))
      throw new TnnFormatError(file, `${tensorField(name)}.shape`, `packed tensor of ${count} trits must have shape [${packedLength(count)}] (ceil(count/5)), found [${e.shape.join(',')}]`, at);
    // Bounded product so a malicious shape cannot overflow or run long.
    let product = shape.includes(0) ? 0 : 1;
    for (const d of product === 0 ? [] : shape) if ((product *= d) > count) break;
    if (product !== count) c.fail(`${f}.count`, `count ${count} != product of logical shape [${shape.join(',')}]`);
    packed.set(name, { count, shape });
  }

  const latentField = M('latent_tensors');
  const latentList = c.stringArray(c.json(requireKey(c, meta, 'latent_tensors'), latentField), latentField);
  const latent = new Set(latentList);
  latentList.forEach((name, i) => {
    const e = entries.get(name);
    if (!e) c.fail(`${latentField}[${i}]`, `latent tensor ${JSON.stringify(name)} is not in the header`);
    if (e.dtype !== 'F32' || packed.has(name)) c.fail(`${latentField}[${i}]`, `latent tensor ${JSON.stringify(name)} must be F32 (unpacked), found ${packed.has(name) ? 'packed trits' : e.dtype}`);
  });

  const graph = checkGraph(c, c.json(requireKey(c, meta, 'graph'), M('graph')), M('graph'));
  const kinds = new Map<string, TensorKind>(sh.entries.map((e) => [e.name, { dtype: e.dtype, packed: packed.has(e.name), shape: packed.get(e.name)?.shape ?? e.shape }]));
  checkTensorReferences(c, graph, kinds, latent, M('graph'));
  checkGraphShapes(c, graph, kinds, M('graph'));
  const provenance = checkProvenance(c, c.json(requireKey(c, meta, 'provenance'), M('provenance')));
  const layerStats = meta.layer_stats === undefined ? undefined : checkLayerStats(c, c.json(meta.layer_stats, M('layer_stats')));

  // Last, so a structurally broken header reports its first broken field rather than a hash mismatch.
  const headerChecksum = meta[HEADER_CHECKSUM_KEY];
  if (headerChecksum !== undefined) {
    if (!CHECKSUM_RE.test(headerChecksum)) c.fail(M(HEADER_CHECKSUM_KEY), `expected "sha256:" followed by 64 lowercase hex digits, found ${JSON.stringify(headerChecksum.slice(0, 80))}`);
    const actual = computeHeaderChecksum(meta, sh.entries);
    if (actual !== headerChecksum) c.fail(M(HEADER_CHECKSUM_KEY), `header hash ${actual} does not match the stored ${headerChecksum}: the graph, thresholds, provenance or tensor table were changed after the file was written`);
  }

  const tensors: TnnTensorInfo[] = sh.entries.map((e) => {
    const p = packed.get(e.name);
    return {
      name: e.name,
      dtype: e.dtype,
      storedShape: e.shape,
      shape: p ? p.shape : e.shape,
      begin: e.begin,
      end: e.end,
      offset: sh.dataStart + e.begin,
      ...(p ? { trits: p.count } : {}),
      latent: latent.has(e.name),
    };
  });
  return {
    file,
    fileSize,
    headerLength: sh.headerLength,
    dataStart: sh.dataStart,
    dataLength: sh.dataLength,
    tensors,
    graph,
    provenance,
    ...(layerStats ? { layerStats } : {}),
    checksum,
    metadata: meta,
  };
}
