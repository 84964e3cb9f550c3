#!/usr/bin/python3
"""The Words sample's network in PyTorch, on the same words, split and tokens, for the README's comparison.

Run with Debian's python3-torch:  /usr/bin/python3 samples/Words/pytorch_words.py [--seed 1] [--epochs 4] [--threads 2]
Same as WordsSample.cs: the all-lower-case words of /usr/share/dict/american-english (wamerican), split by the same
SplitMix64 keys (split seed 42: 57,487 training and 6,388 validation words); each word ^ w1 .. wn $ gives n + 1 samples,
the 10 tokens before a character (left-padded) → nn.Embedding(29, 16) (U(-0.05, 0.05), as GenNet's) → nn.GRU(16, 96,
batch_first=True) (PyTorch's default initialisation, which GenNet's GRU uses too), its last state → nn.Linear(96, 27)
(Glorot-uniform weight, zero bias, as GenNet's Dense); Adam at 3e-3 (betas 0.9/0.999, eps 1e-7), batch 128 shuffled
per epoch, the last partial batch kept. Prints each epoch's validation loss per character in nats and bits.
"""
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

WORDS = "/usr/share/dict/american-english"
CONTEXT, END, START, PAD = 10, 0, 27, 28
MASK = (1 << 64) - 1


def key(seed, index):
    z = (seed * 1000003 + index + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def split(words, seed):
    order = sorted(range(len(words)), key=lambda i: (key(seed, i), i))
    held = (len(words) + 5) // 10
    return [words[i] for i in order[held:]], [words[i] for i in order[:held]]


def windows(words):
    xs, ys = [], []
    for word in words:
        tokens = [START] + [ord(c) - ord("a") + 1 for c in word] + [END]
        for n in range(1, len(tokens)):
            history = tokens[max(0, n - CONTEXT):n]
            xs.append([PAD] * (CONTEXT - len(history)) + history)
            ys.append(tokens[n])
    return torch.tensor(xs, dtype=torch.long), torch.tensor(ys, dtype=torch.long)


class NextCharacter(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(29, 16)
        nn.init.uniform_(self.embedding.weight, -0.05, 0.05)
        self.gru = nn.GRU(16, 96, batch_first=True)
        self.head = nn.Linear(96, 27)
        nn.init.xavier_uniform_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, x):
        _, h = self.gru(self.embedding(x))
        return self.head(h[0])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--split-seed", type=int, default=42)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    with open(WORDS) as f:
        words = [w for w in (line.rstrip("\n") for line in f) if w and all("a" <= c <= "z" for c in w)]
    train, validation = split(words, args.split_seed)
    train_x, train_y = windows(train)
    val_x, val_y = windows(validation)
    print(f"{len(words):,} words; {len(train):,} training ({len(train_y):,} characters), {len(validation):,} validation ({len(val_y):,})")
    print(f"first validation words: {' '.join(validation[:5])}")
    model = NextCharacter()
    print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3, betas=(0.9, 0.999), eps=1e-7)
    for epoch in range(args.epochs):
        model.train()
        start = time.perf_counter()
        order = torch.randperm(len(train_y))
        total = 0.0
        for i in range(0, len(order), 128):
            batch = order[i:i + 128]
            loss = F.cross_entropy(model(train_x[batch]), train_y[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        seconds = time.perf_counter() - start
        model.eval()
        with torch.no_grad():
            nats = sum(F.cross_entropy(model(val_x[i:i + 4096]), val_y[i:i + 4096], reduction="sum").item()
                       for i in range(0, len(val_y), 4096)) / len(val_y)
        print(f"epoch {epoch + 1}/{args.epochs}: training {total / len(train_y):.4f} nats/char, validation {nats:.4f} nats/char "
              f"= {nats / math.log(2):.4f} bits/char, {seconds:.1f} s", flush=True)


if __name__ == "__main__":
    main()
