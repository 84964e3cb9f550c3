#!/usr/bin/python3
"""The FashionResNet sample's network in PyTorch, trained the way the sample trains it, for the README's comparison.

Run with Debian's python3-torch:  /usr/bin/python3 samples/FashionResNet/pytorch_resnet.py [--seed 1] [--epochs 12] [--threads 2]
Same layers and shapes as Program.cs (NCHW inside PyTorch), Glorot-uniform kernels and zero biases as GenNet
initialises them, BatchNorm momentum 0.1 and eps 1e-5, Adam (lr 1e-3, betas 0.9/0.999, eps 1e-7 as GenNet's and Keras's),
batch 128 shuffled per epoch, the learning rate on the sample's per-epoch cosine decay, the last partial batch kept, pixels scaled to [0, 1]. Prints one line per epoch with its
wall time, then the test loss and accuracy in eval mode (running statistics).
"""
import argparse
import gzip
import math
import os
import struct
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"


def idx(name):
    path = os.path.join(DATA, name)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    train_x = idx("train-images-idx3-ubyte.gz").float().div_(255).unsqueeze(1)
    train_y = idx("train-labels-idx1-ubyte.gz").long()
    test_x = idx("t10k-images-idx3-ubyte.gz").float().div_(255).unsqueeze(1)
    test_y = idx("t10k-labels-idx1-ubyte.gz").long()
    model = FashionResNet()
    print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    start_all = time.perf_counter()
    for epoch in range(args.epochs):
        for group in optimizer.param_groups:  # the sample's cosine decay, one value per epoch
            group["lr"] = 1e-3 * 0.5 * (1 + math.cos(math.pi * epoch / args.epochs))
        model.train()
        start = time.perf_counter()
        order = torch.randperm(len(train_x))
        total, correct, seen = 0.0, 0, 0
        for i in range(0, len(order), 128):
            batch = order[i:i + 128]
            x, y = train_x[batch], train_y[batch]
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
            correct += (logits.argmax(1) == y).sum().item()
            seen += len(batch)
        print(f"Epoch {epoch + 1}/{args.epochs} - {time.perf_counter() - start:.1f}s - loss: {total / seen:.4f} - accuracy: {correct / seen:.4f}", flush=True)
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(test_x[i:i + 1000]) for i in range(0, len(test_x), 1000)])
        loss = F.cross_entropy(logits, test_y).item()
        accuracy = (logits.argmax(1) == test_y).float().mean().item()
    print(f"Test loss: {loss:.4f} - test accuracy: {accuracy:.4f} - {time.perf_counter() - start_all:.0f} s in all")


if __name__ == "__main__":
    main()
