#!/usr/bin/python3
"""Trains a small convolutional Fashion-MNIST classifier with PyTorch and exports it to ONNX for the OnnxImport sample,
which compiles the file into a .NET program with <GenNetOnnx> and [Network(Onnx = "fashion-cnn.onnx")].

Run with Debian's python3-torch (and python3-onnx, to check the file):
    /usr/bin/python3 samples/OnnxImport/train_fashion.py [--epochs 4] [--seed 1] [--threads 2] [--out fashion-cnn.onnx]
Prints each epoch, then PyTorch's test loss and accuracy (eval mode: BatchNorm on its running statistics, no Dropout)
and writes the ONNX file next to this script: opset 17, input "image" [batch, 1, 28, 28] (pixels in [0, 1]),
output "probabilities" [batch, 10], dynamic batch. torch.onnx.export's defaults (eval mode, constant folding) fold
each BatchNorm into the convolution before it and leave Dropout out, so the file holds Conv, Relu, MaxPool, Flatten,
Gemm and Softmax nodes.

The network: two 3x3 convolution blocks (same padding, BatchNorm, ReLU, 2x2 max pooling) with 32 and 64 channels,
then 3,136 features -> Dropout 0.3 -> 64 ReLU -> 10 softmax. About 220 k parameters (880 kB of float32).
"""
import argparse
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Shared"))
from fashion_pytorch import idx  # noqa: E402


class FashionCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(64)
        self.dropout = nn.Dropout(0.3)
        self.hidden = nn.Linear(64 * 7 * 7, 64)
        self.output = nn.Linear(64, 10)

    def logits(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)      # 14x14x32
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)      # 7x7x64
        x = F.relu(self.hidden(self.dropout(torch.flatten(x, 1))))
        return self.output(x)

    def forward(self, x):
        return F.softmax(self.logits(x), dim=1)


def load():
    """Fashion-MNIST as PyTorch tensors: images [n, 1, 28, 28] in [0, 1], labels as int64."""
    def images(name):
        return idx(name).float().div_(255).unsqueeze(1)
    return (images("train-images-idx3-ubyte.gz"), idx("train-labels-idx1-ubyte.gz").long(),
            images("t10k-images-idx3-ubyte.gz"), idx("t10k-labels-idx1-ubyte.gz").long())


def train_epoch(model, optimizer, images, labels, order):
    """One pass over images[order] in batches of 128; returns the mean loss and the accuracy seen while training."""
    model.train()
    total, correct = 0.0, 0
    for i in range(0, len(order), 128):
        batch = order[i:i + 128]
        logits = model.logits(images[batch])
        loss = F.cross_entropy(logits, labels[batch])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(batch)
        correct += (logits.argmax(1) == labels[batch]).sum().item()
    return total / len(order), correct / len(order)


def evaluate_and_export(model, test_x, test_y, path):
    """Prints PyTorch's test loss and accuracy in eval mode and writes the ONNX file the sample compiles."""
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model.logits(test_x[i:i + 1000]) for i in range(0, len(test_x), 1000)])
        print(f"PyTorch test loss: {F.cross_entropy(logits, test_y).item():.4f}"
              f" - test accuracy: {(logits.argmax(1) == test_y).float().mean().item():.4f}")
        torch.onnx.export(model, test_x[:1], path, opset_version=17, input_names=["image"],
                          output_names=["probabilities"], dynamic_axes={"image": {0: "batch"}, "probabilities": {0: "batch"}})
    try:
        import onnx
    except ImportError:
        print(f"{os.path.relpath(path)}: {os.path.getsize(path):,} bytes (install python3-onnx to check it)")
        return
    onnx.checker.check_model(onnx.load(path), full_check=True)
    nodes = [node.op_type for node in onnx.load(path).graph.node]
    print(f"{os.path.relpath(path)}: {os.path.getsize(path):,} bytes, nodes {' '.join(nodes)}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default=os.path.join(HERE, "fashion-cnn.onnx"))
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    train_x, train_y, test_x, test_y = load()
    model = FashionCnn()
    print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(args.epochs):
        start = time.perf_counter()
        loss, accuracy = train_epoch(model, optimizer, train_x, train_y, torch.randperm(len(train_x)))
        print(f"Epoch {epoch + 1}/{args.epochs} - {time.perf_counter() - start:.1f}s - loss: {loss:.4f} - accuracy: {accuracy:.4f}",
              flush=True)
    evaluate_and_export(model, test_x, test_y, args.out)


if __name__ == "__main__":
    main()
