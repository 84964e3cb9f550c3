using System;
using System.ComponentModel;
using System.Threading;
using GenNet.Kernels;

namespace GenNet;

// Dense weights kept packed into panels while only the library writes the parameters: what a trainable network, or an
// inference-only one whose weights live in its float arena (loaded at run time, or written by Load), reads for single
// samples and large batches instead of the rows. See DensePanels.
public abstract partial class NetworkBase
{
    private readonly Lock _packing = new(); // packing panels and refreshing kernel copies: a step's shards, or an inference-only network's callers, may ask at once
    private PackedDense?[] _packedDense = []; // per parameter tensor: a Dense weight packed into panels, once it paid
    private int _densePanelPacks; // how many times a weight has been packed (for tests)

    /// <summary>
    /// The call, among those at one version of the parameters that could read a Dense weight's panels
    /// (<see cref="Dense.PanelsPay"/>), that packs the weight: the first 15 read the rows, the 16th packs and reads the
    /// panels, later ones read them. Packing the seed MLP's first layer costs what about 9 one-sample calls save (10.4 µs
    /// against 3.7 − 2.5 µs a call, `KernelBenchmarks`), so a network that is stepped between every few calls (reinforcement
    /// learning, online learning) never packs; the worst case, a step after every 16th call, spends ~16 % more than the rows
    /// alone would; and one that is evaluated or serves predictions packs once, then streams.
    /// </summary>
    internal const int PackAfterCalls = 16;

    /// <summary>
    /// Dense weight tensor <paramref name="tensor"/> ([<paramref name="outputs"/>, <paramref name="inputs"/>]) packed into
    /// panels of 16 outputs for <see cref="Dense.ForwardPanels"/>, or empty where the rows are to be read: when the batch
    /// would not read panels, while the weights have served fewer than <see cref="PackAfterCalls"/> such calls since the
    /// library last changed them, or for good once <see cref="NetworkBase.Parameters"/> has handed the arena out (a write
    /// through it cannot be seen). Packed once per version of the parameters, into one buffer per tensor; the same bits
    /// either way. Generated for the large Dense layers of trainable networks and of inference-only ones without
    /// compiled-in weights (which read theirs packed by <see cref="EmbeddedWeights.DensePanels"/>); any number of threads
    /// may ask at once: the packing takes a lock, reading packed panels does not.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected ReadOnlySpan<float> DensePanels(int tensor, int inputs, int outputs, int batchSize)
    {
        if (ParametersHandedOut)
        {
            if (_packedDense.Length != 0)
            {
                ReleasePanels(); // never read again
            }

            return default;
        }

        if (!Dense.PanelsPay(batchSize, inputs, outputs))
        {
            return default;
        }

        int version = ParametersVersion;
        PackedDense?[] packed = Volatile.Read(ref _packedDense);
        if ((uint)tensor < (uint)packed.Length && packed[tensor] is { } ready && ready.Holds(version))
        {
            return ready.Panels;
        }

        lock (_packing)
        {
            ParameterTensor weight = Sizes.ParameterTensors[tensor];
            if (weight.Length != (long)inputs * outputs)
            {
                throw new ArgumentException($"parameter tensor {tensor} ({weight.Name}) holds {weight.Length} weights, not {outputs} × {inputs}.");
            }

            if (_packedDense.Length == 0)
            {
                Volatile.Write(ref _packedDense, new PackedDense?[Sizes.ParameterTensors.Length]);
            }

            PackedDense entry = _packedDense[tensor] ??= new PackedDense();
            return entry.Serve(version, ParameterArena.Slice(weight.Offset, weight.Length), inputs, outputs, ref _densePanelPacks);
        }
    }

    private void ReleasePanels()
    {
        lock (_packing)
        {
            Volatile.Write(ref _packedDense, []);
        }
    }

    /// <summary>True when Dense weight <paramref name="tensor"/> is packed for the parameters as they are now (for tests).</summary>
    internal bool HoldsDensePanels(int tensor) =>
        (uint)tensor < (uint)_packedDense.Length && _packedDense[tensor] is { } entry && entry.Holds(ParametersVersion);

    /// <summary>Dense weight <paramref name="tensor"/>'s panels, writable, or empty (for tests that prove the panels are read).</summary>
    internal Span<float> DensePanelsForTests(int tensor) =>
        (uint)tensor < (uint)_packedDense.Length && _packedDense[tensor] is { } entry ? entry.Buffer : default;

    /// <summary>How many times this network has packed a Dense weight into panels (for tests).</summary>
    internal int DensePanelPacks => Volatile.Read(ref _densePanelPacks);

    // One Dense weight's panels: the version of the parameters they were packed from, and how many calls have asked since
    // that version began. Changed only under the network's packing lock; Holds is read without it.
    private sealed class PackedDense
    {
        private float[] _panels = [];
        private int _version = -1, _calls;
        private volatile bool _ready;

        public ReadOnlySpan<float> Panels => _panels;

        public Span<float> Buffer => _panels;

        public bool Holds(int version) => Volatile.Read(ref _version) == version && _ready; // in this order: see Serve's

        public ReadOnlySpan<float> Serve(int version, ReadOnlySpan<float> weight, int inputs, int outputs, ref int packs)
        {
            if (version - _version < 0)
            {
                return default; // a call that read the version before a write that another has already served: the rows
            }

            if (_version != version)
            {
                _ready = false;
                Volatile.Write(ref _version, version);
                _calls = 0;
            }

            if (_ready)
            {
                return _panels;
            }

            if (++_calls < PackAfterCalls)
            {
                return default;
            }

            if (_panels.Length == 0)
            {
                _panels = new float[Dense.PanelLength(inputs, outputs)];
            }

            Dense.PackPanels(weight, _panels, inputs, outputs);
            packs++;
            _ready = true;
            return _panels;
        }
    }
}
