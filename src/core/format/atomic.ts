/** Atomic file replacement: readers see the old file or the complete new one, never a partial write. */
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes `<path>.<random>.tmp` in the target's directory (same file system, so
 * rename is atomic), fsyncs it, then renames it over `target`. On any failure
 * the temp file is removed and the error rethrown; `target` is untouched.
 */
export async function writeFileAtomic(target: string, bytes: Uint8Array): Promise<void> {
  const temp = path.join(path.dirname(target), `${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  let created = false;
  try {
    const handle = await open(temp, 'wx');
    created = true;
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (err) {
    if (created) await rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** The synchronous twin, for training checkpoints and sample models written between steps; creates the directory. */
export function writeFileAtomicSync(target: string, bytes: Uint8Array | string): void {
  mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  const temp = path.join(path.dirname(target), `${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, bytes, { flag: 'wx' });
    renameSync(temp, target);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}
