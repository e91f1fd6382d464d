// PENDING: rename to datasets-eval.test.ts once the hostile branch (cifar10:/images: data specs, --preprocess) is on main.
/**
 * eval and run on the data set formats users bring (docs/data-sets.md), on the seed paper's CIFAR
 * ResNet-20 as PyTorch exports it: the same seeded uint8 images as a CIFAR-10 binary batch and
 * as an image folder (test/tools/export_torchvision.py --datasets), with `--preprocess cifar`.
 * `run --input cifar10:DIR#i` gives PyTorch's logits for image i, and `eval` on either format
 * gives PyTorch's top-1 / top-5 on the set, for the float ONNX; the .tnn scores the same on both engines.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { readNpy } from '../../../src/core/data/index';
import { cli } from '../cli/cli-helpers';
import { datasetsDir, ensureNetworks, onnxFile, relToScale } from './networks';

before(() => ensureNetworks(['resnet20']), { timeout: 300_000 });

test('ResNet-20 on a CIFAR-10 batch and an image folder: run gives PyTorch\'s logits, eval its accuracy', { timeout: 300_000 }, async () => {
  const dir = datasetsDir('resnet20');
  const expected = JSON.parse(readFileSync(path.join(dir.root, 'resnet20-datasets.json'), 'utf8'));
  const logits = readNpy(path.join(dir.root, 'resnet20-datasets.logits.npy'));
  const classes = logits.shape[1];
  for (const i of [0, 7, expected.n - 1]) {
    const r = await cli('run', onnxFile('resnet20'), '--input', `cifar10:${dir.cifar}#${i}`, '--preprocess', 'cifar', '--json');
    assert.equal(r.code, 0, r.stderr);
    const want = Array.from((logits.data as Float32Array).subarray(i * classes, (i + 1) * classes));
    assert.ok(relToScale(JSON.parse(r.stdout).output.values, want) <= 1e-4, `image ${i}`);
  }
  for (const data of [`cifar10:${dir.cifar}`, `images:${dir.images}`]) {
    const r = await cli('eval', onnxFile('resnet20'), '--data', data, '--preprocess', 'cifar', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { top1: expected.top1, top5: expected.top5, n: expected.n }, data);
  }
});
