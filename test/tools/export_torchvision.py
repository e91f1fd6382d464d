#!/usr/bin/python3
"""Exports torchvision CNNs to ONNX for `tritscope bench --model` (issue 16).

Run with Debian's interpreter (torch 1.13, torchvision 0.14, onnx):

    /usr/bin/python3 test/tools/export_torchvision.py [--out .cache/models] [--calib N] [NAME ...]

NAME is any of resnet18, resnet50, mobilenet_v2, mobilenet_v3_small, efficientnet_b0
(default: all). Weights are torchvision's random initialisation under a fixed seed
(no download: speed and output agreement do not need trained weights); the models
are put in eval mode, so the exporter folds each BatchNormalization into its Conv.
ONNX opset 13, input 'input' of shape [N,3,224,224] with a dynamic batch dimension,
output 'logits'. Each model is checked against PyTorch on one random image with
onnx.checker and, when onnxruntime is importable, by running it.

Also writes calibration data for `tritscope quantize --activations ternary --data
npy:calib_x.npy,calib_y.npy`: N images of standard-normal pixels (the range of
ImageNet-normalised inputs) and labels 0, 1/2/... — random data is enough to set
activation thresholds for speed measurements, not for accuracy.

Writes each file to a temp name and renames it; exits 1 with a message naming the
model when an export fails.
"""
import argparse
import os
import sys

import numpy as np
import torch
import torchvision

MODELS = ['resnet18', 'resnet50', 'mobilenet_v2', 'mobilenet_v3_small', 'efficientnet_b0']
SEED = 16


def export(name, out_dir):
    torch.manual_seed(SEED)
    model = getattr(torchvision.models, name)(weights=None).eval()
    x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(SEED + 1))
    target = os.path.join(out_dir, f'{name}.onnx')
    tmp = target + '.tmp'
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
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    params = sum(p.numel() for p in model.parameters())
    print(f'{target}: {params / 1e6:.1f} M parameters, top-1 of the check image {int(ref.argmax())}; {check}')


def write_npy(path, arr):
    tmp = path + '.tmp.npy'
    np.save(tmp, arr)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('names', nargs='*', default=MODELS)
    ap.add_argument('--out', default=os.path.join('.cache', 'models'))
    ap.add_argument('--calib', type=int, default=8, help='calibration images (default 8)')
    args = ap.parse_args()
    bad = [n for n in args.names if n not in MODELS]
    if bad:
        sys.exit(f'export_torchvision: unknown model {bad}; expected some of {MODELS}')
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(SEED)
    write_npy(os.path.join(args.out, 'calib_x.npy'), rng.standard_normal((args.calib, 3, 224, 224), dtype=np.float32))
    write_npy(os.path.join(args.out, 'calib_y.npy'), (np.arange(args.calib) % 1000).astype(np.int64))
    failed = []
    for name in args.names:
        try:
            export(name, args.out)
        except Exception as e:  # report every model, then fail
            print(f'{name}: export failed: {e}', file=sys.stderr)
            failed.append(name)
    if failed:
        sys.exit(1)


if __name__ == '__main__':
    main()
