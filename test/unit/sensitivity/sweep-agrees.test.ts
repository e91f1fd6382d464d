/**
 * The sweep's numbers are what a user gets by quantizing the same keep-float set
 * with `tritscope quantize --keep-float …` and evaluating it with `tritscope eval`
 * on the same samples (issue 14, item 4): float, all ternary, and for every layer
 * "only this ternary" and "all but this ternary", on the sample CNN.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { builtinProfiles, findProfile, modelCost } from '../../../src/core/cost/index';
import { readTnnFile } from '../../../src/core/format/index';
import type { SensitivityResult } from '../../../src/core/sensitivity/index';
import { cli } from '../cli/cli-helpers';

const MODEL = path.resolve('samples/models/fashion-cnn.onnx');
const DATA = 'fashion-mnist:test';
const N = '96';
const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-sens-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function evalTop1(file: string, engine: 'packed' | 'reference'): Promise<number> {
  const r = await cli('eval', file, '--data', DATA, '--limit', N, '--json', '--engine', engine);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { top1: number }).top1;
}

async function quantized(keepFloat: string, tag: string): Promise<string> {
  const out = path.join(dir, `${tag}.tnn`);
  const r = await cli('quantize', MODEL, '--keep-float', keepFloat, '-o', out, '--force');
  assert.equal(r.code, 0, r.stderr);
  return out;
}

async function sweep(engine: string): Promise<SensitivityResult> {
  const r = await cli('sensitivity', MODEL, '--data', DATA, '--limit', N, '--json', '--no-write', '--engine', engine);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as SensitivityResult;
}

test('sensitivity sweep agrees with quantize --keep-float + eval on the same samples (sample CNN)', async () => {
  const s = await sweep('mixed');
  assert.equal(s.data.n, Number(N));
  assert.equal(s.layers.length, 5);
  assert.equal(s.float.top1, await evalTop1(MODEL, 'reference'));
  const names = s.layers.map((l) => l.name);
  assert.equal(s.allTernary.top1, await evalTop1(await quantized('none', 'all'), 'packed'));
  for (const [i, l] of s.layers.entries()) {
    const onlyThis = await quantized(names.filter((n) => n !== l.name).join(','), `only${i}`);
    assert.equal(l.onlyThis.top1, await evalTop1(onlyThis, 'packed'), `only ${l.name} ternary`);
    const allBut = await quantized(l.name, `allbut${i}`);
    assert.equal(l.allButThis.top1, await evalTop1(allBut, 'packed'), `all but ${l.name} ternary`);
  }
  // Ternarization must hurt somewhere, or the comparison above proves little.
  assert.ok(s.allTernary.top1 < s.float.top1);
  assert.ok(s.layers.some((l) => l.onlyThis.kl > 0.01));
});

test('the mixed engine sweep equals the packed and reference engine sweeps (top-1 exactly, KL closely)', async () => {
  const [mixed, packed, reference] = [await sweep('mixed'), await sweep('packed'), await sweep('reference')];
  assert.equal(packed.engine, 'packed');
  for (const other of [packed, reference]) {
    assert.equal(other.allTernary.top1Count, mixed.allTernary.top1Count);
    assert.ok(Math.abs(other.allTernary.kl - mixed.allTernary.kl) < 1e-4 * Math.max(1, mixed.allTernary.kl));
    mixed.layers.forEach((l, i) => {
      const o = other.layers[i];
      assert.equal(o.name, l.name);
      for (const k of ['onlyThis', 'allButThis'] as const) {
        assert.equal(o[k].top1Count, l[k].top1Count, `${other.engine} ${k} ${l.name}`);
        assert.ok(Math.abs(o[k].kl - l[k].kl) < 1e-4 * Math.max(1, l[k].kl), `${other.engine} ${k} ${l.name}: KL ${o[k].kl} vs ${l[k].kl}`);
      }
    });
  }
  // packed and mixed run the same kernels on the same weights: identical, not just close.
  assert.deepEqual(packed.layers.map((l) => [l.onlyThis.kl, l.allButThis.kl]), mixed.layers.map((l) => [l.onlyThis.kl, l.allButThis.kl]));
});

test('--propose: the proposal fits its budget and its measured accuracy is what quantize --keep-float + eval gives', async () => {
  for (const budget of ['float-weights=5%', 'bits=2.2']) {
    const r = await cli('sensitivity', MODEL, '--data', DATA, '--limit', N, '--json', '--no-write', '--propose', '--budget', budget);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as SensitivityResult & { proposal: NonNullable<SensitivityResult['proposals']>[number] };
    const p = s.proposal;
    assert.equal(p.budget.text, budget);
    assert.ok(budget.startsWith('bits') ? p.proposal.bitsPerWeight <= 2.2 : p.proposal.floatWeightShare <= 0.05, JSON.stringify(p.proposal));
    assert.ok(p.proposal.keepFloat.length > 0);
    for (const plan of [p.proposal, p.defaultRule]) {
      const file = await quantized(plan.keepFloat.join(',') || 'none', `plan-${plan.keepFloat.length}-${budget.length}`);
      assert.equal(plan.measured.top1, await evalTop1(file, 'packed'), `${budget}: keep float ${plan.keepFloat.join(',')}`);
      // The budget's units are the cost model's numbers for the file quantize writes.
      const cost = modelCost(await readTnnFile(file), findProfile(builtinProfiles(), s.totals.profile.id)).totals;
      const params = cost.params.ternary + cost.params.float;
      assert.ok(Math.abs(plan.bitsPerWeight - cost.weightBits.packed / params) < 1e-9, `bits/weight ${plan.bitsPerWeight} vs ${cost.weightBits.packed / params}`);
      assert.ok(Math.abs(plan.energyPj - cost.energyPj) < 1e-6 * cost.energyPj, `energy ${plan.energyPj} vs ${cost.energyPj}`);
    }
    assert.deepEqual(p.defaultRule.keepFloat, [s.layers[0].name, s.layers[s.layers.length - 1].name]);
  }
});

test('a .tnn is analysed through its latent float weights (= its float source), a QAT .tnn is refused with the reason', async () => {
  const run = async (file: string) => {
    const r = await cli('sensitivity', file, '--data', DATA, '--limit', '48', '--json', '--no-write');
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as SensitivityResult;
  };
  const tnn = await run('samples/models/fashion-cnn.tnn');
  const source = await run('samples/models/fashion-cnn/model.json');
  assert.equal(tnn.model.source, 'tnn-latent');
  assert.equal(source.model.source, 'float');
  assert.equal(tnn.method, source.method);
  assert.deepEqual(tnn.layers.map((l) => [l.name, l.onlyThis.top1Count, l.allButThis.top1Count]), source.layers.map((l) => [l.name, l.onlyThis.top1Count, l.allButThis.top1Count]));
  assert.equal(tnn.allTernary.top1Count, source.allTernary.top1Count);
  const qat = await cli('sensitivity', 'samples/models/fashion-qat.tnn', '--data', DATA, '--limit', '8', '--no-write');
  assert.equal(qat.code, 1);
  assert.match(qat.stderr, /fashion-qat\.tnn: keeps no float original to analyse/);
});
