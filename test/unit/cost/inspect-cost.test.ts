import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../../src/cli/run';
import { serializeTnn } from '../../../src/core/format/index';
import { builtinProfiles } from '../../../src/core/cost';
import { buildEditorModel } from './fixtures';

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const code = await runCli(argv, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, isTTY: false, signal: new AbortController().signal });
  return { code, stdout, stderr };
}

const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-cost-cli-'));
const file = path.join(dir, 'm.tnn');
writeFileSync(file, serializeTnn(buildEditorModel({ channels: [4, 8] })));

test('inspect --json --cost adds per-layer and total cost', async () => {
  const r = await cli('inspect', file, '--json', '--cost', 'int8-mac');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.costProfile.id, 'int8-mac');
  const conv2 = j.layers.find((l: { name: string }) => l.name === 'conv2');
  assert.equal(conv2.cost.macs.tf, 8 * 32 * 32 * 4 * 9);
  assert.ok(Math.abs(conv2.cost.energyPj - conv2.cost.macs.total * 0.23) < 1e-6);
  assert.equal(j.totals.cost.macs.total, j.layers.reduce((a: number, l: { cost?: { macs: { total: number } } }) => a + (l.cost?.macs.total ?? 0), 0));
});

test('inspect --cost text output has a cost table; unknown profiles and bad files are errors', async () => {
  const r = await cli('inspect', file, '--cost', 'binary-cmos-2bit');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /cost profile: Binary CMOS/);
  assert.match(r.stdout, /^conv2 +tf /m);
  const bad = await cli('inspect', file, '--cost', 'quantum');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown profile; use one of binary-cmos-2bit/);
  const pf = path.join(dir, 'p.json');
  writeFileSync(pf, JSON.stringify({ ...builtinProfiles()[0], id: 'mine', weightEncoding: 'bogus' }));
  const badFile = await cli('inspect', file, '--cost', pf);
  assert.equal(badFile.code, 1);
  assert.match(badFile.stderr, /p\.json: weightEncoding: expected one of/);
  writeFileSync(pf, JSON.stringify({ ...builtinProfiles()[0], id: 'mine', name: 'Mine' }));
  const ok = await cli('inspect', file, '--json', '--cost', `${pf}#mine`);
  assert.equal(JSON.parse(ok.stdout).costProfile.name, 'Mine');
});
