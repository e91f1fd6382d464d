/** The extension removes only temp names of the job's own output, whatever a child announces. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isJobTemp, removeAnnouncedTemps } from '../../../src/extension/quantize/jobTemps';

test('isJobTemp accepts <output>.<x>.tmp beside the output and nothing else', () => {
  assert.ok(isJobTemp('/w/m.tnn.0123456789ab.tmp', '/w/m.tnn'));
  assert.ok(isJobTemp('/w/m.tnn.ckpt.0123456789ab.tmp', '/w/m.tnn'), "the QAT checkpoint's temp");
  for (const bad of ['/w/m.tnn', '/w/other.tnn.1.tmp', '/etc/m.tnn.1.tmp', '/w/sub/m.tnn.1.tmp', 'm.tnn.1.tmp', '/w/x/../m.tnn.1.tmp.x', '/w/m.tnn..tmp', '/w/m.tnn.tmp'])
    assert.equal(isJobTemp(bad, '/w/m.tnn'), false, bad);
});

test('removeAnnouncedTemps removes existing announced temps (regular files only) and reports them', () => {
  const d = mkdtempSync(path.join(tmpdir(), 'tritscope-jobtemps-'));
  const out = path.join(d, 'm.tnn');
  const left = `${out}.aaaaaaaaaaaa.tmp`;
  writeFileSync(left, 'partial');
  mkdirSync(`${out}.bbbbbbbbbbbb.tmp`);
  writeFileSync(path.join(d, 'keep.txt'), 'x');
  const removed = removeAnnouncedTemps([left, left, `${out}.cccccccccccc.tmp`, `${out}.bbbbbbbbbbbb.tmp`, path.join(d, 'keep.txt')], out);
  assert.deepEqual(removed, [left]);
  assert.deepEqual(readdirSync(d).sort(), ['keep.txt', 'm.tnn.bbbbbbbbbbbb.tmp']);
});
