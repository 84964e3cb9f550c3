#!/usr/bin/python3
"""The FashionResNet sample's network in PyTorch, trained the way the sample trains it, for the README's comparison.

Run with Debian's python3-torch:  /usr/bin/python3 samples/FashionResNet/pytorch_resnet.py [--seed 1] [--epochs 12] [--threads 2]
Same layers and shapes as Program.cs (NCHW inside PyTorch), Glorot-uniform kernels and zero biases as GenNet
initialises them, BatchNorm momentum 0.1 and eps 1e-5, the learning rate on the sample's per-epoch cosine decay; trained
and evaluated (eval mode: running statistics) as samples/Shared/fashion_pytorch.py says.
"""
import math
import os
import sys

import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Shared"))
from fashion_pytorch import arguments, train_and_evaluate  # noqa: E402


def conv_bn(cin, cout, k, stride=1):
    """GenNet's Conv2D(padding same, TensorFlow's split) followed by BatchNormalization."""
    conv = nn.Conv2d(cin, cout, k, stride=stride, bias=True)
    return conv, nn.BatchNorm2d(cout, momentum=0.1, eps=1e-5)


def same(x, k, stride):
    """TensorFlow's 'same' padding: the odd row/column goes after."""
    size = x.shape[-1]
    out = -(-size // stride)
    pad = max((out - 1) * stride + k - size, 0)
    before = pad // 2
    return F.pad(x, (before, pad - before, before, pad - before))


class FashionResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem, self.stem_bn = conv_bn(1, 32, 3)
        self.c1, self.b1 = conv_bn(32, 32, 3)
        self.c2, self.b2 = conv_bn(32, 32, 3)
        self.proj, self.proj_bn = conv_bn(32, 64, 1, stride=2)
        self.c4, self.b4 = conv_bn(32, 64, 3, stride=2)
        self.c5, self.b5 = conv_bn(64, 64, 3)
        self.c6, self.b6 = conv_bn(64, 64, 3)
        self.c7, self.b7 = conv_bn(64, 64, 3)
        self.head = nn.Linear(64, 10)
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)

    @staticmethod
    def cb(conv, bn, x):
        return bn(conv(same(x, conv.kernel_size[0], conv.stride[0])))

    def forward(self, x):
        stem = F.max_pool2d(F.relu(self.cb(self.stem, self.stem_bn, x)), 2)
        h = F.relu(self.cb(self.c1, self.b1, stem))
        stage1 = F.relu(self.cb(self.c2, self.b2, h) + stem)
        projection = self.proj_bn(self.proj(stage1))
        h = F.relu(self.cb(self.c4, self.b4, stage1))
        stage2a = F.relu(self.cb(self.c5, self.b5, h) + projection)
        h = F.relu(self.cb(self.c6, self.b6, stage2a))
        out = F.relu(self.cb(self.c7, self.b7, h) + stage2a)
        return self.head(out.mean(dim=(2, 3)))


if __name__ == "__main__":
    args = arguments()
    model = FashionResNet()
    train_and_evaluate(model, args.epochs, images=lambda x: x.unsqueeze(1),  # the sample's cosine decay, one value per epoch
                       learning_rate=lambda epoch: 1e-3 * 0.5 * (1 + math.cos(math.pi * epoch / args.epochs)))
