/** Temp file + rename, so a crash never leaves a half-written file. */
import { rename, unlink, writeFile } from 'node:fs/promises';

export async function writeAtomic(file: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
