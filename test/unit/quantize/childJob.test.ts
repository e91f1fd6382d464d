import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChildJob, childEnv } from '../../../src/extension/quantize/childJob';
import type { ProgressEvent } from '../../../src/shared/progress';

// A stand-in CLI: prints progress lines, then either finishes or waits to be cancelled.
const FAKE_CLI = `
const out = process.argv[process.argv.indexOf('-o') + 1];
const slow = process.argv.includes('--slow');
let step = 0;
process.on('SIGTERM', () => { console.log(JSON.stringify({ version: 1, type: 'log', message: 'aborted' })); process.exit(130); });
const tick = setInterval(() => {
  step++;
  console.log(JSON.stringify({ version: 1, type: 'progress', epoch: 1, epochs: 1, step, steps: 3, loss: 1 / step }));
  if (!slow && step === 3) {
    clearInterval(tick);
    require('fs').writeFileSync(out, 'x');
    console.log(JSON.stringify({ version: 1, type: 'done', output: out }));
  }
}, 20);
`;

function setup() {
  const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-job-'));
  const cli = path.join(dir, 'cli.js');
  writeFileSync(cli, FAKE_CLI);
  return { dir, cli, out: path.join(dir, 'out.tnn') };
}

function collect(job: ChildJob) {
  const events: ProgressEvent[] = [];
  job.on('event', (e) => events.push(e));
  const exit = new Promise<{ code: number; cancelled: boolean }>((r) => job.on('exit', (code, cancelled) => r({ code, cancelled })));
  return { events, exit };
}

test('ChildJob streams JSON progress lines and reports the exit', async () => {
  const { dir, cli, out } = setup();
  const job = new ChildJob(cli, ['quantize', 'm', '-o', out], dir);
  const { events, exit } = collect(job);
  job.start();
  const r = await exit;
  assert.equal(r.code, 0);
  assert.equal(r.cancelled, false);
  assert.deepEqual(events.filter((e) => e.type === 'progress').map((e) => (e as { step: number }).step), [1, 2, 3]);
  assert.deepEqual(events.at(-1), { version: 1, type: 'done', output: out });
  assert.ok(existsSync(out));
});

test('ChildJob.cancel stops the child within a second and marks the run cancelled', async () => {
  const { dir, cli, out } = setup();
  const job = new ChildJob(cli, ['quantize', 'm', '-o', out, '--slow'], dir);
  const { events, exit } = collect(job);
  job.start();
  await new Promise<void>((r) => job.on('event', (e) => { if (e.type === 'progress') r(); }));
  const t0 = Date.now();
  job.cancel();
  const r = await exit;
  const elapsed = Date.now() - t0;
  assert.equal(r.cancelled, true);
  // Generous bound: SIGKILL follows SIGTERM after 700 ms; precise timing belongs in benchmarks, not tests.
  assert.ok(elapsed < 5000, `child took ${elapsed} ms to stop`);
  assert.equal(existsSync(out), false);
  assert.ok(events.some((e) => e.type === 'log' && e.message === 'aborted'));
  assert.throws(() => process.kill(job.pid!, 0)); // the process is gone
});

test("childEnv drops the extension host's IPC channel and forces plain Node without colors", () => {
  const env = childEnv({ PATH: '/bin', NODE_CHANNEL_FD: '3', NODE_CHANNEL_SERIALIZATION_MODE: 'json', FORCE_COLOR: '1' });
  assert.deepEqual(env, { PATH: '/bin', ELECTRON_RUN_AS_NODE: '1', FORCE_COLOR: '0' });
});

// A stand-in CLI stuck in synchronous work: it announces a temp file, creates it and ignores SIGTERM.
const STUCK_CLI = `
const out = process.argv[process.argv.indexOf('-o') + 1];
const temp = out + '.0123456789ab.tmp';
console.log(JSON.stringify({ version: 1, type: 'log', message: 'heap ' + process.execArgv.join(' ') }));
console.log(JSON.stringify({ version: 1, type: 'log', message: 'writing ' + temp, temp }));
require('fs').writeFileSync(temp, 'partial');
process.on('SIGTERM', () => {});
setInterval(() => {}, 1000);
`;

test('a child that ignores SIGTERM is killed after the grace period (exit 137) and its announced temp file is removed', async () => {
  const { dir, out } = setup();
  const cli = path.join(dir, 'stuck.js');
  writeFileSync(cli, STUCK_CLI);
  const job = new ChildJob(cli, ['quantize', 'm', '-o', out], dir, { maxOldSpaceMB: 1234 });
  const { events, exit } = collect(job);
  job.start();
  await new Promise<void>((r) => job.on('event', (e) => { if (e.type === 'log' && e.temp) r(); }));
  await new Promise((r) => setTimeout(r, 100));
  job.cancel(200);
  const r = await exit;
  assert.equal(r.code, 137);
  assert.equal(r.cancelled, true);
  assert.ok(job.cancelledAt! >= job.startedAt);
  assert.ok(events.some((e) => e.type === 'log' && e.message === 'heap --max-old-space-size=1234'), 'the heap limit reaches the child');
  assert.deepEqual(job.announcedTemps, [`${out}.0123456789ab.tmp`]);
  assert.ok(existsSync(`${out}.0123456789ab.tmp`), 'SIGKILL left it');
  assert.deepEqual(job.removeTemps(out), [`${out}.0123456789ab.tmp`]);
  assert.deepEqual(readdirSync(dir).sort(), ['cli.js', 'stuck.js']);
});
