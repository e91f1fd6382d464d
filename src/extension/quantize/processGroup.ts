/**
 * A job that is a tree of processes (torchrun's agent and its workers, or a
 * launcher's shell and ssh/srun) runs in its own process group, so Cancel ends
 * all of it: SIGTERM to the group (the trainer stops at the next step and keeps
 * its checkpoint), SIGKILL to whatever is left after a grace period, and the job
 * counts as ended only once no process of the group is alive. Pure Node.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const WINDOWS = process.platform === 'win32';

/** Spawns `command` as the leader of a new process group (POSIX: setsid via `detached`). */
export function spawnGroup(command: string, args: string[], opts: Pick<SpawnOptions, 'cwd' | 'env'>): ChildProcess {
  return spawn(command, args, { ...opts, detached: !WINDOWS, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
}

/** Sends `signal` to every process of the group led by `pid`; false when none is left. */
export function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  if (WINDOWS) {
    // No process groups: taskkill walks the tree (forcefully; Windows has no SIGTERM to forward).
    if (signal === 0) return spawnSync('tasklist', ['/FI', `PID eq ${pid}`, '/NH']).stdout?.toString().includes(String(pid)) ?? false;
    return spawnSync('taskkill', ['/PID', String(pid), '/T', '/F']).status === 0;
  }
  try {
    process.kill(-pid, signal);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
}

export const groupAlive = (pid: number): boolean => signalGroup(pid, 0);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves true once no process of the group is alive, false after `timeoutMs`. */
export async function waitGroupGone(pid: number, timeoutMs: number): Promise<boolean> {
  const t0 = Date.now();
  while (groupAlive(pid)) {
    if (Date.now() - t0 >= timeoutMs) return false;
    await sleep(50);
  }
  return true;
}

/**
 * Ends the whole group: SIGTERM, then SIGKILL for what is still alive after `graceMs`. Resolves when the group
 * is gone (or, should a process survive SIGKILL, e.g. stuck in the kernel, after two more seconds).
 */
export async function stopGroup(pid: number, graceMs: number): Promise<void> {
  if (!signalGroup(pid, 'SIGTERM')) return;
  if (await waitGroupGone(pid, graceMs)) return;
  signalGroup(pid, 'SIGKILL');
  await waitGroupGone(pid, 2000);
}

/**
 * Removes what a killed writer can leave beside `output`: atomic-write temps (`<name>.<random>.tmp`, the
 * `.tnn` and its `.ckpt` alike) and export_tnn's `.tritscope-export-*` folders, modified since `sinceMs`
 * (older ones belong to someone else). Returns the removed paths.
 */
export function removeJobTemps(output: string, sinceMs: number): string[] {
  const dir = path.dirname(output);
  const base = path.basename(output);
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const n of names) {
    const ours = (n.startsWith(`${base}.`) && n.endsWith('.tmp')) || n.startsWith('.tritscope-export-');
    if (!ours) continue;
    const p = path.join(dir, n);
    try {
      if (statSync(p).mtimeMs + 1000 < sinceMs) continue;
      rmSync(p, { recursive: true, force: true });
      removed.push(p);
    } catch {
      /* gone meanwhile */
    }
  }
  return removed;
}
