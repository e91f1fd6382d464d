/**
 * The hostile-input suite (issue #15): for every reader, generated hostile
 * files go through the CLI commands that read them, as child processes under
 * a 30 s timeout and a memory ceiling (harness/cli-runner.ts says what passes).
 *
 * Adding a reader (GGUF, safetensors checkpoints, …) is one generator in gen/
 * returning HostileCase[] and one line in READERS.
 *
 * Mutations are sampled deterministically (seeded). TRITSCOPE_HOSTILE_SCALE=N
 * multiplies the random samples for a longer soak; the default keeps the suite
 * to a couple of minutes on two cores.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mulberry32 } from '../../../src/core/rng';
import { cleanupRunner, runAll, summarize, type HostileCase } from './harness/cli-runner';
import { arrayCases } from './gen/arrays';
import { cifarCases, folderCases, imageCases } from './gen/images';
import { weightsCases } from './gen/weights';
import { tinyNpy, tinyOnnxBytes, tinyTnnBytes, writeBaseModels } from './gen/models';
import { onnxCases } from './gen/onnx';
import { tfjsCases } from './gen/tfjs';
import { tnnByteCases, tnnGraphCases, tnnJsonCases } from './gen/tnn';

const SCALE = Math.max(1, Number(process.env.TRITSCOPE_HOSTILE_SCALE) || 1);
const SEED = Number(process.env.TRITSCOPE_HOSTILE_SEED) || 15;

const root = mkdtempSync(path.join(tmpdir(), 'tritscope-hostile-'));
/** A file outside every case folder: no reader may ever read it into a model. */
const SECRET = path.join(root, 'secret.bin');

interface Context {
  root: string;
  secret: string;
  models: ReturnType<typeof writeBaseModels>;
  tnn: Uint8Array;
}

/** reader name → its generator. */
const READERS: [string, (ctx: Context) => HostileCase[] | Promise<HostileCase[]>][] = [
  ['.tnn bytes', (c) => tnnByteCases(sub(c, 'tnn'), c.tnn, mulberry32(SEED), SCALE)],
  ['.tnn graph semantics', (c) => tnnGraphCases(sub(c, 'tnn-graph'), c.tnn, mulberry32(SEED + 1), SCALE)],
  ['.tnn JSON amplification', (c) => tnnJsonCases(sub(c, 'tnn-json'), c.tnn)],
  ['ONNX', (c) => onnxCases(sub(c, 'onnx'), tinyOnnxBytes(), mulberry32(SEED + 3), SCALE)],
  ['TF.js', (c) => tfjsCases(sub(c, 'tfjs'), c.models.tfjs, c.secret)],
  ['npy + IDX', (c) => arrayCases(sub(c, 'arrays'), c.models.tiny)],
  ['PNG/JPEG', (c) => imageCases(sub(c, 'images'), c.models.cifar)],
  ['image folders', (c) => folderCases(sub(c, 'folders'), c.models.cifar, path.join(c.root, 'outside', 'secret.png'))],
  ['CIFAR', (c) => cifarCases(sub(c, 'cifar'), c.models.cifar, c.secret)],
  ['GGUF + safetensors', (c) => weightsCases(sub(c, 'weights'))],
];

function sub(c: Context, name: string): string {
  const d = path.join(c.root, name);
  mkdirSync(d, { recursive: true });
  return d;
}

let ctx: Context;

before(async () => {
  assert.ok(existsSync('dist/cli.js'), 'dist/cli.js is missing: run node esbuild.mjs first');
  writeFileSync(SECRET, new Uint8Array(31_560).fill(0x41)); // the TF.js fixture's shard size: only confinement stops it
  mkdirSync(path.join(root, 'outside'));
  writeFileSync(path.join(root, 'outside', 'secret.png'), Buffer.from('89504e470d0a1a0a', 'hex'));
  ctx = { root, secret: SECRET, models: writeBaseModels(path.join(root, 'models')), tnn: await tinyTnnBytes() };
  tinyNpy(path.join(root, 'models'));
});

after(() => {
  rmSync(root, { recursive: true, force: true });
  cleanupRunner();
});

const totals: string[] = [];

// TRITSCOPE_HOSTILE_READERS=onnx,tf.js runs only the readers whose names contain one of the words.
const only = (process.env.TRITSCOPE_HOSTILE_READERS ?? '').toLowerCase().split(',').filter(Boolean);
for (const [reader, generate] of READERS.filter(([r]) => !only.length || only.some((w) => r.toLowerCase().includes(w)))) {
  test(`hostile inputs: ${reader}`, { timeout: 15 * 60_000 }, async () => {
    const cases = await generate(ctx);
    assert.ok(cases.length > 0);
    const results = await runAll(cases);
    const { line, failures } = summarize(reader, results);
    totals.push(line);
    console.log(line);
    for (const f of failures) console.log(f);
    assert.equal(failures.length, 0, `${failures.length} hostile ${reader} case(s) failed:\n${failures.join('\n')}`);
  });
}

test('hostile inputs: summary', () => {
  console.log(`hostile-input suite (seed ${SEED}, scale ${SCALE}):\n${totals.join('\n')}`);
});
