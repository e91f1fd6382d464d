import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { formatTotalsLine, parseNodeTestCounts, parsePythonTestCounts } from '../../../scripts/test-counts.mjs';

test('node:test TAP summary is parsed (cancelled count as failed, todo as skipped)', () => {
  const out = ['ok 1 - a', '# tests 7', '# suites 0', '# pass 5', '# fail 1', '# cancelled 1', '# skipped 0', '# todo 2', '# duration_ms 3.1'].join('\n');
  assert.deepEqual(parseNodeTestCounts(out), { passed: 5, failed: 2, skipped: 2 });
});

test('node:test spec summary is parsed and the last summary wins', () => {
  const out = ['ℹ pass 1', 'ℹ fail 0', 'noise', 'ℹ tests 12', 'ℹ pass 11', 'ℹ fail 1', 'ℹ skipped 3'].join('\n');
  assert.deepEqual(parseNodeTestCounts(out), { passed: 11, failed: 1, skipped: 3 });
});

test('output without a summary gives null, a test titled "pass 3" does not count', () => {
  assert.equal(parseNodeTestCounts('ok 1 - pass 3\nnot ok 2 - fail 1'), null);
});

test('totals line has exactly the form npm test promises', () => {
  assert.equal(formatTotalsLine({ passed: 12, failed: 0, skipped: 0 }), 'tests: 12 passed, 0 failed');
  assert.equal(formatTotalsLine({ passed: 3, failed: 2, skipped: 1 }), 'tests: 3 passed, 2 failed, 1 skipped');
});

test('python/tests/run_tests.py summary is parsed, the last one wins, none gives null', () => {
  const out = ['python tests: 1 passed, 0 failed, 0 skipped (1 s)', 'FAIL: x', 'python tests: 38 passed, 2 failed, 1 skipped (95 s)'].join('\n');
  assert.deepEqual(parsePythonTestCounts(out), { passed: 38, failed: 2, skipped: 1 });
  assert.equal(parsePythonTestCounts('Ran 3 tests\nOK'), null);
});
