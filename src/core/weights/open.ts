/**
 * The entry points the model-format registry will call for weights-only
 * formats: content detection (with the extension as a tie-breaker only),
 * header-only listing, and the default `.tnn` name. One function per format so
 * that registering a format is one file + one line.
 */
import path from 'node:path';
import { readSafetensorsListing } from '../checkpoint/listing';
import { peekTnnHeader } from '../format/index';
import { readGgufListing } from '../gguf/listing';
import { isGgufPrefix } from '../gguf/reader';
import { openForRead } from './file-io';
import { isWeightsOnlyTnn, tnnWeightsListing } from './tnn-listing';
import type { WeightsListing } from './types';

export type WeightsFormatId = 'gguf' | 'safetensors' | 'tnn';

/** A safetensors prefix: u64 LE header length < 100 MB that fits the file, then '{'. */
export function isSafetensorsPrefix(prefix: Uint8Array, fileSize: number): boolean {
  if (prefix.length < 9) return false;
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const n = view.getUint32(0, true);
  return view.getUint32(4, true) === 0 && n >= 2 && n <= 100_000_000 && 8 + n <= fileSize && prefix[8] === 0x7b;
}

/**
 * Which weights-only format a file holds, by content: GGUF magic; safetensors
 * (`.tnn` files are safetensors too: weights-only ones answer 'tnn', ones with
 * a graph answer null, as do files of no weights-only format).
 */
export async function sniffWeightsFormat(file: string): Promise<WeightsFormatId | null> {
  let prefix: Uint8Array;
  let size: number;
  try {
    const f = await openForRead(file);
    try {
      size = f.size;
      prefix = await f.readPrefix(16);
    } finally {
      await f.close();
    }
  } catch {
    return null;
  }
  if (isGgufPrefix(prefix)) return 'gguf';
  if (!isSafetensorsPrefix(prefix, size)) return null;
  if (file.toLowerCase().endsWith('.tnn')) {
    try {
      return isWeightsOnlyTnn(await peekTnnHeader(file)) ? 'tnn' : null;
    } catch {
      return null; // the .tnn reader reports the problem on the ordinary path
    }
  }
  return 'safetensors';
}

export async function readWeightsListing(file: string, format: WeightsFormatId): Promise<WeightsListing> {
  switch (format) {
    case 'gguf': return readGgufListing(file);
    case 'safetensors': return readSafetensorsListing(file);
    case 'tnn': return tnnWeightsListing(await peekTnnHeader(file));
  }
}

/** `<dir>/<name without extension>.tnn`, beside the source. */
export function defaultTnnName(file: string): string {
  const ext = path.extname(file);
  return path.join(path.dirname(file), `${path.basename(file, ext)}.tnn`);
}
