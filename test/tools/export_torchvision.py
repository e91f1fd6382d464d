#!/usr/bin/python3
"""Exports torchvision CNNs (and the seed paper's CIFAR ResNet-20) to ONNX, with PyTorch's own logits.

Run with Debian's interpreter (torch 1.13, torchvision 0.14, onnx):

    /usr/bin/python3 test/tools/export_torchvision.py [--out .cache/models] [--size N] [--calib N] [NAME ...]

NAME is any of resnet18, resnet50, mobilenet_v2, mobilenet_v3_small, efficientnet_b0, resnet20
(default: the five torchvision networks). Weights are the random initialisation under a fixed seed
(no download: speed and output agreement do not need trained weights); the models are put in eval
mode, so the exporter folds each BatchNormalization into its Conv. ONNX opset 13, input 'input' of
shape [N,3,S,S] with a dynamic batch dimension (S = --size, default 224; resnet20 is a CIFAR network
and always takes 32), output 'logits'. resnet20 is `tritscope_torch.models.resnet20` (python/): 3
stages x 3 basic blocks, 16/32/64 channels, option-B shortcuts, 10 classes.

Next to each NAME.onnx it writes NAME.input.npy (one standard-normal image, seeded) and
NAME.logits.npy (PyTorch's float32 output for it), so tests can compare Tritscope's logits with
PyTorch's; with --eval N also NAME.eval_x.npy (N seeded images), NAME.eval_y.npy (PyTorch's top-1
for each, int64) and NAME.eval_logits.npy, a labelled set for `tritscope eval`; with --datasets N
(resnet20) the same N seeded uint8 images as a CIFAR-10 binary batch (resnet20-cifar/test_batch.bin)
and an image folder (resnet20-images/<label>/*.png), labels i mod 10, resnet20-datasets.json with
PyTorch's top-1 / top-5 on them after `--preprocess cifar`'s normalisation, and
resnet20-datasets.logits.npy (PyTorch's logits per image). Each model is checked with onnx.checker (and onnxruntime when importable).

Also writes calibration data for `tritscope quantize --activations ternary --data
npy:calib_x.npy,calib_y.npy`: N images of standard-normal pixels (the range of ImageNet-normalised
inputs) at size S and labels 0, 1, 2, ... — random data is enough to set activation thresholds for
speed measurements, not for accuracy.

Writes each file to a temp name of its own process and renames it (two test files may export the
same deterministic model at once); exits 1 with a message naming the model when an export fails.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torchvision

TORCHVISION = ['resnet18', 'resnet50', 'mobilenet_v2', 'mobilenet_v3_small', 'efficientnet_b0']
MODELS = TORCHVISION + ['resnet20']
SEED = 16
CIFAR_SIZE = 32


def build(name):
    torch.manual_seed(SEED)
    if name == 'resnet20':
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'python'))
        from tritscope_torch.models import resnet20
        return resnet20(in_channels=3, num_classes=10).eval()
    return getattr(torchvision.models, name)(weights=None).eval()


def write_npy(path, arr):
    tmp = f'{path}.{os.getpid()}.tmp.npy'  # per process: two test files may export at once
    np.save(tmp, arr)
    os.replace(tmp, path)


def export(name, out_dir, size, evals=0):
    model = build(name)
    s = CIFAR_SIZE if name == 'resnet20' else size
    x = torch.randn(1, 3, s, s, generator=torch.Generator().manual_seed(SEED + 1))
    target = os.path.join(out_dir, f'{name}.onnx')
    tmp = f'{target}.{os.getpid()}.tmp'
    try:
        with torch.no_grad():
            torch.onnx.export(model, x, tmp, opset_version=13, input_names=['input'], output_names=['logits'],
                              dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}}, do_constant_folding=True)
            ref = model(x).numpy()
        import onnx
        onnx.checker.check_model(tmp)
        check = 'onnx.checker ok'
        try:
            import onnxruntime as ort  # optional: not part of Debian's python3-onnx
            got = ort.InferenceSession(tmp).run(None, {'input': x.numpy()})[0]
            check += f'; onnxruntime max |diff| vs torch {np.abs(got - ref).max():.2e}'
        except ImportError:
            pass
        write_npy(os.path.join(out_dir, f'{name}.input.npy'), x.numpy().astype(np.float32))
        write_npy(os.path.join(out_dir, f'{name}.logits.npy'), ref.astype(np.float32))
        if evals:
            # A small labelled set for `tritscope eval`: the labels are PyTorch's own top-1.
            ex = torch.randn(evals, 3, s, s, generator=torch.Generator().manual_seed(SEED + 2))
            with torch.no_grad():
                el = model(ex).numpy()
            write_npy(os.path.join(out_dir, f'{name}.eval_x.npy'), ex.numpy().astype(np.float32))
            write_npy(os.path.join(out_dir, f'{name}.eval_y.npy'), el.argmax(1).astype(np.int64))
            write_npy(os.path.join(out_dir, f'{name}.eval_logits.npy'), el.astype(np.float32))
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    params = sum(p.numel() for p in model.parameters())
    print(f'{target}: {params / 1e6:.1f} M parameters, input {s}x{s}, top-1 of the check image {int(ref.argmax())}; {check}')


# `tritscope --preprocess cifar` (src/core/data/preprocess.ts): CIFAR-10 training-set statistics.
CIFAR_MEAN = np.array([0.4914, 0.4822, 0.4465], dtype=np.float32).reshape(1, 3, 1, 1)
CIFAR_STD = np.array([0.2470, 0.2435, 0.2616], dtype=np.float32).reshape(1, 3, 1, 1)


def write_datasets(name, out_dir, n):
    """NAME-cifar/test_batch.bin (CIFAR-10 binary) and NAME-images/<label>/<i>.png (an image folder) of the same n
    seeded uint8 images, labels i mod 10, plus NAME-datasets.json: PyTorch's top-1 / top-5 accuracy on them after
    the `--preprocess cifar` normalisation, the numbers `tritscope eval` must reproduce, and NAME-datasets.logits.npy
    (PyTorch's logits per image, for `tritscope run --input cifar10:DIR#i`). resnet20 (32x32) only."""
    from PIL import Image
    model = build(name)
    rng = np.random.default_rng(SEED + 3)
    pixels = rng.integers(0, 256, size=(n, 3, CIFAR_SIZE, CIFAR_SIZE), dtype=np.uint8)
    labels = np.arange(n) % 10
    with torch.no_grad():
        logits = model(torch.from_numpy((pixels.astype(np.float32) / 255 - CIFAR_MEAN) / CIFAR_STD)).numpy()
    ranks = (logits > logits[np.arange(n), labels][:, None]).sum(1)
    expected = {'n': n, 'top1': float((ranks == 0).mean()), 'top5': float((ranks < 5).mean()), 'preprocess': 'cifar'}
    cifar = os.path.join(out_dir, f'{name}-cifar')
    os.makedirs(cifar, exist_ok=True)
    records = np.concatenate([labels.astype(np.uint8)[:, None], pixels.reshape(n, -1)], axis=1)
    tmp = os.path.join(cifar, f'test_batch.bin.{os.getpid()}.tmp')
    records.tofile(tmp)
    os.replace(tmp, os.path.join(cifar, 'test_batch.bin'))
    images = os.path.join(out_dir, f'{name}-images')
    for i in range(n):
        d = os.path.join(images, str(labels[i]))
        os.makedirs(d, exist_ok=True)
        tmp = os.path.join(d, f'{i:03d}.{os.getpid()}.tmp.png')
        Image.fromarray(pixels[i].transpose(1, 2, 0)).save(tmp)
        os.replace(tmp, os.path.join(d, f'{i:03d}.png'))
    write_npy(os.path.join(out_dir, f'{name}-datasets.logits.npy'), logits.astype(np.float32))
    target = os.path.join(out_dir, f'{name}-datasets.json')
    with open(target + f'.{os.getpid()}.tmp', 'w') as f:
        json.dump(expected, f)
    os.replace(target + f'.{os.getpid()}.tmp', target)
    print(f'{cifar}, {images}: {n} images; PyTorch top-1 {expected["top1"]:.3f}, top-5 {expected["top5"]:.3f}')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('names', nargs='*', default=TORCHVISION)
    ap.add_argument('--out', default=os.path.join('.cache', 'models'))
    ap.add_argument('--size', type=int, default=224, help='input height and width of the torchvision networks (default 224)')
    ap.add_argument('--calib', type=int, default=8, help='calibration images (default 8)')
    ap.add_argument('--datasets', type=int, default=0, help='resnet20 only: also write N images as a CIFAR-10 batch and an image folder with PyTorch\'s accuracy on them (default 0)')
    ap.add_argument('--eval', type=int, default=0, help='also write NAME.eval_x/eval_y/eval_logits.npy: N seeded images, PyTorch\'s top-1 and logits (default 0)')
    args = ap.parse_args()
    bad = [n for n in args.names if n not in MODELS]
    if bad:
        sys.exit(f'export_torchvision: unknown model {bad}; expected some of {MODELS}')
    if args.size < 32:
        sys.exit(f'export_torchvision: --size {args.size} is below 32, the smallest input these networks reduce to 1x1')
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(SEED)
    if args.calib > 0:
        write_npy(os.path.join(args.out, 'calib_x.npy'), rng.standard_normal((args.calib, 3, args.size, args.size), dtype=np.float32))
        write_npy(os.path.join(args.out, 'calib_y.npy'), (np.arange(args.calib) % 1000).astype(np.int64))
    failed = []
    for name in args.names:
        try:
            export(name, args.out, args.size, args.eval)
            if args.datasets and name == 'resnet20':
                write_datasets(name, args.out, args.datasets)
        except Exception as e:  # report every model, then fail
            print(f'{name}: export failed: {e}', file=sys.stderr)
            failed.append(name)
    if failed:
        sys.exit(1)


if __name__ == '__main__':
    main()
