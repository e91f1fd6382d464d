import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latencyStats } from '../../integration/suite/latency-stats';

test('latencyStats: median of odd and even counts, nearest-rank p90, max and mean', () => {
  assert.deepEqual(latencyStats([5, 1, 3]), { n: 3, median: 3, p90: 5, max: 5, mean: 3 });
  const ten = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
  const s = latencyStats(ten);
  assert.equal(s.median, 5.5);
  assert.equal(s.p90, 9);
  assert.equal(s.max, 10);
  assert.equal(s.mean, 5.5);
  assert.deepEqual(ten, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 'input not sorted in place');
  assert.throws(() => latencyStats([]), /no samples/);
});
