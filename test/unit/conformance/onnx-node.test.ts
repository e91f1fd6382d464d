/**
 * The official ONNX node conformance cases as a test suite (issue #12): every case of every ONNX
 * op type the importer supports is generated from the installed onnx package
 * (test/tools/onnx_node_cases.py, cached in .cache/onnx-node-cases), imported and run by the
 * reference executor (onnx-cases.ts), and must pass or be refused with a message naming the node;
 * a wrong number or a crash fails. The per-op table in docs/importers.md must be the one these
 * results render (TRITSCOPE_WRITE_CONFORMANCE=1, i.e. `npm run conformance`, rewrites it).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SUPPORTED_ONNX_OPS } from '../../../src/core/import/index';
import { OPSET_RANGE } from '../../../src/core/import/onnx/import';
import { ensureCases, runCase, type CaseResult, type Manifest } from './onnx-cases';
import { DOC, renderTable, tableInDoc, writeTable } from './table';

let manifest: Manifest;
let results: CaseResult[];

test('the ONNX node cases generate for every supported op type', { timeout: 180_000 }, () => {
  manifest = ensureCases(SUPPORTED_ONNX_OPS);
  assert.deepEqual(manifest.brokenGenerators, [], 'a generator module of the onnx package failed; its cases would be missing');
  const ops = new Set(manifest.cases.map((c) => c.op));
  for (const op of SUPPORTED_ONNX_OPS) assert.ok(ops.has(op), `onnx ${manifest.onnx} has no node case for ${op}`);
  results = manifest.cases.map(runCase);
});

test('no case gives a wrong number or crashes', () => {
  const failed = results.filter((r) => r.status === 'failed');
  assert.deepEqual(failed.map((r) => `${r.name}: ${r.detail}`), []);
});

test('every refusal names the node (or the graph input / output) and says why', () => {
  for (const r of results.filter((x) => x.status === 'refused')) {
    assert.match(r.detail ?? '', /node '[^']*' \(\w+\): .{10,}|graph (input|output) '[^']+'.{10,}|the graph .{10,}/, `${r.name}: ${r.detail}`);
  }
});

test(`the conformance table in ${DOC} is the one these results give`, () => {
  const table = renderTable(manifest, results);
  if (process.env.TRITSCOPE_WRITE_CONFORMANCE === '1') writeTable(table);
  assert.equal(tableInDoc(), table, `${DOC} is out of date: run \`npm run conformance\``);
});

test('the importer header, the docs and the code give the same opset range, and every case opset lies in it', () => {
  const range = `opsets ${OPSET_RANGE[0]}–${OPSET_RANGE[1]}`;
  assert.ok(readFileSync('src/core/import/onnx/import.ts', 'utf8').split('\n').slice(0, 3).join(' ').includes(range), `import.ts header must say ${range}`);
  assert.match(readFileSync(DOC, 'utf8'), new RegExp(`### ONNX \\(default-domain ${range}\\)`));
  for (const r of results) assert.ok(r.opset >= OPSET_RANGE[0] && r.opset <= OPSET_RANGE[1], `${r.name}: opset ${r.opset}`);
});
