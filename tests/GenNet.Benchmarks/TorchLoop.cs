using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenNet.Benchmarks;

/// <summary>TorchSharp's usual training loop, shared by the MLP, convnet and LSTM epoch benchmarks.</summary>
public static class TorchLoop
{
    /// <summary>One epoch: a seeded permutation, then per batch index_select, forward, loss, backward and an optimizer step. Returns the last batch's loss.</summary>
    public static float Epoch(nn.Module<Tensor, Tensor> model, CrossEntropyLoss loss, optim.Optimizer optimizer, Tensor images, Tensor labels, torch.Generator random, int batchSize)
    {
        long count = images.shape[0];
        float last = 0;
        using Tensor order = torch.randperm(count, generator: random);
        for (long start = 0; start < count; start += batchSize)
        {
            using var scope = torch.NewDisposeScope();
            Tensor rows = order.slice(0, start, Math.Min(start + batchSize, count), 1);
            optimizer.zero_grad();
            Tensor value = loss.forward(model.forward(images.index_select(0, rows)), labels.index_select(0, rows));
            value.backward();
            optimizer.step();
            last = value.item<float>();
        }

        return last;
    }
}
