/** Atomic file replacement: readers see the old file or the complete new one, never a partial write. */
import { closeSync, fsync, mkdirSync, openSync, renameSync, write, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { throwIfInterrupted } from '../errors';
import { discardTemp, releaseTemp, trackTemp } from '../temp-files';

const writeAsync = promisify(write);
const fsyncAsync = promisify(fsync);

export interface AtomicWriteOptions {
  /** Checked right before the rename: once aborted, the temp file is removed and nothing replaces `target`. */
  signal?: AbortSignal;
}

/**
 * Writes `<target>.<random>.tmp` in the target's directory (same file system, so
 * rename is atomic), fsyncs it, then renames it over `target`. The temp name is
 * tracked (src/core/temp-files.ts) from before it exists until it is renamed or
 * removed. Creating the file and the last signal check + rename are synchronous,
 * so a signal handler cannot run between them; the writing in between is not,
 * so a SIGINT/SIGTERM is seen while a large file is written. On any failure the
 * temp file is removed and the error rethrown; `target` is untouched.
 */
export async function writeFileAtomic(target: string, bytes: Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  throwIfInterrupted(opts.signal, target);
  const temp = trackTemp(target);
  try {
    const fd = openSync(temp, 'wx');
    try {
      for (let done = 0; done < bytes.length; ) {
        done += (await writeAsync(fd, bytes, done, Math.min(bytes.length - done, 16 << 20), null)).bytesWritten;
        throwIfInterrupted(opts.signal, target);
      }
      await fsyncAsync(fd);
    } finally {
      closeSync(fd);
    }
    throwIfInterrupted(opts.signal, target);
    renameSync(temp, target);
    releaseTemp(temp);
  } catch (err) {
    discardTemp(temp);
    throw err;
  }
}

/** The synchronous twin, for training checkpoints and sample models written between steps; creates the directory. */
export function writeFileAtomicSync(target: string, bytes: Uint8Array | string): void {
  mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  const temp = trackTemp(target);
  try {
    writeFileSync(temp, bytes, { flag: 'wx' });
    renameSync(temp, target);
    releaseTemp(temp);
  } catch (err) {
    discardTemp(temp);
    throw err;
  }
}
