/**
 * The real CNNs of issue #12, exported by PyTorch itself: torchvision resnet18, resnet50,
 * mobilenet_v2, mobilenet_v3_small, efficientnet_b0 (random init, fixed seed, opset 13) and the
 * seed paper's CIFAR ResNet-20 (python/tritscope_torch/models.py). test/tools/export_torchvision.py
 * writes them once into .cache/torchvision-<size>/ with PyTorch's logits for one fixed input; the
 * torchvision networks take SIZE×SIZE inputs (their architecture allows it), which keeps a forward
 * pass of ResNet-50 around a second on two shared cores.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readNpy } from '../../../src/core/data/index';
import { tensor, type Tensor } from '../../../src/core/tensor';
import { requirePython } from '../../tools/python';

export const NETWORKS = ['resnet20', 'resnet18', 'resnet50', 'mobilenet_v2', 'mobilenet_v3_small', 'efficientnet_b0'] as const;
export type Network = (typeof NETWORKS)[number];
export const SIZE = 64;
/** The repository root: the working directory of unit and e2e tests; integration suites (in VS Code's host) call setRepoRoot. */
let root = process.cwd();
export function setRepoRoot(dir: string): void {
  root = dir;
}
const cache = (): string => path.join(root, `.cache/torchvision-${SIZE}`);

export const onnxFile = (n: Network): string => path.join(cache(), `${n}.onnx`);
export const inputFile = (n: Network): string => path.join(cache(), `${n}.input.npy`);
const logitsFile = (n: Network): string => path.join(cache(), `${n}.logits.npy`);
/** `npy:` data set spec of EVAL_SAMPLES seeded images labelled with PyTorch's top-1 (and their logits). */
export const EVAL_SAMPLES = 4;
export const evalSpec = (n: Network): string => `npy:${path.join(cache(), `${n}.eval_x.npy`)},${path.join(cache(), `${n}.eval_y.npy`)}`;
const evalLogitsFile = (n: Network): string => path.join(cache(), `${n}.eval_logits.npy`);
/** ResNet-20's images as a CIFAR-10 batch and an image folder, with PyTorch's logits and accuracy (export_torchvision.py --datasets). */
export const DATASET_IMAGES = 20;
export const datasetsDir = (n: 'resnet20'): { root: string; cifar: string; images: string } =>
  ({ root: cache(), cifar: path.join(cache(), `${n}-cifar`), images: path.join(cache(), `${n}-images`) });

/** Exports whatever is missing (about 25 s for all six); throws with the install command when torch is absent. */
export function ensureNetworks(names: readonly Network[] = NETWORKS): void {
  const datasets = (n: Network): string[] => (n === 'resnet20' ? [path.join(cache(), 'resnet20-datasets.json')] : []);
  const missing = names.filter((n) => ![onnxFile(n), inputFile(n), logitsFile(n), evalLogitsFile(n), ...datasets(n)].every(existsSync));
  if (!missing.length) return;
  const py = requirePython(['torch', 'torchvision', 'onnx', 'numpy']);
  const script = path.join(root, 'test/tools/export_torchvision.py');
  const r = spawnSync(py, [script, '--out', cache(), '--size', String(SIZE), '--calib', '0', '--eval', String(EVAL_SAMPLES), '--datasets', String(DATASET_IMAGES), ...missing], { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`export_torchvision.py ${missing.join(' ')} exited ${r.status}: ${r.stderr}`);
}

function npyTensor(file: string): Tensor {
  const a = readNpy(file);
  return tensor(a.shape, Float32Array.from(a.data as ArrayLike<number>));
}

export const pytorchInput = (n: Network): Tensor => npyTensor(inputFile(n));
export const pytorchLogits = (n: Network): Tensor => npyTensor(logitsFile(n));
export const pytorchEvalLogits = (n: Network): Tensor => npyTensor(evalLogitsFile(n));

/** max |a − b| / max |b|: the error relative to the output's scale (random-init logits can be 1e-14 in size). */
export function relToScale(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return m > 0 ? d / m : d;
}
