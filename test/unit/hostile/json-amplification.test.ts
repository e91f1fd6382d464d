/**
 * Issue #15 defect 5: header JSON is bounded (entries, depth) before JSON.parse,
 * and the editor and debugger workers run under resourceLimits, so a file that
 * slips past the parsers kills its worker, not the extension host.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TnnFormatError } from '../../../src/core/errors';
import { parseTnn, serializeTnn } from '../../../src/core/format/index';
import { jsonLimitViolation } from '../../../src/core/json-limits';
import { InspectClient } from '../../../src/extension/editor/inspectClient';
import { WorkerError } from '../../../src/shared/rpc';
import { WorkerEngineConnection } from '../../../src/debug/engineClient';
import { baseModel, editFile } from '../format/helpers';
import { rawHeader } from './gen/tnn';

const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-json-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function rejected(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(() => parseTnn(bytes, 'amp.tnn'), (e: unknown) => e instanceof TnnFormatError && e.message.startsWith('amp.tnn: ') && pattern.test(e.message));
}

test('the scan counts depth, values and top-level entries, and ignores brackets inside strings', () => {
  assert.equal(jsonLimitViolation('{"a": "[[[[[[[[[[\\"]]]]", "b": [1, [2]]}', { maxDepth: 3, maxValues: 10, maxTopLevel: 2 }), undefined);
  assert.match(jsonLimitViolation('[[[[1]]]]', { maxDepth: 3, maxValues: 10 }) ?? '', /nests deeper than 3 levels/);
  assert.match(jsonLimitViolation('[1,2,3,4,5]', { maxDepth: 3, maxValues: 4 }) ?? '', /more than 4 values/);
  assert.match(jsonLimitViolation('{"a":1,"b":2,"c":3}', { maxDepth: 3, maxValues: 10, maxTopLevel: 2 }) ?? '', /more than 2 top-level entries/);
});

test('a header of 250 k zero-size tensors is refused by the entry cap before JSON.parse', () => {
  const parts = ['{"__metadata__":{"format":"tnn"}'];
  for (let i = 0; i < 250_000; i++) parts.push(`,"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`);
  rejected(rawHeader(parts.join('') + '}'), /header \(byte 8\): has more than 200000 top-level entries; refused before parsing/);
});

test('deep nesting in the header or in a metadata string is refused by the depth cap', () => {
  rejected(rawHeader(`{"t":{"dtype":"F32","shape":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)},"data_offsets":[0,0]}}`), /header \(byte 8\): nests deeper than 8 levels/);
  const file = serializeTnn(baseModel());
  rejected(editFile(file, (f) => { f.header.__metadata__.graph = '['.repeat(5_000_000); }), /__metadata__\.graph: nests deeper than 32 levels/);
  rejected(editFile(file, (f) => { f.header.__metadata__.provenance = `[${'0,'.repeat(5_000_000)}0]`; }), /__metadata__\.provenance: holds more than 4000000 values/);
});

/** A stand-in worker script that allocates JS objects until its heap limit stops it. */
function hog(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, "const { parentPort } = require('node:worker_threads'); parentPort.on('message', () => { const keep = []; for (;;) keep.push({ a: [1, 2, 3], b: 'x' + keep.length }); });\n");
  return file;
}

test('the inspect worker runs under a heap limit: a runaway parse fails its request, the host lives', async () => {
  const root = path.join(dir, 'ext');
  hog(path.join(root, 'dist', 'workers', 'inspect.js'));
  const client = new InspectClient(root, { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 });
  try {
    await assert.rejects(client.load('any.tnn', null), (e: unknown) => e instanceof WorkerError && /inspect worker (failed|exited)/.test(e.message) && /memory|code/.test(e.message));
  } finally {
    client.dispose();
  }
  assert.ok(process.memoryUsage().heapUsed < 1024 * 2 ** 20);
});

test('the debugger inference worker runs under a heap limit too', async () => {
  const engine = new WorkerEngineConnection(hog(path.join(dir, 'inference.js')), { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 });
  try {
    await assert.rejects(engine.request({ type: 'dispose' } as never), /inference worker (failed|exited)/);
  } finally {
    await engine.dispose();
  }
});
