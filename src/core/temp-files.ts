/**
 * The temp files this process is writing (`<target>.<random>.tmp`, renamed over
 * the target once complete). Every writer takes its temp name from here, so that
 *  - the CLI removes whatever is still listed on every way out (src/cli/main.ts:
 *    normal exit, error, a second SIGINT/SIGTERM), and
 *  - a watcher learns each name *before* the file exists (onTempFile: the CLI's
 *    `--progress json` prints it as a `temp` field), so a parent that had to
 *    SIGKILL the process can still remove what it left (docs/cancellation.md).
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';

const live = new Set<string>();
const listeners = new Set<(temp: string) => void>();

/** Reserves an absolute temp name beside `target`, announces it to the listeners, and lists it until released. */
export function trackTemp(target: string): string {
  const abs = path.resolve(target);
  const temp = path.join(path.dirname(abs), `${path.basename(abs)}.${randomBytes(6).toString('hex')}.tmp`);
  live.add(temp);
  for (const l of listeners) l(temp);
  return temp;
}

/** The temp file was renamed or removed: no longer ours to clean up. */
export function releaseTemp(temp: string): void {
  live.delete(temp);
}

/** Removes a temp file (missing is fine) and stops tracking it. */
export function discardTemp(temp: string): void {
  try {
    rmSync(temp, { force: true });
  } catch {
    /* a directory by now, or no permission: nothing more a cleanup can do */
  }
  live.delete(temp);
}

/** Synchronously removes every listed temp file (safe in a process 'exit' handler); returns the names. */
export function removeTrackedTemps(): string[] {
  const names = [...live];
  for (const t of names) discardTemp(t);
  return names;
}

export function trackedTemps(): string[] {
  return [...live];
}

/** Calls `listener` with each temp name as it is reserved, before the file is created; returns the unsubscribe. */
export function onTempFile(listener: (temp: string) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
