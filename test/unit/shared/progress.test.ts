import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProgressLine, progressFraction, progressLine, PROGRESS_VERSION } from '../../../src/shared/progress';

test('parseProgressLine: version-1 events; everything else is log text', () => {
  assert.deepEqual(parseProgressLine('{"version":1,"type":"done","output":"x.tnn"}'), { version: 1, type: 'done', output: 'x.tnn' });
  assert.deepEqual(parseProgressLine('{"version":1,"type":"progress","step":2,"steps":4,"extra":true}'), { version: 1, type: 'progress', step: 2, steps: 4, extra: true });
  const log = (message: string) => ({ version: PROGRESS_VERSION, type: 'log', message });
  assert.deepEqual(parseProgressLine('{"version":1,"type":"weird"}'), log('{"version":1,"type":"weird"}'));
  // No version, or a future one: shown as text rather than misread.
  assert.deepEqual(parseProgressLine('{"type":"done","output":"x.tnn"}'), log('{"type":"done","output":"x.tnn"}'));
  assert.deepEqual(parseProgressLine('{"version":2,"type":"done","output":"x.tnn"}'), log('{"version":2,"type":"done","output":"x.tnn"}'));
  // A done without its output or an error without a message is not an event either.
  assert.deepEqual(parseProgressLine('{"version":1,"type":"done"}'), log('{"version":1,"type":"done"}'));
  assert.deepEqual(parseProgressLine('{"version":1,"type":"error","message":3}'), log('{"version":1,"type":"error","message":3}'));
  assert.deepEqual(parseProgressLine('{broken'), log('{broken'));
  assert.deepEqual(parseProgressLine('epoch 1'), log('epoch 1'));
});

test('progressLine writes one versioned JSON object per line, which the reader gets back', () => {
  const line = progressLine({ type: 'progress', stage: 1, epoch: 2, epochs: 3, step: 5, steps: 10, loss: 0.5, acc: 0.75, etaSeconds: 9 });
  assert.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'));
  assert.deepEqual(parseProgressLine(line), { version: 1, type: 'progress', stage: 1, epoch: 2, epochs: 3, step: 5, steps: 10, loss: 0.5, acc: 0.75, etaSeconds: 9 });
  assert.deepEqual(JSON.parse(progressLine({ type: 'error', message: 'x: bad' })), { version: 1, type: 'error', message: 'x: bad' });
});

test('progressFraction spans stages and epochs', () => {
  assert.equal(progressFraction({ version: 1, type: 'progress', epoch: 1, epochs: 2, step: 50, steps: 100 }), 0.25);
  assert.equal(progressFraction({ version: 1, type: 'progress', stage: 2, epoch: 1, epochs: 2, step: 0, steps: 100 }, 2), 0.5);
  assert.equal(progressFraction({ version: 1, type: 'progress', step: 3, steps: 4 }), 0.75);
  assert.equal(progressFraction({ version: 1, type: 'progress' }), undefined);
});
