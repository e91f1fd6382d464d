/** Bounded reads of a model file: a prefix, or a range into a caller's buffer. Nothing is read beyond what is asked. */
import { open, type FileHandle } from 'node:fs/promises';
import { WeightsFormatError } from './errors';
import { readAt } from '../fs-guard';

export interface ReadableModelFile {
  readonly file: string;
  readonly size: number;
  /** The first min(length, size) bytes, in a fresh buffer. */
  readPrefix(length: number): Promise<Uint8Array>;
  /** Fills `into` from `position`; throws if the file ends first (it changed since it was listed). */
  readInto(into: Uint8Array, position: number): Promise<void>;
  close(): Promise<void>;
}

function failure(file: string, err: unknown): WeightsFormatError {
  const e = err as NodeJS.ErrnoException;
  return new WeightsFormatError(file, 'file', `cannot be read: ${e.code ?? e.message}`);
}

export async function openForRead(file: string): Promise<ReadableModelFile> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw failure(file, err);
  }
  let size: number;
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new WeightsFormatError(file, 'file', 'is not a regular file');
    size = st.size;
  } catch (err) {
    await handle.close();
    throw err instanceof WeightsFormatError ? err : failure(file, err);
  }
  const readInto = async (into: Uint8Array, position: number): Promise<void> => {
    const done = await readAt(handle, into, position, (err) => failure(file, err));
    if (done < into.length) throw new WeightsFormatError(file, 'file', `ended at ${position + done} while reading ${into.length} bytes from ${position} (changed since it was opened?)`, position + done);
  };
  return {
    file,
    size,
    async readPrefix(length: number) {
      const buf = new Uint8Array(Math.max(0, Math.min(length, size)));
      await readInto(buf, 0);
      return buf;
    },
    readInto,
    close: () => handle.close(),
  };
}
