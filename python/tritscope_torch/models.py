"""Model factories for `python -m tritscope_torch.train --model tritscope_torch.models:<factory>`.

Factories take `in_channels` and `num_classes` (the trainer passes what the data set has) and
return logits (no softmax: the losses and the IR's argmax do not need it).
"""
from torch import nn


def fashion_cnn(in_channels=1, num_classes=10):
    """The sample CNN of samples/models/fashion-cnn (src/core/train/sample-models.ts): three blocks
    conv3×3 'same' (no bias) + BN + ReLU + maxpool2 with 8/16/32 channels, flatten (288), dense 64 +
    ReLU, dense 10. Ternarizable middle layers: conv2, conv3, dense1 (first and last stay float).
    Initialisation is PyTorch's; load samples/models/fashion-cnn.onnx's weights with
    `load_onnx_weights` to start from the very same float model as the TypeScript trainer."""
    layers = []
    chans = [in_channels, 8, 16, 32]
    for i in range(1, 4):
        layers += [("conv%d" % i, nn.Conv2d(chans[i - 1], chans[i], 3, padding=1, bias=False)),
                   ("bn%d" % i, nn.BatchNorm2d(chans[i], eps=1e-3, momentum=0.1)),
                   ("relu%d" % i, nn.ReLU()),
                   ("pool%d" % i, nn.MaxPool2d(2, 2))]
    layers += [("flatten", nn.Flatten()), ("dense1", nn.Linear(32 * 3 * 3, 64)), ("relu4", nn.ReLU()),
               ("dense2", nn.Linear(64, num_classes))]
    from collections import OrderedDict
    return nn.Sequential(OrderedDict(layers))


class BasicBlock(nn.Module):
    """CIFAR ResNet basic block (He et al. 2016 §4.2) with option-B shortcuts (1×1 conv + BN) where the shape changes.

    Option B, not A: option A's parameter-free shortcut needs a strided slice and a zero-padded channel
    concatenation, which Tritscope's IR (and its ONNX importer) has no op for; a 1×1 conv + BN is
    conv2d + batchnorm, which every Tritscope executor runs. Each ReLU is its own module so that
    ternarize() can turn each one into an RPReLU independently."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        self.relu2 = nn.ReLU()

    def forward(self, x):
        out = self.relu1(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu2(out + self.shortcut(x))


class CifarResNet(nn.Module):
    def __init__(self, depth=20, in_channels=3, num_classes=10, widths=(16, 32, 64)):
        super().__init__()
        if (depth - 2) % 6:
            raise ValueError("CIFAR ResNet depth must be 6n + 2, got %d" % depth)
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(in_channels, widths[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU()
        blocks, cin = [], widths[0]
        for stage, w in enumerate(widths):
            for b in range(n):
                blocks.append(BasicBlock(cin, w, 2 if stage > 0 and b == 0 else 1))
                cin = w
        self.layers = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(cin, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        return self.fc(self.flatten(self.pool(self.layers(x))))


def resnet20(in_channels=3, num_classes=10):
    """The seed paper's CIFAR ResNet-20: 3 stages × 3 basic blocks, 16/32/64 channels, option-B shortcuts."""
    return CifarResNet(20, in_channels, num_classes)


# samples/models/fashion-cnn.onnx initializer names for fashion_cnn()'s parameters.
FASHION_CNN_ONNX = dict(
    [("conv%d.weight" % i, "conv%d/weight" % i) for i in (1, 2, 3)]
    + [("bn%d.%s" % (i, p), "bn%d/%s" % (i, q)) for i in (1, 2, 3)
       for p, q in (("weight", "gamma"), ("bias", "beta"), ("running_mean", "mean"), ("running_var", "var"))]
    + [("dense%d.%s" % (i, p), "dense%d/%s" % (i, p)) for i in (1, 2) for p in ("weight", "bias")])


def load_onnx_weights(model, onnx_file, mapping):
    """Copies ONNX initializers into `model` (needs the `onnx` package): mapping = {param name: initializer name}."""
    import onnx
    import torch
    from onnx import numpy_helper
    inits = {i.name: numpy_helper.to_array(i) for i in onnx.load(onnx_file).graph.initializer}
    state = model.state_dict()
    for key, init in mapping.items():
        if init not in inits:
            raise KeyError("%s: no initializer %r (for %r)" % (onnx_file, init, key))
        value = torch.from_numpy(inits[init].copy())
        if tuple(value.shape) != tuple(state[key].shape):
            raise ValueError("%s: initializer %r has shape %s, %r needs %s" % (onnx_file, init, tuple(value.shape), key, tuple(state[key].shape)))
        state[key] = value
    model.load_state_dict(state)
    return model
