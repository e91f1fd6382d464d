/** The quantizer registry is the one list of methods: everything that lists methods or their options derives from it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../../src/cli/run';
import {
  allQuantizerOptions, meanStd, optionFlag, optionProblem, qatMethods, quantizeWeights, QUANTIZERS, QUANTIZER_IDS, resolveOptions, QuantError,
  type QuantizerSpec,
} from '../../../src/core/quant/index';
import { gaussian } from './helpers';

const specs = QUANTIZERS as readonly QuantizerSpec[];

test('ids are unique, and each post-training function labels its result with its own id', () => {
  assert.equal(new Set(QUANTIZER_IDS).size, QUANTIZER_IDS.length);
  const w = gaussian(500, 0.02, 0.3, 9);
  for (const q of specs) {
    const r = quantizeWeights(q.id, w, { seed: 1 });
    assert.equal(r.quant.method, q.id);
    assert.equal(r.trits.length, w.length);
    assert.ok(r.trits.every((t) => t === -1 || t === 0 || t === 1), q.id);
    assert.ok(q.label && q.summary && q.equations, `${q.id} declares label, summary and equations`);
  }
});

test('options: defaults are valid, a key shared by two quantizers is one declaration, bad values name the option', () => {
  for (const q of specs) for (const o of q.options) assert.equal(optionProblem(o, o.default), undefined, `${q.id}.${o.key} default`);
  const shared = allQuantizerOptions().filter((x) => x.methods.length > 1);
  for (const { option, methods } of shared) for (const m of methods) assert.ok(specs.find((q) => q.id === m)!.options.includes(option));
  const withNumber = specs.find((q) => q.options.some((o) => o.type !== 'boolean' && o.min !== undefined))!;
  const o = withNumber.options.find((x) => x.type !== 'boolean' && x.min !== undefined)!;
  assert.throws(() => resolveOptions(withNumber, { [o.key]: o.min! - 1 }), (e: Error) => e instanceof QuantError && e.message.includes(o.key) && e.message.includes(withNumber.id));
  assert.throws(() => resolveOptions(withNumber, { noSuchOption: 1 }), /has no option 'noSuchOption'/);
  assert.deepEqual(resolveOptions(withNumber), Object.fromEntries(withNumber.options.map((x) => [x.key, x.default])));
});

test('`tritscope quantize --help` lists every method, the QAT ones, and every quantizer option flag with its default', async () => {
  let out = '';
  const code = await runCli(['quantize', '--help'], { stdout: (s) => { out += s; }, stderr: () => {}, isTTY: false, signal: new AbortController().signal });
  assert.equal(code, 0);
  const methodLine = out.split('\n').find((l) => l.trim().startsWith('--method'))!;
  for (const id of QUANTIZER_IDS) assert.ok(methodLine.includes(id), `--method help names ${id}`);
  assert.ok(methodLine.includes(`--qat: ${qatMethods().join('|')}`));
  for (const { option } of allQuantizerOptions()) {
    const flag = option.type === 'boolean' && option.default === true ? `no-${optionFlag(option)}` : optionFlag(option);
    const line = out.split('\n').find((l) => l.trim().startsWith(`--${flag} `));
    assert.ok(line, `--${flag} is in --help`);
    if (option.type !== 'boolean') assert.ok(line.includes(`default ${option.default}`), line);
  }
});

test('meanStd is two-pass: exact where the one-pass E[w²] − μ² cancels (|μ| ≫ σ)', () => {
  // 1e8 ± 0.5: σ = 0.5 exactly; the one-pass formula loses all of it in float64 rounding.
  const w = Float64Array.from({ length: 1000 }, (_, i) => 1e8 + (i % 2 ? 0.5 : -0.5));
  const { mu, sigma } = meanStd(w);
  assert.equal(mu, 1e8);
  assert.equal(sigma, 0.5);
  let s = 0, q = 0;
  for (const x of w) { s += x; q += x * x; }
  const onePass = Math.sqrt(Math.max(0, q / w.length - (s / w.length) ** 2));
  assert.ok(Math.abs(onePass - 0.5) > 0.1, `one-pass gives ${onePass}: the case really separates the two`);
});
