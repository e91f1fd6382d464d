/** `tritscope train`: trains a sample float model (samples/models/) on a data set with a fixed seed. */
import path from 'node:path';
import { optNumber, optString } from '../args';
import { exportOnnx, importModel } from '../../core/import/index';
import { writeFileAtomicSync } from '../../core/format/index';
import { UsageError } from '../../core/errors';
import { SAMPLE_ARCHS, type SampleArch } from '../../core/train/sample-models';
import { trainFloatSample } from '../../core/train/float-train';
import { registerCommand } from './index';
import { progressLine } from '../../shared/progress';
import { makeProgressPrinter, progressMode, withJsonErrors } from './train-progress';

registerCommand({
  name: 'train',
  usage: 'train --arch cnn|mlp --data fashion-mnist:train --epochs N --seed S -o <dir>',
  summary: 'train a sample float model (TF.js Layers format) on Fashion-MNIST',
  options: [
    { names: ['arch'], value: true, description: 'cnn | mlp' },
    { names: ['data'], value: true, description: 'training data (default fashion-mnist:train)' },
    { names: ['epochs'], value: true, description: 'epochs (default 3)' },
    { names: ['seed'], value: true, description: 'random seed (default 1)' },
    { names: ['batch'], value: true, description: 'mini-batch size (default 64)' },
    { names: ['lr'], value: true, description: 'Adam learning rate (default 0.001)' },
    { names: ['limit'], value: true, description: 'train on the first N samples' },
    { names: ['backend'], value: true, description: 'force a TF.js backend: wasm | cpu' },
    { names: ['progress'], value: true, description: "'json' for JSON-lines progress" },
    { names: ['onnx'], value: true, description: 'also write an ONNX copy of the trained model to this file' },
    { names: ['o', 'out'], value: true, description: 'output directory' },
  ],
  async run(args, io) {
    const arch = optString(args, 'arch') ?? 'cnn';
    if (!SAMPLE_ARCHS.includes(arch as SampleArch)) throw new UsageError(`train: --arch expects ${SAMPLE_ARCHS.join('|')}, got '${arch}'`);
    const out = optString(args, 'out');
    if (!out) throw new UsageError('train: -o <dir> is required');
    const backend = optString(args, 'backend');
    if (backend !== undefined && backend !== 'wasm' && backend !== 'cpu') throw new UsageError(`train: --backend expects wasm|cpu, got '${backend}'`);
    const mode = progressMode(optString(args, 'progress'), io);
    const r = await withJsonErrors(mode, io, () => trainFloatSample({
      arch: arch as SampleArch,
      data: optString(args, 'data') ?? 'fashion-mnist:train',
      epochs: optNumber(args, 'epochs', 'train') ?? 3,
      seed: optNumber(args, 'seed', 'train') ?? 1,
      batch: optNumber(args, 'batch', 'train'),
      lr: optNumber(args, 'lr', 'train'),
      limit: optNumber(args, 'limit', 'train'),
      out,
      prefer: backend as 'wasm' | 'cpu' | undefined,
      signal: io.signal,
      onProgress: makeProgressPrinter(mode, io),
      log: (l) => io.stderr(l + '\n'), // stderr in every mode: stdout stays JSON-only with --progress json
    }));
    const onnx = optString(args, 'onnx');
    if (onnx) writeFileAtomicSync(onnx, exportOnnx(await importModel(path.join(out, 'model.json'))));
    io.stdout(mode === 'json' ? progressLine({ type: 'done', output: out, accuracy: r.testAccuracy, backend: r.backend, epochSeconds: r.epochSeconds }) : `${out}: ${arch} test top-1 ${(r.testAccuracy * 100).toFixed(2)}% on ${r.testSet} (${r.backend})\n`);
    return 0;
  },
});
