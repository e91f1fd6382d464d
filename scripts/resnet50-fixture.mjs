// torchvision ResNet-50 as a TWN `.tnn` for the ResNet-50 benchmarks (bench:debug, bench:editor):
// exported by PyTorch (test/tools/export_torchvision.py, random init under its fixed seed, BatchNorm
// folded, input S×S) into .cache/torchvision-S/, then imported and TWN-quantized by Tritscope's own
// core, as the cnn-scale e2e test does. Made once per size; later calls return the cached file.
// Needs Debian's torch/torchvision/onnx (/usr/bin/python3 or $TRITSCOPE_PYTHON).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** Path of .cache/torchvision-<size>/resnet50.twn.tnn, made when missing; `log` hears what is being made. */
export async function resnet50Tnn(size = 224, log = () => undefined) {
  const dir = path.join(root, `.cache/torchvision-${size}`);
  const tnn = path.join(dir, 'resnet50.twn.tnn');
  if (existsSync(tnn)) return tnn;
  const work = mkdtempSync(path.join(tmpdir(), 'tritscope-resnet50-'));
  try {
    const entry = path.join(work, 'entry.ts');
    writeFileSync(entry, `
export { requirePython } from ${JSON.stringify(path.join(root, 'test/tools/python'))};
export { importModel } from ${JSON.stringify(path.join(root, 'src/core/import/index'))};
export { quantizeModel } from ${JSON.stringify(path.join(root, 'src/core/quant/index'))};
export { writeTnnFile } from ${JSON.stringify(path.join(root, 'src/core/format/index'))};
`);
    const out = path.join(work, 'entry.mjs');
    await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'warning', banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } });
    const lib = await import(pathToFileURL(out).href);
    const onnx = path.join(dir, 'resnet50.onnx');
    if (!existsSync(onnx)) {
      log(`exporting torchvision resnet50 at ${size}×${size} with PyTorch…`);
      const py = lib.requirePython(['torch', 'torchvision', 'onnx', 'numpy']);
      const r = spawnSync(py, [path.join(root, 'test/tools/export_torchvision.py'), '--out', dir, '--size', String(size), '--calib', '0', 'resnet50'], { encoding: 'utf8', maxBuffer: 16 << 20 });
      if (r.status !== 0) throw new Error(`export_torchvision.py resnet50 exited ${r.status}: ${r.stderr}`);
    }
    log('quantizing it (TWN)…');
    await lib.writeTnnFile(tnn, await lib.quantizeModel(await lib.importModel(onnx), { method: 'twn' }));
    return tnn;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
