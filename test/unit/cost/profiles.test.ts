import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { builtinProfiles, loadProfiles, parseProfilesText, ProfileError } from '../../../src/core/cost';

test('built-in profiles validate and every number cites a source', () => {
  const ps = builtinProfiles();
  assert.deepEqual(ps.map((p) => p.id), ['binary-cmos-2bit', 'cntfet-ternary', 'float32-mac', 'int8-mac']);
  for (const p of ps)
    for (const op of Object.values(p.ops))
      for (const n of [op.energyPj, op.transistors]) assert.ok(n.source.length > 10, `${p.id}: ${n.source}`);
  // Horowitz 45 nm figures used as non-assumptions
  const fp = ps.find((p) => p.id === 'float32-mac')!;
  assert.ok(Math.abs(fp.ops.macFF.energyPj.value - (3.7 + 0.9)) < 1e-9);
  assert.equal(fp.ops.macFF.energyPj.assumption, false);
});

const good = JSON.stringify(builtinProfiles()[0]);

test('a user profile with a missing field is rejected naming file and field', () => {
  const bad = JSON.parse(good);
  delete bad.ops.macTF.energyPj.source;
  assert.throws(() => parseProfilesText(JSON.stringify([bad]), 'my.json'),
    (e: unknown) => e instanceof ProfileError && e.message.startsWith('my.json: [0].ops.macTF.energyPj.source: expected'));
});

test('wrong weightEncoding and negative numbers are rejected', () => {
  const bad = JSON.parse(good);
  bad.weightEncoding = 'nibble';
  assert.throws(() => parseProfilesText(JSON.stringify(bad), 'p.json'), /p\.json: weightEncoding: expected one of packed/);
  const neg = JSON.parse(good);
  neg.ops.add.transistors.value = -1;
  assert.throws(() => parseProfilesText(JSON.stringify({ profiles: [neg] }), 'p.json'), /profiles\[0\]\.ops\.add\.transistors\.value: expected a finite number/);
  assert.throws(() => parseProfilesText('{nope', 'p.json'), /p\.json: not valid JSON/);
});

test('loadProfiles adds user profiles and lets them replace built-ins by id', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-prof-'));
  const file = path.join(dir, 'profiles.json');
  const mine = { ...JSON.parse(good), id: 'mine', name: 'Mine' };
  const replaced = { ...JSON.parse(good), name: 'Replaced CMOS' };
  writeFileSync(file, JSON.stringify([mine, replaced]));
  const ps = await loadProfiles(file);
  assert.equal(ps.length, 5);
  assert.equal(ps.find((p) => p.id === 'binary-cmos-2bit')!.name, 'Replaced CMOS');
  assert.equal(ps.find((p) => p.id === 'mine')!.origin, file);
  await assert.rejects(loadProfiles(path.join(dir, 'missing.json')), /missing\.json: cannot read the cost profiles file \(ENOENT\)/);
});
