/** File-system entry points of the format: read, write (atomic) and header-only peek for huge files. */
import { open, readFile } from 'node:fs/promises';
import type { StoredTensor, TnnModel } from '../graph/types';
import { TnnFormatError } from '../errors';
import { readAt } from '../fs-guard';
import { writeFileAtomic, type AtomicWriteOptions } from './atomic';
import { HEADER_PREFIX_BYTES, parseHeaderJson, readHeaderLength } from './safetensors';
import { decodeTensor, parseTnn, peekTnnBytes, serializeTnn, type ParseOptions } from './tnn';
import { checkTnnHeader, type TnnHeader } from './tnn-header';

function readFailure(file: string, err: unknown): TnnFormatError {
  const e = err as NodeJS.ErrnoException;
  return new TnnFormatError(file, 'file', `cannot be read: ${e.code ?? e.message}`);
}

export async function readTnnFile(file: string, opts: ParseOptions = {}): Promise<TnnModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw readFailure(file, err);
  }
  return parseTnn(bytes, file, opts);
}

/** Serializes first (a bad model throws before anything touches the disk), then writes atomically. */
export async function writeTnnFile(file: string, model: TnnModel, opts: AtomicWriteOptions = {}): Promise<void> {
  const bytes = serializeTnn(model, file);
  await writeFileAtomic(file, bytes, opts);
}

/**
 * Header + metadata only (docs/tnn-format.md §8). Given a path, reads just the
 * first 8 + N bytes, so opening a multi-GB model costs the header, not the data.
 * Tensor bytes and the checksum are not verified: parseTnn does that.
 */
export async function peekTnnHeader(source: Uint8Array | string, fileName?: string): Promise<TnnHeader> {
  if (typeof source !== 'string') return peekTnnBytes(source, fileName ?? '(bytes)');
  const file = fileName ?? source;
  let handle;
  try {
    handle = await open(source, 'r');
  } catch (err) {
    throw readFailure(file, err);
  }
  try {
    const { size } = await handle.stat();
    const prefix = new Uint8Array(HEADER_PREFIX_BYTES);
    await readFully(handle, prefix, 0, file);
    const n = readHeaderLength(prefix.subarray(0, Math.min(size, HEADER_PREFIX_BYTES)), size, file);
    const header = new Uint8Array(n);
    await readFully(handle, header, HEADER_PREFIX_BYTES, file);
    return checkTnnHeader(parseHeaderJson(header, size, file, prefix), file, size, prefix);
  } finally {
    await handle.close();
  }
}

/**
 * Loads one tensor of a file described by peekTnnHeader without reading the
 * rest (the editor's lazy path for huge models). Packed bytes are validated;
 * the checksum is not (it covers the whole data region).
 */
export async function readTnnTensor(header: TnnHeader, name: string, path: string = header.file): Promise<StoredTensor> {
  const info = header.tensors.find((t) => t.name === name);
  if (!info) throw new TnnFormatError(header.file, `tensor ${JSON.stringify(name)}`, 'not in this file');
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw readFailure(header.file, err);
  }
  try {
    const { size } = await handle.stat();
    if (size !== header.fileSize) throw new TnnFormatError(header.file, 'file', `size changed from ${header.fileSize} to ${size} bytes since its header was read`);
    const payload = new Uint8Array(info.end - info.begin);
    await readFully(handle, payload, info.offset, header.file);
    return decodeTensor(info, payload, header.file);
  } finally {
    await handle.close();
  }
}

async function readFully(handle: import('node:fs/promises').FileHandle, into: Uint8Array, position: number, file: string): Promise<void> {
  // A short file is left to readHeaderLength, which reports it against the real size.
  await readAt(handle, into, position, (err) => readFailure(file, err));
}
