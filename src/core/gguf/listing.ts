/** GGUF file → WeightsListing, reading only the header (a bounded prefix of the file). */
import type { WeightsListing, WeightTensorInfo } from '../weights/types';
import { openForRead } from '../weights/file-io';
import { I2S_LAYOUT_NOTE, i2sUndecodable } from './i2s';
import { parseGgufHeader, plainMetadata, readGgufHeader, type GgufHeader, type GgufTensorInfo } from './reader';

export const GGUF_FORMAT = 'gguf';

function tensorInfo(t: GgufTensorInfo): WeightTensorInfo {
  const type = t.type;
  const dtype = type?.name ?? `GGML_TYPE_${t.typeId}`;
  const shape = [...t.ne].reverse();
  const info: WeightTensorInfo = {
    name: t.name,
    dtype,
    shape,
    offset: t.offset,
    byteLength: t.byteLength,
    ternary: type?.kind === 'ternary',
    elements: t.elements,
    bitsPerWeight: t.elements ? (8 * t.byteLength) / t.elements : 0,
  };
  if (type && type.blockSize > 1) {
    info.blockSize = type.blockSize;
    info.blockBytes = type.typeSize;
  }
  if (type?.kind === 'ternary') info.ternarySource = 'type';
  if (type?.name === 'TQ1_0' || type?.name === 'TQ2_0') info.scale = { kind: 'block', block: type.blockSize, convention: 'multiply' };
  if (type?.name === 'I2_S') {
    info.scale = { kind: 'tensor-tail', convention: 'multiply' };
    const why = i2sUndecodable(t.elements);
    if (why) info.undecoded = why;
  }
  if (type?.undecoded) info.undecoded = type.undecoded;
  if (!type) info.undecoded = `unknown ggml type id ${t.typeId} (newer than this reader?); its size is taken from the next tensor's offset`;
  return info;
}

export function ggufListing(h: GgufHeader): WeightsListing {
  const tensors = h.tensors.map(tensorInfo);
  const notes: string[] = [];
  if (tensors.some((t) => t.dtype === 'I2_S')) notes.push(I2S_LAYOUT_NOTE);
  return {
    format: GGUF_FORMAT,
    file: h.file,
    fileBytes: h.fileSize,
    metadata: plainMetadata(h.kvs),
    tensors,
    headerBytes: h.headerBytes,
    version: h.version,
    ...(notes.length ? { notes } : {}),
  };
}

/** Reads a GGUF file's header and lists its tensors; never reads tensor data. */
export async function readGgufListing(file: string): Promise<WeightsListing> {
  const f = await openForRead(file);
  try {
    const header = await readGgufHeader((n) => f.readPrefix(n), f.size, file);
    return ggufListing(header);
  } finally {
    await f.close();
  }
}

/** Lists a GGUF file held in memory (tests, small files): `bytes` is the whole file. */
export function listGgufBytes(bytes: Uint8Array, file: string): WeightsListing {
  return ggufListing(parseGgufHeader(bytes, bytes.length, file));
}
