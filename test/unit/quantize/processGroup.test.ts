import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { groupAlive, removeJobTemps, spawnGroup, stopGroup } from '../../../src/extension/quantize/processGroup';
import { ChildJob } from '../../../src/extension/quantize/childJob';
import type { ProgressEvent } from '../../../src/shared/progress';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Waits for `file` to hold `n` pids (one per line), written by the script's workers. */
async function pids(file: string, n: number): Promise<number[]> {
  for (let i = 0; i < 200; i++) {
    const got = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : [];
    if (got.length >= n) return got;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${file}: workers never started`);
}

// Like torchrun: a leader with workers; one worker ignores SIGTERM, as a process stuck in a collective would.
const TREE = (pidFile: string) => `
  (trap '' TERM; echo $BASHPID >> '${pidFile}'; while :; do sleep 0.05; done) &
  (echo $BASHPID >> '${pidFile}'; while :; do sleep 0.05; done) &
  wait`;

test('stopGroup ends the leader and every worker, SIGKILL for the one that ignores SIGTERM', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-pg-'));
  const pidFile = path.join(dir, 'pids');
  const leader = spawnGroup('/bin/bash', ['-c', TREE(pidFile)], { cwd: dir, env: process.env });
  const workers = await pids(pidFile, 2);
  assert.ok(groupAlive(leader.pid!));
  const t0 = Date.now();
  await stopGroup(leader.pid!, 300);
  assert.ok(Date.now() - t0 >= 250, 'waited the grace period for the stubborn worker');
  assert.equal(groupAlive(leader.pid!), false, 'no process of the group is left');
  for (const p of workers) assert.equal(alive(p), false, `worker ${p} ended`);
});

test('ChildJob with a launch spec: cancel ends the whole group; exit is reported once every worker is gone', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-pg-'));
  const pidFile = path.join(dir, 'pids');
  const script = `echo '{"version":1,"type":"progress","step":1,"steps":9}'; ${TREE(pidFile)}`;
  const job = new ChildJob('', [], dir, { launch: { command: '/bin/bash', args: ['-c', script], env: {}, display: 'tree', graceMs: 300 } });
  const events: ProgressEvent[] = [];
  job.on('event', (e) => events.push(e));
  const exited = new Promise<{ code: number; cancelled: boolean }>((r) => job.on('exit', (code, cancelled) => r({ code, cancelled })));
  job.start();
  const workers = await pids(pidFile, 2);
  job.cancel();
  const { cancelled } = await exited;
  assert.equal(cancelled, true);
  assert.equal(events[0]?.type, 'progress');
  for (const p of workers) assert.equal(alive(p), false, `worker ${p} ended before 'exit'`);
  assert.equal(groupAlive(job.pid!), false);
});

test('ChildJob with a launch spec: a leader that exits leaving a worker behind does not leave an orphan', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-pg-'));
  const pidFile = path.join(dir, 'pids');
  const job = new ChildJob('', [], dir, {
    launch: { command: '/bin/bash', args: ['-c', `(echo $BASHPID >> '${pidFile}'; exec sleep 60) & sleep 0.2; exit 3`], env: {}, display: 'crash', graceMs: 300 },
  });
  const exited = new Promise<number>((r) => job.on('exit', (code) => r(code)));
  job.start();
  const [worker] = await pids(pidFile, 1);
  assert.equal(await exited, 3, "the leader's exit code");
  assert.equal(alive(worker), false, 'the worker was ended with its group');
});

test('removeJobTemps removes fresh atomic-write temps and export folders of this output only', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-pg-'));
  const out = path.join(dir, 'm.tnn');
  const since = Date.now();
  const make = (n: string) => writeFileSync(path.join(dir, n), 'x');
  make('m.tnn.ab12cd.tmp');
  make('m.tnn.ckpt.ef34.tmp');
  mkdirSync(path.join(dir, '.tritscope-export-x1'));
  make('other.tnn.99.tmp');
  make('m.tnn.ckpt');
  make('m.tnn.old.tmp');
  const old = new Date(since - 120_000);
  utimesSync(path.join(dir, 'm.tnn.old.tmp'), old, old);
  const removed = removeJobTemps(out, since).map((p) => path.basename(p)).sort();
  assert.deepEqual(removed, ['.tritscope-export-x1', 'm.tnn.ab12cd.tmp', 'm.tnn.ckpt.ef34.tmp']);
  for (const kept of ['other.tnn.99.tmp', 'm.tnn.ckpt', 'm.tnn.old.tmp']) assert.ok(existsSync(path.join(dir, kept)), kept);
});
