import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChildJob } from '../../../src/extension/quantize/childJob';
import { JobMonitor, type JobOutcome } from '../../../src/extension/quantize/jobMonitor';
import type { QuantizeJob } from '../../../src/extension/quantize/jobArgs';

const job = (output: string): QuantizeJob => ({ type: 'tritscope', model: 'm.onnx', output, method: 'twn' });
const outcome = (output: string, ok = true): JobOutcome => ({ job: job(output), code: ok ? 0 : 1, cancelled: false, ok });

test('nextOutcome resolves only with the outcome it matches, in any order', async () => {
  const m = new JobMonitor();
  const a = m.nextOutcome((o) => o.job.output === '/a.tnn');
  const b = m.nextOutcome((o) => o.job.output === '/b.tnn');
  const any = m.nextOutcome();
  m.finished(outcome('/b.tnn', false));
  m.finished(outcome('/a.tnn'));
  assert.equal((await a).job.output, '/a.tnn');
  assert.equal((await b).ok, false);
  assert.equal((await any).job.output, '/b.tnn', 'an unfiltered waiter takes the first outcome');
  assert.equal(m.outcomes.length, 2);
});

test('running jobs and their pids are tracked until exit; cancelAll stops them', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-monitor-'));
  const cli = path.join(dir, 'cli.js');
  writeFileSync(cli, `let i = 0; setInterval(() => console.log(JSON.stringify({ version: 1, type: 'progress', step: ++i, steps: 1000 })), 10);`);
  const m = new JobMonitor();
  const child = new ChildJob(cli, [], dir);
  m.started(job('/x.tnn'), child);
  const exited = new Promise<boolean>((r) => child.on('exit', (_c, cancelled) => r(cancelled)));
  child.start();
  let progress = 0;
  await new Promise<void>((r) => child.on('event', (e) => { if (e.type === 'progress' && ++progress >= 2) r(); }));
  assert.deepEqual(m.runningPids(), [child.pid]);
  m.cancelAll();
  assert.equal(await exited, true);
  assert.equal(m.running.size, 0);
  assert.throws(() => process.kill(child.pid!, 0));
});
