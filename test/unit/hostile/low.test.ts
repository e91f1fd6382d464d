/**
 * Regression tests for issue #15's low-severity findings: control characters
 * from model files reach the terminal escaped, the webview title is HTML-escaped,
 * a malformed .npy header is not echoed in full.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clip, escapeHtml, printable, terminalSafe } from '../../../src/core/text';
import { readNpy } from '../../../src/core/data/index';
import { DataError, TnnFormatError } from '../../../src/core/errors';
import { computeChecksum, parseTnn, peekTnnBytes, serializeTnn } from '../../../src/core/format/index';
import { baseModel, editFile } from '../format/helpers';
import { cli } from '../cli/cli-helpers';

const ESC = '\u001b';
const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-low-'));

test('printable/terminalSafe escape terminal controls; layout characters we write pass', () => {
  assert.equal(printable(`a${ESC}[2Jb\nc\u009b\u202e`), 'a\\u001b[2Jb\\u000ac\\u009b\\u202e');
  assert.equal(terminalSafe(`x${ESC}]0;pwned\u0007\ny\tz`), 'x\\u001b]0;pwned\\u0007\ny\tz');
  assert.equal(terminalSafe('\rprogress 50%'), '\rprogress 50%', 'a progress bar may redraw its line');
  assert.equal(terminalSafe('a\rb'), 'a\\u000db', 'but no carriage return inside a chunk');
  // The escape form is JSON's own, so filtered JSON output still parses to the same value.
  const json = JSON.stringify({ name: `n\u0085${ESC}` });
  assert.deepEqual(JSON.parse(terminalSafe(json)), JSON.parse(json));
});

test('clip bounds echoed text', () => {
  const s = clip('x'.repeat(10_000_000));
  assert.ok(s.length < 200, `${s.length}`);
  assert.match(s, /10000000 characters/);
});

test('escapeHtml covers element content and attributes', () => {
  assert.equal(escapeHtml(`</title><script>alert("x")</script>&'`), '&lt;/title&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
});

test('inspect and run --trace print layer names and labels with escape codes escaped', async () => {
  const m = baseModel();
  const evil = `fc1${ESC}[31mRED${ESC}]0;title\u0007\nfake row`;
  m.graph.layers[0].name = evil;
  m.layerStats = { [evil]: m.layerStats!.fc1 };
  m.graph.labels = [`a${ESC}[2J`, 'b'];
  const file = path.join(dir, 'evil.tnn');
  writeFileSync(file, serializeTnn(m));
  for (const argv of [['inspect', file], ['run', file, '--input', 'random:1', '--trace', '--engine', 'reference'], ['inspect', file, '--json']]) {
    const r = await cli(...argv);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(r.stdout + r.stderr), `${argv[0]}: raw control characters in output`);
    if (argv.includes('--json')) assert.equal(JSON.parse(r.stdout).layers[0].name, evil, 'JSON still carries the exact name');
    else assert.match(r.stdout, /fc1\\u001b\[31mRED/);
  }
});

test('a malformed .npy header is not echoed in full; an oversized header length is refused', () => {
  const header = `{'descr': '<f4', ${'x'.repeat(60_000)}}`;
  const b = Buffer.alloc(10 + header.length);
  b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  b.writeUInt16LE(header.length, 8);
  b.write(header, 10);
  const file = path.join(dir, 'bad.npy');
  writeFileSync(file, b);
  assert.throws(() => readNpy(file), (e: unknown) => e instanceof DataError && e.message.includes(file) && /malformed/.test(e.message) && e.message.length < 400);
  const v2 = Buffer.alloc(16);
  v2.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
  v2.writeUInt32LE(0xfffffff0, 8);
  writeFileSync(file, v2);
  assert.throws(() => readNpy(file), /header length 4294967280 exceeds the 65536-byte cap/);
});

test('.tnn header checksum: an edited threshold is detected; a file without the key (older writers) still opens', () => {
  const bytes = serializeTnn(baseModel());
  const edited = editFile(bytes, (f) => {
    const graph = JSON.parse(f.header.__metadata__.graph);
    graph.layers[0].weightQuant.thresholds.neg = -0.9;
    f.header.__metadata__.graph = JSON.stringify(graph);
    f.header.__metadata__.checksum = computeChecksum(f.data); // the data checksum alone would accept it
  }, false);
  assert.throws(() => peekTnnBytes(edited, 'e.tnn'), (e: unknown) => e instanceof TnnFormatError && /e\.tnn: __metadata__\.header_checksum: header hash sha256:[0-9a-f]{64} does not match/.test(e.message));
  const old = editFile(bytes, (f) => { delete f.header.__metadata__.header_checksum; }, false);
  assert.equal(parseTnn(old, 'old.tnn').graph.name, 'tiny');
  assert.match(new TextDecoder().decode(bytes.subarray(0, 4096)), /"header_checksum":"sha256:/, 'the writer stamps it');
});
