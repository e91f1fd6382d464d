/**
 * The writers' side of the cancellation contract (docs/cancellation.md): temp
 * names are tracked and announced before the file exists, an aborted signal is
 * honoured right before the rename, and every failure removes the temp file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InterruptedError } from '../../../src/core/errors';
import { writeFileAtomic, writeFileAtomicSync } from '../../../src/core/format/index';
import { onTempFile, removeTrackedTemps, trackedTemps, trackTemp } from '../../../src/core/temp-files';

const dir = () => mkdtempSync(path.join(tmpdir(), 'tritscope-atomic-'));

test('writeFileAtomic announces its temp before creating it, renames, and tracks nothing afterwards', async () => {
  const d = dir();
  const target = path.join(d, 'a.bin');
  const seen: { temp: string; existed: boolean }[] = [];
  const off = onTempFile((temp) => seen.push({ temp, existed: readdirSync(d).length > 0 }));
  try {
    await writeFileAtomic(target, new Uint8Array(100).fill(7));
  } finally {
    off();
  }
  assert.equal(seen.length, 1);
  assert.equal(seen[0].existed, false, 'announced before the file exists');
  assert.match(seen[0].temp, /^\/.*\/a\.bin\.[0-9a-f]{12}\.tmp$/);
  assert.deepEqual(readdirSync(d), ['a.bin']);
  assert.deepEqual(trackedTemps(), []);
});

test('an aborted signal stops writeFileAtomic before the rename (InterruptedError naming the file); the target is untouched', async () => {
  const d = dir();
  const target = path.join(d, 'b.bin');
  writeFileSync(target, 'old');
  const c = new AbortController();
  // Aborted while the bytes are being written: the abort lands between the writes and the rename.
  const off = onTempFile(() => setImmediate(() => c.abort('SIGTERM')));
  try {
    await assert.rejects(writeFileAtomic(target, new Uint8Array(64 << 20), { signal: c.signal }), (e: unknown) => e instanceof InterruptedError && /b\.bin: interrupted by SIGTERM/.test((e as Error).message));
  } finally {
    off();
  }
  assert.deepEqual(readdirSync(d), ['b.bin']);
  assert.deepEqual(trackedTemps(), []);
  await assert.rejects(writeFileAtomic(target, new Uint8Array(1), { signal: c.signal }), InterruptedError);
});

test('a failing write removes its temp file (sync and async writers alike)', async () => {
  const d = dir();
  await assert.rejects(writeFileAtomic(path.join(d, 'no-such-folder', 'x.bin'), new Uint8Array(4)));
  writeFileSync(path.join(d, 'file'), 'x');
  assert.throws(() => writeFileAtomicSync(path.join(d, 'file', 'y.bin'), 'z'));
  assert.deepEqual(readdirSync(d), ['file']);
  assert.deepEqual(trackedTemps(), []);
});

test('removeTrackedTemps removes what is still listed (the CLI exit handler) and only that', () => {
  const d = dir();
  const t = trackTemp(path.join(d, 'c.tnn'));
  writeFileSync(t, 'partial');
  writeFileSync(path.join(d, 'someone-else.tmp'), 'keep');
  assert.deepEqual(removeTrackedTemps(), [t]);
  assert.deepEqual(readdirSync(d), ['someone-else.tmp']);
  assert.deepEqual(trackedTemps(), []);
});
