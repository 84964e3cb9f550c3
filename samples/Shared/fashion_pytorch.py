"""What the samples' PyTorch comparison scripts share: reading Fashion-MNIST's IDX files and the training loop GenNet's
MnistSample runs (Adam with lr 1e-3, betas 0.9/0.999, eps 1e-7 as GenNet's and Keras's; batch 128 shuffled per epoch, the
last partial batch kept; one line per epoch with its wall time; then the test loss and accuracy in eval mode)."""
import argparse
import gzip
import os
import struct
import time

import torch
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


def arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    return args


def train_and_evaluate(model, epochs, images=lambda x: x, learning_rate=None):
    """Trains on the training images (pixels in [0, 1], shaped by `images`) and prints the test loss and accuracy.
    `learning_rate(epoch)` sets Adam's rate for each epoch; None keeps 1e-3."""
    train_x = images(idx("train-images-idx3-ubyte.gz").float().div_(255))
    train_y = idx("train-labels-idx1-ubyte.gz").long()
    test_x = images(idx("t10k-images-idx3-ubyte.gz").float().div_(255))
    test_y = idx("t10k-labels-idx1-ubyte.gz").long()
    print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    start_all = time.perf_counter()
    for epoch in range(epochs):
        if learning_rate is not None:
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(epoch)
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
        print(f"Epoch {epoch + 1}/{epochs} - {time.perf_counter() - start:.1f}s - loss: {total / seen:.4f} - accuracy: {correct / seen:.4f}", flush=True)
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(test_x[i:i + 1000]) for i in range(0, len(test_x), 1000)])
        loss = F.cross_entropy(logits, test_y).item()
        accuracy = (logits.argmax(1) == test_y).float().mean().item()
    print(f"Test loss: {loss:.4f} - test accuracy: {accuracy:.4f} - {time.perf_counter() - start_all:.0f} s in all")
