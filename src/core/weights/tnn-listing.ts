/**
 * A weights-only `.tnn` (no graph layers, docs/tnn-format.md §10) as a
 * WeightsListing, from its validated header (peekTnnHeader): packed trit
 * tensors with their scale tensors (`weight_scales`), float tensors, and the
 * source model's metadata (`source`). Malformed optional keys are reported in
 * notes, never trusted.
 */
import { peekTnnHeader } from '../format/index';
import type { TnnHeader } from '../format/index';
import type { WeightScaleInfo, WeightsListing, WeightTensorInfo } from './types';

export const TNN_WEIGHTS_FORMAT = 'tnn';

/** True when a `.tnn` carries weights only (its graph has no layers). */
export function isWeightsOnlyTnn(header: TnnHeader): boolean {
  return header.graph.layers.length === 0;
}

function parseObject(text: string | undefined): Record<string, unknown> | null {
  if (text === undefined) return null;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function tnnWeightsListing(h: TnnHeader): WeightsListing {
  const notes: string[] = [];
  const scales = parseObject(h.metadata.weight_scales) ?? {};
  if (h.metadata.weight_scales !== undefined && !parseObject(h.metadata.weight_scales)) notes.push('__metadata__.weight_scales is not a JSON object; scales not shown');
  const names = new Set(h.tensors.map((t) => t.name));
  const tensors: WeightTensorInfo[] = h.tensors.map((t) => {
    const elements = t.trits ?? t.shape.reduce((a, b) => a * b, 1);
    const byteLength = t.end - t.begin;
    const info: WeightTensorInfo = { name: t.name, dtype: t.dtype, shape: [...t.shape], offset: t.offset, byteLength, ternary: t.trits !== undefined, elements, bitsPerWeight: elements ? (8 * byteLength) / elements : 0 };
    if (t.trits !== undefined) {
      info.storedShape = [...t.storedShape];
      info.ternarySource = 'packed';
      info.packing = 'tnn5';
      const s = scales[t.name] as { tensor?: unknown; block?: unknown } | undefined;
      if (s && typeof s.tensor === 'string' && names.has(s.tensor)) {
        const scale: WeightScaleInfo = { kind: 'tensor', tensor: s.tensor, convention: 'multiply' };
        if (typeof s.block === 'number' && Number.isSafeInteger(s.block) && s.block > 0) scale.block = s.block;
        info.scale = scale;
      } else if (s) notes.push(`weight_scales[${JSON.stringify(t.name)}] names no tensor of this file; its scale is not shown`);
    }
    return info;
  });
  const source = parseObject(h.metadata.source);
  const metadata: Record<string, unknown> = { ...((source?.metadata as Record<string, unknown> | undefined) ?? {}), 'tnn.provenance': h.provenance };
  if (source?.format) metadata['tnn.source_format'] = source.format;
  return { format: TNN_WEIGHTS_FORMAT, file: h.file, fileBytes: h.fileSize, metadata, tensors, headerBytes: h.dataStart, version: Number(h.metadata.tnn_version), ...(notes.length ? { notes } : {}) };
}

/** Reads just the header of a weights-only `.tnn` and lists it. */
export async function readTnnWeightsListing(file: string): Promise<WeightsListing> {
  return tnnWeightsListing(await peekTnnHeader(file));
}
