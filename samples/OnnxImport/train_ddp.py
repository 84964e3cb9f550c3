#!/usr/bin/python3
"""The OnnxImport sample's network trained with PyTorch's DistributedDataParallel, one process per CPU core, GPU or
machine, started by torchrun; rank 0 evaluates and writes the ONNX file that the .NET program compiles. See
docs/scale-out.md.

One machine, two processes (what was tested here, on CPU with the gloo backend):
    torchrun --standalone --nproc_per_node=2 samples/OnnxImport/train_ddp.py --epochs 4 --out /tmp/fashion-cnn-ddp.onnx
Two machines (not tested here, nor are GPUs): run on each, with the first machine's address and --node_rank 0 and 1:
    torchrun --nnodes=2 --nproc_per_node=1 --node_rank=0 --master_addr=10.0.0.1 --master_port=29500 \\
        samples/OnnxImport/train_ddp.py --epochs 4
Each process trains on its own shard of every epoch (DistributedSampler) with batch 128, so the global batch is
128 x world size; DDP averages the gradients, so every process holds the same weights after each step.
"""
import argparse
import os
import time

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler

from train_fashion import HERE, FashionCnn, evaluate_and_export, load, train_epoch


class Logits(torch.nn.Module):
    """DDP wraps forward(); the training loop wants the logits (softmax is for the exported inference graph)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model.logits(x)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1, help="PyTorch threads per process")
    parser.add_argument("--out", default=os.path.join(HERE, "fashion-cnn.onnx"))
    args = parser.parse_args()
    cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if cuda else "gloo")  # torchrun sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR/PORT
    rank, world = dist.get_rank(), dist.get_world_size()
    device = torch.device("cuda", int(os.environ["LOCAL_RANK"])) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)  # the same initial weights everywhere (DDP also broadcasts rank 0's at wrap time)
    train_x, train_y, test_x, test_y = load()
    train_x, train_y = train_x.to(device), train_y.to(device)
    model = FashionCnn().to(device)
    ddp = DistributedDataParallel(Logits(model), device_ids=[device.index] if cuda else None)
    ddp.logits = ddp.forward  # train_epoch calls model.logits(...)
    optimizer = torch.optim.Adam(ddp.parameters(), lr=1e-3)
    sampler = DistributedSampler(range(len(train_x)), num_replicas=world, rank=rank, shuffle=True, seed=args.seed)
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        start = time.perf_counter()
        loss, accuracy = train_epoch(ddp, optimizer, train_x, train_y, torch.tensor(list(sampler)))
        if rank == 0:
            print(f"Epoch {epoch + 1}/{args.epochs} - {time.perf_counter() - start:.1f}s - rank 0's shard: loss {loss:.4f}"
                  f" - accuracy {accuracy:.4f} ({world} processes)", flush=True)
    if rank == 0:
        evaluate_and_export(model.cpu(), test_x, test_y, args.out)  # the plain module: its weights are DDP's
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
