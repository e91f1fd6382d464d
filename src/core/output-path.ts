/**
 * The up-front check of an output path, before any work: a quantization of a
 * ResNet-50 should not run for minutes and then fail on a missing or read-only
 * folder. The folder is proved writable by creating (and removing at once) a
 * tracked temp file beside the output, which covers permissions, read-only file
 * systems and root alike (root passes `access(W_OK)` on a read-only folder).
 */
import { closeSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import { TritscopeError } from './errors';
import { describeFsError } from './fs-guard';
import { discardTemp, trackTemp } from './temp-files';

export interface OutputCheckOptions {
  /** Replace an existing regular file (`--force`); without it an existing output is refused. */
  force?: boolean;
}

const WHY: Record<string, string> = {
  EACCES: 'is not writable',
  EPERM: 'is not writable',
  EROFS: 'is on a read-only file system',
  ENOSPC: 'has no space left',
  EDQUOT: 'is over its disk quota',
};

/** Throws a TritscopeError naming `out` or its folder when the output cannot be written there. */
export function checkOutputPath(out: string, opts: OutputCheckOptions = {}): void {
  const abs = path.resolve(out);
  const dir = path.dirname(abs);
  let folder;
  try {
    folder = statSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TritscopeError(`${out}: the output folder ${dir} does not exist (create it first, or choose another -o)`);
    throw new TritscopeError(`${out}: the output folder ${dir} cannot be used: ${describeFsError(e)}`);
  }
  if (!folder.isDirectory()) throw new TritscopeError(`${out}: ${dir} is not a folder`);
  let existing;
  try {
    existing = statSync(abs);
  } catch {
    existing = undefined;
  }
  if (existing?.isDirectory()) throw new TritscopeError(`${out}: is a folder; give the output a file name (e.g. ${path.join(out, 'model.tnn')})`);
  if (existing && !existing.isFile()) throw new TritscopeError(`${out}: exists and is not a regular file`);
  if (existing && !opts.force) throw new TritscopeError(`${out}: output exists; pass --force to overwrite it`);
  const probe = trackTemp(abs);
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new TritscopeError(`${out}: the output folder ${dir} ${WHY[code] ?? `cannot be written: ${describeFsError(e)}`}${WHY[code] ? ` (${code})` : ''}`);
  } finally {
    discardTemp(probe);
  }
}
