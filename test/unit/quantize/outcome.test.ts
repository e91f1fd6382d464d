/** What the quantize terminal reports, from the exit code and the output file (src/extension/quantize/outcome.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeExit, signalOfExitCode, type ExitFacts } from '../../../src/extension/quantize/outcome';

const base: ExitFacts = { code: 0, cancelled: false, startedAt: 10_000, output: '/w/m.tnn', removedTemps: [], who: 'the tritscope CLI' };

test('exit codes map to the signals the CLI and the trainer exit with', () => {
  assert.equal(signalOfExitCode(130), 'SIGINT');
  assert.equal(signalOfExitCode(143), 'SIGTERM');
  assert.equal(signalOfExitCode(137), 'SIGKILL');
  assert.equal(signalOfExitCode(1), undefined);
});

test('success needs exit 0 and an output written by this run', () => {
  assert.deepEqual(describeExit({ ...base, outputMtimeMs: 12_000 }), { ok: true, written: true, interrupted: false, lines: [], failure: undefined });
  const stale = describeExit({ ...base, outputMtimeMs: 5_000 });
  assert.equal(stale.ok, false);
  assert.match(stale.failure!, /exited without writing \/w\/m\.tnn/);
});

test('a cancel the CLI honoured: "no output was written", with how it stopped and the temps removed', () => {
  const term = describeExit({ ...base, code: 143, cancelled: true, cancelledAt: 11_000 });
  assert.deepEqual(term.lines, ['cancelled: no output was written (stopped on SIGTERM (exit 143))']);
  assert.equal(term.failure, undefined);
  const kill = describeExit({ ...base, code: 137, cancelled: true, cancelledAt: 11_000, removedTemps: ['/w/m.tnn.0123456789ab.tmp'] });
  assert.deepEqual(kill.lines, [
    'cancelled: no output was written (killed with SIGKILL (exit 137) after the grace period)',
    'removed /w/m.tnn.0123456789ab.tmp (left by the stopped job)',
  ]);
});

test('a cancel that came too late says the output is kept, never "no output was written"', () => {
  const late = describeExit({ ...base, code: 0, cancelled: true, cancelledAt: 11_000, outputMtimeMs: 11_500 });
  assert.equal(late.written, true);
  assert.equal(late.ok, false);
  assert.match(late.lines[0], /was written before the cancel reached the job \(exit 0\); it is kept/);
  const before = describeExit({ ...base, code: 0, cancelled: true, cancelledAt: 11_000, outputMtimeMs: 10_500 });
  assert.match(before.lines[0], /was already written before the cancel/);
});

test('an interruption from outside (no Cancel) and real failures are told apart', () => {
  assert.deepEqual(describeExit({ ...base, code: 130 }).lines, ['interrupted: no output was written (stopped on SIGINT (exit 130))']);
  const fail = describeExit({ ...base, code: 1, error: 'm.onnx: unsupported op' });
  assert.equal(fail.failure, 'm.onnx: unsupported op');
  assert.equal(describeExit({ ...base, code: 3 }).failure, 'the tritscope CLI exited with code 3');
});
