/**
 * The temp files a quantize job announced (`temp` in its JSON-lines progress,
 * src/shared/progress.ts) and their removal once the child has exited. A child
 * killed with SIGKILL (the cancel's last resort) cannot clean up after itself;
 * the parent can, because each name was printed before the file existed.
 * Whatever a child announces, only `<output name>.<anything>.tmp` in the
 * output's own folder is ever deleted. Pure Node: no `vscode`.
 */
import { lstatSync, rmSync } from 'node:fs';
import path from 'node:path';

/** Whether `temp` names a temp file of a job writing `output`. */
export function isJobTemp(temp: string, output: string): boolean {
  if (!path.isAbsolute(temp) || temp.includes('\0')) return false;
  const t = path.resolve(temp);
  const o = path.resolve(output);
  const base = path.basename(o);
  const name = path.basename(t);
  return path.dirname(t) === path.dirname(o) && name.startsWith(`${base}.`) && name.endsWith('.tmp') && name.length > base.length + '..tmp'.length;
}

/** Removes the announced temps of `output` that still exist (regular files only); returns the paths removed. */
export function removeAnnouncedTemps(temps: Iterable<string>, output: string): string[] {
  const removed: string[] = [];
  for (const t of new Set(temps)) {
    if (!isJobTemp(t, output)) continue;
    try {
      if (!lstatSync(t).isFile()) continue;
      rmSync(t, { force: true });
      removed.push(t);
    } catch {
      /* already renamed or removed by the child */
    }
  }
  return removed;
}
