#!/usr/bin/python3
"""The SequenceMnist sample's network in PyTorch, trained the way the sample trains it, for the README's comparison.

Run with Debian's python3-torch:  /usr/bin/python3 samples/SequenceMnist/pytorch_lstm.py [--seed 1] [--epochs 15] [--threads 2]
Same network as Program.cs: each image's 28 rows as 28 steps of 28 values, nn.LSTM(28, 128, batch_first=True) with
PyTorch's default initialisation (U(±1/√128), which GenNet's LSTM uses too), its last state into nn.Linear(128, 10) with a
Glorot-uniform weight and zero bias as GenNet initialises Dense; Adam's rate on the sample's per-epoch cosine decay
from 2e-3; trained as samples/Shared/fashion_pytorch.py says. Pass --epochs 15, the sample's default (12 is the shared
default of the scripts).
"""
import math
import os
import sys

import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Shared"))
from fashion_pytorch import arguments, train_and_evaluate  # noqa: E402


class RowLstm(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 128, batch_first=True)
        self.head = nn.Linear(128, 10)
        nn.init.xavier_uniform_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, x):
        h, _ = self.lstm(x)
        return self.head(h[:, -1])


if __name__ == "__main__":
    args = arguments()
    train_and_evaluate(RowLstm(), args.epochs,  # the sample's cosine decay, one value per epoch
                       learning_rate=lambda epoch: 2e-3 * 0.5 * (1 + math.cos(math.pi * epoch / args.epochs)))
