/**
 * The model-format registry: every entry is complete (the recipe in
 * docs/architecture.md stays true), detection picks the right format by content
 * and name, loaders produce what their entry declares, and default output names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TnnFormatError } from '../../../src/core/errors';
import { exportOnnx, importModel } from '../../../src/core/import/index';
import {
  defaultOutputPath, detectFileFormat, dialogExtensions, formatByName, loadModel, loadRunnableModel, MissingFileError, MODEL_FORMATS,
  namesText, UnknownFormatError, whenClause, workspaceGlob, type ModelFormat,
} from '../../../src/core/model-formats/index';
import { writeTinyTnn } from '../../fixtures/tiny-tnn';
import { bitnetCheckpoint, viewerGguf } from '../../fixtures/weights-models';
import { convertToWeightsTnn } from '../../../src/core/weights/convert';
import { readGgufListing } from '../../../src/core/gguf/listing';
import { smallCnn } from '../import/model-builders';

const dir = mkdtempSync(path.join(tmpdir(), 'tritscope-formats-'));

/**
 * One sample file per registered format, written under `name` (a path inside `dir`).
 * Registering a format means adding its writer here: the completeness test below fails until then.
 */
const SAMPLES: Record<string, (file: string) => void> = {
  tnn: (file) => writeTinyTnn(file),
  onnx: (file) => writeFileSync(file, exportOnnx(smallCnn())),
  'tfjs-layers': (file) => {
    const src = path.join(process.cwd(), 'samples', 'models', 'fashion-cnn');
    cpSync(path.join(src, 'weights.bin'), path.join(path.dirname(file), 'weights.bin'));
    cpSync(path.join(src, 'model.json'), file);
  },
  gguf: (file) => writeFileSync(file, viewerGguf().bytes),
  safetensors: (file) => writeFileSync(file, bitnetCheckpoint().bytes),
};

/** Writes format `id`'s sample in its own folder as `name`. */
function sample(id: string, name: string): string {
  const file = path.join(mkdtempSync(path.join(dir, `${id}-`)), name);
  SAMPLES[id](file);
  return file;
}

/** The sample's usual file name: its first exact name, else `model<first extension>`. */
const usualName = (f: ModelFormat) => f.fileNames[0] ?? `model${f.extensions[0]}`;

test('every registered format is complete: id, label, names, uses, detection, loader and a sample file', () => {
  const ids = MODEL_FORMATS.map((f) => f.id);
  assert.equal(new Set(ids).size, ids.length, `duplicate ids in ${ids}`);
  for (const f of MODEL_FORMATS) {
    assert.match(f.id, /^[a-z0-9-]+$/, 'ids are lower-case words');
    assert.ok(f.label.trim(), `${f.id}: label`);
    assert.ok(f.extensions.length + f.fileNames.length > 0, `${f.id}: at least one extension or file name`);
    for (const e of f.extensions) assert.match(e, /^\.[a-z0-9.]+$/, `${f.id}: extension ${e} is lower case with its dot`);
    for (const n of f.fileNames) assert.equal(n, n.toLowerCase(), `${f.id}: file name ${n} is lower case`);
    assert.ok(f.uses.length > 0, `${f.id}: uses`);
    if (f.uses.includes('quantize')) assert.equal(f.produces, 'float', `${f.id}: only float models are quantized`);
    if (f.uses.includes('run')) assert.notEqual(f.produces, 'weights', `${f.id}: weights-only listings cannot run`);
    assert.equal(typeof f.detect, 'function');
    assert.equal(typeof f.load, 'function');
    assert.ok(SAMPLES[f.id], `${f.id}: add a sample writer to SAMPLES in this test`);
  }
});

test('each format detects its own sample by content alone, and its loader produces what the entry declares', async () => {
  for (const f of MODEL_FORMATS) {
    const file = sample(f.id, usualName(f));
    const head = readFileSync(file).subarray(0, 1024);
    assert.ok(f.detect(head), `${f.id} recognizes its sample`);
    for (const other of MODEL_FORMATS) if (other !== f) assert.notEqual(other.detect(head), 'magic', `${other.id} must not claim a ${f.id} file as certain`);
    assert.equal((await detectFileFormat(file)).id, f.id);
    const loaded = await loadModel(file);
    assert.equal(loaded.kind, f.produces, `${f.id} loader`);
    assert.equal(loaded.format, f);
    assert.equal(loaded.bytes, readFileSync(file).length);
  }
});

test('content beats a misleading name; the name decides when the content is not recognized', async () => {
  // A .tnn renamed to .onnx still opens as a .tnn.
  assert.equal((await detectFileFormat(sample('tnn', 'renamed.onnx'))).id, 'tnn');
  // TF.js JSON under another name is still TF.js; an ONNX file without extension is ONNX.
  assert.equal((await detectFileFormat(sample('tfjs-layers', 'weights-v2.json'))).id, 'tfjs-layers');
  assert.equal((await detectFileFormat(sample('onnx', 'exported-model'))).id, 'onnx');
  // A damaged .tnn goes to the .tnn reader, whose error names the field.
  const bad = path.join(dir, 'damaged.tnn');
  writeFileSync(bad, Buffer.from('this is not a tnn file at all'));
  await assert.rejects(loadModel(bad), (e: unknown) => e instanceof TnnFormatError && e.message.includes('damaged.tnn'));
});

test('unknown, empty and missing files get errors naming the file', async () => {
  const junk = path.join(dir, 'junk.bin');
  writeFileSync(junk, Buffer.from([0xff, 0xfe, 0x00, 0x01]));
  await assert.rejects(loadModel(junk), (e: unknown) => e instanceof UnknownFormatError && e.message.includes(junk) && /first bytes ff fe 00 01/.test(e.message));
  const empty = path.join(dir, 'empty.dat');
  writeFileSync(empty, '');
  await assert.rejects(loadModel(empty), (e: unknown) => e instanceof UnknownFormatError && /the file is empty/.test(e.message));
  await assert.rejects(loadModel(path.join(dir, 'nope.onnx'), { what: 'source model' }), (e: unknown) => e instanceof MissingFileError && /source model not found \(ENOENT\)/.test(e.message));
  await assert.rejects(loadModel(dir), (e: unknown) => e instanceof MissingFileError && /is not a regular file/.test(e.message));
});

test('a use the format does not serve is refused before loading', async () => {
  const tnn = sample('tnn', 'm.tnn');
  await assert.rejects(loadModel(tnn, { use: 'quantize' }), /m\.tnn: Tritscope ternary model files cannot be quantized \(files that can: ONNX, TF\.js Layers\)/);
  await assert.rejects(importModel(tnn), /cannot be quantized/);
  await assert.rejects(loadModel(sample('onnx', 'm.onnx'), { use: 'view' }), /ONNX files cannot be opened in the model viewer/);
});

test('one default output name for the CLI and the extension: <base>.<method>[.qat].tnn beside the source', () => {
  assert.equal(defaultOutputPath(path.join('m', 'cnn.onnx'), 'twn'), path.join('m', 'cnn.twn.tnn'));
  assert.equal(defaultOutputPath(path.join('m', 'CNN.ONNX'), 'twn', true), path.join('m', 'CNN.twn.qat.tnn'));
  // A TF.js model is its folder: named after it, written beside it.
  assert.equal(defaultOutputPath(path.join('m', 'cnn', 'model.json'), 'asym-uniform', true), path.join('m', 'cnn.asym-uniform.qat.tnn'));
  assert.equal(defaultOutputPath('model.json', 'ttq'), 'model.ttq.tnn');
  assert.equal(defaultOutputPath(path.join('m', 'other.json'), 'ttq'), path.join('m', 'other.ttq.tnn'));
  assert.equal(defaultOutputPath(path.join('m', 'weights.bin'), 'twn'), path.join('m', 'weights.twn.tnn'));
});

test('file-name rules in the forms menus, pickers and help need', () => {
  assert.equal(workspaceGlob('quantize'), '**/{*.onnx,model.json}');
  assert.equal(workspaceGlob('view'), '**/{*.tnn,*.gguf,*.safetensors}');
  assert.equal(whenClause('view'), 'resourceExtname == .tnn || resourceExtname == .gguf || resourceExtname == .safetensors');
  assert.equal(whenClause('quantize'), 'resourceExtname == .onnx || resourceFilename == model.json');
  assert.deepEqual(dialogExtensions('quantize'), ['onnx', 'json']);
  assert.equal(namesText('quantize'), '.onnx or TF.js Layers model.json');
  assert.equal(formatByName('/x/Model.JSON')?.id, 'tfjs-layers');
  assert.equal(formatByName('/x/.tnn'), undefined, 'an extension alone is not a file name');
});

test('weights-only formats: GGUF by its magic under any name, safetensors by name or as a last resort after .tnn', async () => {
  assert.equal((await detectFileFormat(sample('gguf', 'model.bin'))).id, 'gguf', 'the GGUF magic decides whatever the name');
  assert.equal((await detectFileFormat(sample('gguf', 'model.tnn'))).id, 'gguf', 'a signature beats a misleading .tnn name');
  assert.equal((await detectFileFormat(sample('safetensors', 'model.safetensors'))).id, 'safetensors');
  // A bare safetensors container under an unknown name is only plausible for both: the .tnn reader goes first.
  assert.equal((await detectFileFormat(sample('safetensors', 'model.bin'))).id, 'tnn');
  // A .tnn under a .safetensors name still opens as .tnn: its "format":"tnn" is a signature.
  assert.equal((await detectFileFormat(sample('tnn', 'renamed.safetensors'))).id, 'tnn');
  const g = await loadModel(sample('gguf', 'm.gguf'));
  assert.equal(g.kind === 'weights' && g.listing.tensors.length, viewerGguf().tensors.length);
  await assert.rejects(loadModel(sample('gguf', 'm.gguf'), { use: 'run' }), /GGUF files cannot be run/);
});

test('a weights-only .tnn (no graph layers) loads as a weights listing; the header alone decides', async () => {
  const gguf = sample('gguf', 'source.gguf');
  const out = path.join(path.dirname(gguf), 'converted.tnn');
  await convertToWeightsTnn(await readGgufListing(gguf), out);
  const loaded = await loadModel(out);
  assert.equal(loaded.format.id, 'tnn');
  assert.equal(loaded.kind, 'weights');
  assert.ok(loaded.kind === 'weights' && loaded.listing.tensors.some((t) => t.name === 'blk.0.attn_q.weight' && t.ternary));
  await assert.rejects(loadRunnableModel(out), /holds weights only, nothing to run/);
});
