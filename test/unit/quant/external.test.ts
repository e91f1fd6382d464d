/**
 * External (PyTorch) quantization sidecars: a valid one becomes a `.tnn` that the
 * reference executor runs; every hostile variant is refused with the file and
 * the field named, and the source model is never modified.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, existsSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serializeSafetensors, type TensorPayload } from '../../../src/core/format/safetensors';
import { exportOnnx } from '../../../src/core/import/index';
import { readTnnFile, unpackTrits } from '../../../src/core/format/index';
import { runReference } from '../../../src/core/exec/reference';
import { isPacked } from '../../../src/core/graph/types';
import { applyExternalQuant, parseQuantSidecar } from '../../../src/core/quant/external';
import { applyThresholds, quantizeWeights } from '../../../src/core/quant/index';
import { tinyCnn, snapshot } from './models';
import { cli } from '../cli/cli-helpers';

type Entry = Record<string, unknown>;

const i8 = (t: Int8Array): Uint8Array => new Uint8Array(t.buffer, t.byteOffset, t.length);
const f32 = (a: number[]): Uint8Array => new Uint8Array(Float32Array.from(a).buffer);

/** A sidecar for tinyCnn: conv2 and fc1 ternary (TWN, post-training), RPReLU on relu1, ternary input of conv2. */
function sidecar(edit: (entries: Entry[], tensors: TensorPayload[], meta: Record<string, string>) => void = () => {}): Uint8Array {
  const m = tinyCnn();
  const tensors: TensorPayload[] = [];
  const entries: Entry[] = ['conv2.weight', 'fc1.weight'].map((w) => {
    const { trits, quant } = quantizeWeights('twn', m.tensors.get(w)!.data);
    tensors.push({ name: `${w}.trits`, dtype: 'I8', shape: m.tensors.get(w)!.shape, data: i8(trits) });
    return { weight: w, method: 'twn', origin: 'ptq', trits: `${w}.trits`, thresholds: quant.thresholds, scale: quant.scale, gamma: null, options: quant.options };
  });
  entries[0].actQuant = { thresholds: { pos: 0.1, neg: -0.2 }, scale: 0.5, gamma: 1, mu: 0, sigma: 0.3, variant: 'gaussian' };
  entries[0].inputRprelu = { slope: 'relu1.slope', shiftIn: 'relu1.shiftIn', shiftOut: 'relu1.shiftOut' };
  tensors.push({ name: 'relu1.slope', dtype: 'F32', shape: [4], data: f32([0.1, 0.2, 0.3, 0.4]) });
  tensors.push({ name: 'relu1.shiftIn', dtype: 'F32', shape: [4], data: f32([0, 0.1, 0, -0.1]) });
  tensors.push({ name: 'relu1.shiftOut', dtype: 'F32', shape: [4], data: f32([-0.5, -0.4, -0.3, -0.2]) });
  const meta: Record<string, string> = { format: 'tritscope-quant', version: '1', provenance: JSON.stringify({ method: 'twn', dataset: 'synthetic', ternaryAccuracy: 0.5 }), labels: JSON.stringify(['a', 'b', 'c', 'd']) };
  edit(entries, tensors, meta);
  meta.layers ??= JSON.stringify(entries);
  return serializeSafetensors(tensors, meta);
}

function assemble(bytes: Uint8Array) {
  return applyExternalQuant(tinyCnn(), parseQuantSidecar(bytes, 'side.safetensors'), { modelFile: 'tiny.onnx' });
}

function refused(edit: Parameters<typeof sidecar>[0], pattern: RegExp): void {
  assert.throws(() => assemble(sidecar(edit)), (e: Error) => {
    assert.match(e.message, /^side\.safetensors: /);
    assert.match(e.message, pattern);
    return true;
  });
}

test('external: a valid sidecar becomes a runnable ternary model with RPReLU and a ternary input', () => {
  const float = tinyCnn();
  const before = snapshot(float);
  const { model, report } = applyExternalQuant(float, parseQuantSidecar(sidecar(), 'side.safetensors'), { modelFile: 'tiny.onnx' });
  assert.equal(snapshot(float), before, 'source model untouched');
  assert.deepEqual([report.ternaryWeights, report.ternaryActivations, report.rprelu, report.rederived.layers, report.rederived.tritMismatches], [2, 1, 1, 2, 0]);
  assert.equal(report.tritsChecked, 216 + 1536);
  const conv2 = model.graph.layers.find((l) => l.name === 'conv2')!;
  assert.equal(conv2.weightQuant?.latent, 'conv2.weight');
  assert.equal(conv2.weightQuant?.options?.origin, 'ptq');
  assert.equal(conv2.actQuant?.variant, 'gaussian');
  const packed = model.tensors.get(conv2.weightQuant!.trits)!;
  assert.ok(isPacked(packed));
  assert.deepEqual(unpackTrits(packed.bytes, packed.count), applyThresholds(float.tensors.get('conv2.weight')!.data, conv2.weightQuant!.thresholds.pos, conv2.weightQuant!.thresholds.neg));
  const relu1 = model.graph.layers.find((l) => l.name === 'relu1')!;
  assert.equal(relu1.op, 'rprelu');
  assert.deepEqual(Object.keys(relu1.weights).sort(), ['shiftIn', 'shiftOut', 'slope']);
  assert.deepEqual(model.graph.labels, ['a', 'b', 'c', 'd']);
  assert.equal(model.provenance.method, 'twn');
  assert.equal(model.provenance.assembledFrom, 'side.safetensors');
  const out = runReference(model, { shape: [2, 1, 8, 8], data: new Float32Array(128).fill(0.5) });
  assert.deepEqual(out.shape, [2, 4]);
  assert.ok(out.data.every(Number.isFinite));
});

test('external: hostile or inconsistent sidecars are refused naming the field', () => {
  refused((_e, _t, m) => { m.format = 'tnn'; }, /__metadata__\.format: expected 'tritscope-quant'/);
  refused((_e, _t, m) => { m.version = '2'; }, /__metadata__\.version/);
  refused((_e, _t, m) => { m.layers = '{"not": "an array"}'; }, /__metadata__\.layers: expected an array/);
  refused((_e, _t, m) => { m.layers = '[1,'; }, /__metadata__\.layers: is not valid JSON/);
  refused((e) => { e[0].extra = 1; }, /layers\[0\]\.extra: unknown key/);
  refused((e) => { e[1].weight = 'conv2.weight'; }, /layers\[1\]\.weight: 'conv2\.weight' appears in more than one entry/);
  refused((e) => { e[0].weight = 'nope.weight'; }, /layers\[0\]\.weight: 'nope\.weight' is not the weight of any Conv\/Gemm in tiny\.onnx/);
  refused((e) => { e[0].method = 'binary'; }, /layers\[0\]\.method: expected one of/);
  refused((e) => { delete e[0].scale; }, /layers\[0\]\.scale: missing/);
  refused((e) => { e[0].scale = { pos: -1, neg: 0.1 }; }, /layers\[0\]\.scale\.pos: expected a number ≥ 0/);
  refused((e) => { e[0].thresholds = { pos: 'x', neg: 0 }; }, /layers\[0\]\.thresholds\.pos: expected a finite number/);
  refused((e) => { e[0].gamma = 0; }, /layers\[0\]\.gamma: expected null or a number > 0/);
  refused((e) => { e[0].options = { nested: { a: 1 } }; }, /layers\[0\]\.options\.nested/);
  refused((e) => { e[0].trits = 'missing.trits'; }, /layers\[0\]\.trits: names tensor 'missing\.trits'/);
  refused((e) => { e[0].trits = 'relu1.slope'; }, /layers\[0\]\.trits: tensor 'relu1\.slope' has dtype F32; expected I8/);
  refused((_e, t) => { t[0].data = new Uint8Array(t[0].data); t[0].data[5] = 2; }, /layers\[0\]\.trits: tensor 'conv2\.weight\.trits' element 5 \(byte \d+\) is 2/);
  refused((_e, t) => { t[0].shape = [216]; }, /layers\[0\]\.trits: shape \[216\] differs from weight 'conv2\.weight'/);
  // Trits that disobey the stored thresholds (Eq. 6) and numbers that are not TWN's.
  refused((e) => { (e[0].thresholds as { pos: number }).pos *= 1.5; }, /layers\[0\]\.trits: \d+ of 216 trits disobey the thresholds/);
  refused((e) => { (e[1].scale as { pos: number }).pos *= 1.001; }, /layers\[1\]\.scale\.pos: .* differs from Tritscope's twn/);
  refused((e) => { e[0].actQuant = { thresholds: { pos: 0, neg: 0 }, scale: 1, gamma: null, variant: 'uniform' }; }, /layers\[0\]\.actQuant\.variant/);
  refused((_e, t) => { t[3].shape = [3]; t[3].data = f32([0, 0, 0]); }, /layers\[0\]\.inputRprelu: slope, shiftIn and shiftOut have 4, 3 and 4 values/);
  refused((_e, t) => { for (const x of t.slice(2)) { x.shape = [3]; x.data = f32([0, 0, 0]); } }, /layers\[0\]\.inputRprelu: 3 values per parameter, but 'relu1' has 4 channels/);
  refused((_e, t) => { t[2].data = f32([NaN, 0, 0, 0]); }, /inputRprelu\.slope: tensor 'relu1\.slope' element 0 is NaN/);
  refused((e) => { e[1].inputRprelu = e[0].inputRprelu; }, /layers\[1\]\.inputRprelu: 4 values per parameter, but 'relu2' has 6 channels/);
  refused((e) => { e.push({ weight: 'conv1.weight', inputRprelu: e[0].inputRprelu }); }, /layers\[2\]\.inputRprelu: the input of layer 'conv1' comes from the graph input, not from the ReLU/);
  refused((e) => { delete e[0].inputRprelu; }, /header\["relu1\.s[a-zA-Z]+"\]: tensor is not referenced/);
  refused((_e, _t, m) => { m.provenance = JSON.stringify({ ternaryAccuracy: 1.5 }); }, /__metadata__\.provenance\.ternaryAccuracy: expected a fraction/);
  refused((_e, _t, m) => { m.labels = JSON.stringify([1]); }, /__metadata__\.labels\[0\]: expected a string/);
  assert.throws(() => parseQuantSidecar(new Uint8Array([1, 2, 3]), 'short.bin'), /short\.bin: header length/);
});

test('external: shared weights and stochastic post-training trits', () => {
  // Stochastic trits need not obey the thresholds but keep each weight's sign (Eq. 7).
  const w = tinyCnn().tensors.get('conv2.weight')!.data;
  const { trits, quant } = quantizeWeights('stochastic', w, { seed: 3 });
  const ok = sidecar((e, t) => {
    e.splice(1, 1);
    t.splice(1, 1);
    t[0] = { name: 'conv2.weight.trits', dtype: 'I8', shape: [6, 4, 3, 3], data: i8(trits) };
    Object.assign(e[0], { method: 'stochastic', thresholds: quant.thresholds, scale: quant.scale, gamma: quant.gamma, mu: quant.mu, sigma: quant.sigma, options: quant.options });
  });
  assert.equal(assemble(ok).report.rederived.layers, 1);
  const flipped = Int8Array.from(trits);
  const k = flipped.findIndex((v) => v !== 0);
  flipped[k] = -flipped[k] as -1 | 1;
  refused((e, t) => {
    e.splice(1, 1);
    t.splice(1, 1);
    t[0] = { name: 'conv2.weight.trits', dtype: 'I8', shape: [6, 4, 3, 3], data: i8(flipped) };
    Object.assign(e[0], { method: 'stochastic', thresholds: quant.thresholds, scale: quant.scale, gamma: quant.gamma, mu: quant.mu, sigma: quant.sigma, options: quant.options });
  }, new RegExp(`trit \\[${k}\\] is .* stochastic ternarization \\(Eq\\. 7\\) keeps the sign`));
});

test('assemble CLI: writes the .tnn atomically, refuses to overwrite inputs or outputs', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-assemble-'));
  const onnx = path.join(dir, 'tiny.onnx');
  writeFileSync(onnx, exportOnnx(tinyCnn()));
  // The ONNX writer names layers after the IR; the weights keep their tensor names.
  const side = path.join(dir, 'tiny.quant.safetensors');
  writeFileSync(side, sidecar((e, t) => { e.forEach((x) => delete x.inputRprelu); t.splice(2); }));
  const out = path.join(dir, 'tiny.tnn');
  const r = await cli('assemble', onnx, side, '-o', out, '--json');
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout) as { output: string; ternaryWeights: number };
  assert.equal(rep.ternaryWeights, 2);
  const tnn = await readTnnFile(out);
  assert.equal(tnn.graph.layers.filter((l) => l.weightQuant).length, 2);
  assert.deepEqual(readdirSync(dir).sort(), ['tiny.onnx', 'tiny.quant.safetensors', 'tiny.tnn']);
  assert.equal(tnn.provenance.sourceFile, 'tiny.onnx');
  assert.equal((await cli('assemble', onnx, side, '-o', out)).code, 1, 'exists without --force');
  symlinkSync(side, path.join(dir, 'link.tnn'));
  assert.match((await cli('assemble', onnx, side, '-o', path.join(dir, 'link.tnn'), '--force')).stderr, /output would overwrite the input/);
  assert.equal((await cli('assemble', onnx, side, '-o', out, '--force')).code, 0);
  assert.equal((await cli('assemble', onnx, '-o', out)).code, 2);
  assert.equal((await cli('assemble', onnx, side, '-o', path.join(dir, 'x.onnx'))).code, 2);
  const bad = path.join(dir, 'bad.safetensors');
  writeFileSync(bad, sidecar((e) => { e[0].weight = 'nope'; }));
  const b = await cli('assemble', onnx, bad, '-o', path.join(dir, 'bad.tnn'));
  assert.equal(b.code, 1);
  assert.match(b.stderr, /bad\.safetensors: layers\[0\]\.weight: 'nope'/);
  assert.ok(!existsSync(path.join(dir, 'bad.tnn')));
  assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')));
});
