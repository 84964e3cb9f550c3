using System;
using System.Linq;
using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenNet.Benchmarks;

/// <summary>
/// Keras's mnist_convnet as GenNet compiles it: images channels-last [28, 28, 1] (for one channel the same memory as
/// PyTorch's [1, 28, 28]), parameters in PyTorch's layouts and names (conv_0, conv_1, dense_0).
/// </summary>
[Network]
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Conv2D(64, 3, Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dropout(0.5)]
[Dense(10, Activation.Softmax)]
public partial class BenchConvNet;

/// <summary>The convnet's FLOPs, initial weights (GenNet's, seed 42) and the same network in TorchSharp. The data is <see cref="Workload"/>'s.</summary>
public static class ConvWorkload
{
    /// <summary>
    /// Model FLOPs per sample, a multiply-add being 2: conv_0 676 positions × 32 filters × 9, conv_1 121 positions × 64
    /// filters × 288, dense 1600 × 10 (pooling, ReLU and softmax not counted) — 4,881,920.
    /// </summary>
    public const long ForwardFlops = 2L * (26 * 26 * 32 * 9 + 11 * 11 * 64 * 288) + 2L * 1600 * 10;

    /// <summary>Forward + backward as 3× forward, the convention of <see cref="Workload.TrainingFlops"/>.</summary>
    public const long TrainingFlops = 3 * ForwardFlops;

    public static BenchConvNet InitialNetwork()
    {
        var network = new BenchConvNet();
        network.InitializeParameters(42);
        return network;
    }

    /// <summary>
    /// nn.Sequential(Conv2d(1, 32, 3), ReLU, MaxPool2d(2), Conv2d(32, 64, 3), ReLU, MaxPool2d(2), Flatten, Dropout(0.5),
    /// Linear(1600, 10)) with <paramref name="network"/>'s parameters, unchanged: GenNet's Flatten is channel-major like
    /// nn.Flatten on NCHW. Ends in logits (for CrossEntropyLoss) unless <paramref name="softmax"/>.
    /// </summary>
    public static Sequential TorchModel(INetwork network, bool softmax)
    {
        DisableNnpack();
        Conv2d conv0 = nn.Conv2d(1, 32, 3), conv1 = nn.Conv2d(32, 64, 3);
        Linear dense = nn.Linear(1600, 10);
        using (torch.no_grad())
        {
            Copy(network, "conv_0.weight", conv0.weight!);
            Copy(network, "conv_0.bias", conv0.bias!);
            Copy(network, "conv_1.weight", conv1.weight!);
            Copy(network, "conv_1.bias", conv1.bias!);
            Copy(network, "dense_0.weight", dense.weight!);
            Copy(network, "dense_0.bias", dense.bias!);
        }

        return softmax
            ? nn.Sequential(conv0, nn.ReLU(), nn.MaxPool2d(2), conv1, nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5), dense, nn.Softmax(1))
            : nn.Sequential(conv0, nn.ReLU(), nn.MaxPool2d(2), conv1, nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5), dense);
    }

    /// <summary>
    /// libtorch 2.x tries NNPACK for convolutions first; on this machine's CPU its initialisation fails ("Unsupported
    /// hardware") and libtorch logs that warning to stderr on every convolution call — tens of thousands of lines per
    /// benchmark, and time charged to TorchSharp. NNPACK would never be used here, so switching it off
    /// (<c>torch.backends.nnpack.set_flags(False)</c> in Python; TorchSharp has no binding, hence at::Context's own entry
    /// point) changes nothing but the warning. Where the symbol is missing, nothing is done.
    /// </summary>
    private static void DisableNnpack()
    {
        if (s_nnpackChecked)
        {
            return;
        }

        s_nnpackChecked = true;
        torch.InitializeDeviceType(DeviceType.CPU); // loads libtorch_cpu
        try
        {
            SetUserEnabledNnpack(GlobalContext(), false);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    private static bool s_nnpackChecked;

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    /// <summary>
    /// The parameter tensor <paramref name="name"/> of <paramref name="network"/>, copied out of its arena through
    /// <c>ParameterValues</c>: reading <c>Parameters</c> would hand the arena out, after which the network compares its
    /// convolutions' weight copies on every call.
    /// </summary>
    public static float[] Parameter(INetwork network, string name)
    {
        ParameterTensor tensor = network.ParameterTensors.Single(t => t.Name == name);
        return network.ParameterValues.Slice(tensor.Offset, tensor.Length).ToArray();
    }

    internal static void Copy(INetwork network, string name, Tensor destination)
    {
        ParameterTensor source = network.ParameterTensors.Single(t => t.Name == name);
        long[] shape = source.Shape.Select(d => (long)d).ToArray();
        if (!shape.SequenceEqual(destination.shape))
        {
            throw new InvalidOperationException($"{name} is [{string.Join(", ", shape)}] in GenNet but [{string.Join(", ", destination.shape)}] in TorchSharp.");
        }

        using Tensor values = torch.tensor(Parameter(network, name), shape);
        destination.copy_(values);
    }
}
