using System;
using System.IO;
using System.Linq;
using GenNet.Tests.Networks;
using Xunit;

namespace GenNet.Tests;

/// <summary>A trainable network with a Dense layer just large enough to keep panels (129 × 67 = 8,643 weights, a last panel of 3 outputs) and one too small.</summary>
[Network]
[Input(129)]
[Dense(67, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class PanelledClassifier;

/// <summary>
/// A trainable network keeps its large Dense weights also packed into panels (<see cref="NetworkBase.DensePanels"/>)
/// once they have served <see cref="NetworkBase.PackAfterCalls"/> calls unchanged; the library's own writes (a
/// step of <c>Fit</c>, <c>Load</c>, <c>InitializeParameters</c>, EarlyStopping's restore) make them stale, and once
/// <c>Parameters</c> has handed the arena out the rows are read for good. Every result is compared bit for bit with a twin
/// whose arena was handed out (so it always reads the rows), holding the same weights.
/// </summary>
[Collection(SerialCollection.Name)] // one test counts allocations
public sealed class TrainablePanelsTests
{
    private const int Inputs = 129, Classes = 3;

    /// <summary>Loads into <paramref name="network"/> what <paramref name="source"/> saves: the library's write through a file.</summary>
    internal static void LoadFrom(INetwork network, INetwork source)
    {
        var file = new MemoryStream();
        source.Save(file);
        file.Position = 0;
        network.Load(file);
    }

    internal static float[] Samples(int count, int seed)
    {
        var random = new Random(seed);
        var x = new float[count * Inputs];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return x;
    }

    private static int[] Labels(float[] x)
    {
        var labels = new int[x.Length / Inputs];
        for (int s = 0; s < labels.Length; s++)
        {
            labels[s] = (x[s * Inputs] > 0 ? 1 : 0) + (x[s * Inputs + 1] > 0.5f ? 1 : 0);
        }

        return labels;
    }

    private static Dataset Data(int count, int seed)
    {
        float[] x = Samples(count, seed);
        return Dataset.Create(x, Labels(x), Inputs);
    }

    // A twin holding `network`'s weights (read without handing them out) whose own arena is handed out: it reads the rows.
    private static T RowsTwin<T>(T network)
        where T : TrainableNetworkBase, new()
    {
        var twin = new T();
        network.ParameterValues.CopyTo(twin.Parameters);
        return twin;
    }

    // Runs `calls` forwards of `batch` samples on both and asserts the same bits each time.
    private static void AssertSameAsRows(INetwork network, INetwork rows, float[] x, int batch, int calls, string when)
    {
        int inputs = network.InputSize, outputs = network.OutputSize;
        float[] expected = new float[batch * outputs], actual = new float[batch * outputs];
        for (int call = 0; call < calls; call++)
        {
            ReadOnlySpan<float> samples = x.AsSpan(call % (x.Length / inputs - batch + 1) * inputs, batch * inputs);
            rows.Forward(samples, expected, batch);
            network.Forward(samples, actual, batch);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                    $"{when}, call {call}, batch {batch}, y[{i / outputs}, {i % outputs}]: {actual[i]:R} against the rows' {expected[i]:R}");
            }
        }
    }

    [Fact]
    public void The_large_Dense_weight_is_packed_after_so_many_unchanged_calls_and_gives_the_rows_bits()
    {
        var network = new PanelledClassifier();
        network.InitializeParameters(3);
        PanelledClassifier rows = RowsTwin(network);
        float[] x = Samples(40, seed: 1);

        AssertSameAsRows(network, rows, x, batch: 1, calls: NetworkBase.PackAfterCalls - 1, "before packing");
        Assert.False(network.HoldsDensePanels(0), "packed before PackAfterCalls calls");
        Assert.Equal(0, network.DensePanelPacks);

        AssertSameAsRows(network, rows, x, batch: 1, calls: 1, "the packing call");
        Assert.True(network.HoldsDensePanels(0), "not packed after PackAfterCalls one-sample calls");
        Assert.False(network.HoldsDensePanels(2), "dense_1's 201 weights were packed; they are read from L1 as rows");
        foreach (int batch in new[] { 1, 2, 3, 4, 5, 17 })
        {
            AssertSameAsRows(network, rows, x, batch, calls: 3, "from the panels");
        }

        Assert.Equal(1, network.DensePanelPacks);
        Assert.False(rows.HoldsDensePanels(0), "the twin whose Parameters were handed out packed its weights");
    }

    [Fact]
    public void Batches_that_read_only_rows_do_not_count_toward_packing()
    {
        var network = new PanelledClassifier();
        network.InitializeParameters(4);
        float[] x = Samples(64, seed: 2);
        var y = new float[32 * Classes];
        for (int call = 0; call < 3 * NetworkBase.PackAfterCalls; call++)
        {
            network.Forward(x.AsSpan(0, 32 * Inputs), y, 32); // 4 ≤ 32 < 64: the 4 × 4 row tiles
        }

        Assert.False(network.HoldsDensePanels(0));
        Assert.Equal(0, network.DensePanelPacks);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_step_of_Fit_makes_the_panels_stale_and_they_follow_the_new_weights(int threads)
    {
        var network = new PanelledClassifier { Threads = threads };
        network.InitializeParameters(5);
        float[] x = Samples(40, seed: 3);
        AssertSameAsRows(network, RowsTwin(network), x, batch: 1, calls: NetworkBase.PackAfterCalls + 2, "before training");
        Assert.True(network.HoldsDensePanels(0));

        network.Fit(Data(256, seed: 4), new Adam(0.01f), epochs: 1, batchSize: 128, verbosity: Verbosity.Silent);
        Shards.AssertRan(threads, network.LastStepShards, $"PanelledClassifier, batch 128, Threads = {threads}"); // the step ran on as many threads as asked
        Assert.False(network.HoldsDensePanels(0), "the panels of the weights before the step still count as current");
        AssertSameAsRows(network, RowsTwin(network), x, batch: 1, calls: NetworkBase.PackAfterCalls + 4, "after Fit");
        Assert.True(network.HoldsDensePanels(0));
        Assert.Equal(2, network.DensePanelPacks);
    }

    [Fact]
    public void A_step_split_by_outputs_over_two_threads_makes_the_panels_stale()
    {
        var network = new MnistMlp { Threads = 2 };
        network.InitializeParameters(14);
        float[] images = ConvNetworkTests.Images(64, seed: 14);
        int[] labels = ConvNetworkTests.Labels(64);

        AssertSameAsRows(network, RowsTwin(network), images, batch: 1, calls: NetworkBase.PackAfterCalls + 1, "before training");
        Assert.True(network.HoldsDensePanels(0));

        network.Fit(Dataset.Create(images, labels, 28, 28), new Adam(), epochs: 1, batchSize: 32, verbosity: Verbosity.Silent);
        Assert.True(network.LastStepSplitByOutputs, "the step was not split by outputs, so the optimizer did not step in parts");
        Assert.False(network.HoldsDensePanels(0), "the optimizer's step in parts left the old panels current");
        AssertSameAsRows(network, RowsTwin(network), images, batch: 1, calls: NetworkBase.PackAfterCalls + 1, "after the split step");
    }

    [Fact]
    public void Load_and_InitializeParameters_make_the_panels_stale()
    {
        var network = new PanelledClassifier();
        network.InitializeParameters(6);
        float[] x = Samples(40, seed: 5);
        AssertSameAsRows(network, RowsTwin(network), x, batch: 2, calls: NetworkBase.PackAfterCalls + 1, "initialised");
        Assert.True(network.HoldsDensePanels(0));

        var other = new PanelledClassifier();
        other.InitializeParameters(7);
        TrainablePanelsTests.LoadFrom(network, other);
        Assert.False(network.HoldsDensePanels(0), "Load left the old panels current");
        AssertSameAsRows(network, RowsTwin(other), x, batch: 1, calls: NetworkBase.PackAfterCalls + 3, "loaded");
        Assert.True(network.HoldsDensePanels(0));

        network.InitializeParameters(8);
        Assert.False(network.HoldsDensePanels(0), "InitializeParameters left the old panels current");
        var fresh = new PanelledClassifier();
        fresh.InitializeParameters(8);
        AssertSameAsRows(network, RowsTwin(fresh), x, batch: 3, calls: NetworkBase.PackAfterCalls + 3, "re-initialised");
        Assert.Equal(3, network.DensePanelPacks);
    }

    [Fact]
    public void EarlyStoppings_restore_makes_the_panels_stale()
    {
        var network = new PanelledClassifier();
        network.InitializeParameters(9);
        float[] x = Samples(40, seed: 6);
        var probe = new PanelsProbe(network, x);
        var stopping = new EarlyStopping("loss", patience: 5, restoreBestWeights: true);

        // A sound first epoch, then far too large a learning rate: the loss rises, so the restore brings back weights other
        // than the last epoch's, from which the probe packed the panels at that epoch's end.
        var sgd = new Sgd(0.05f) { Schedule = new SoundThenWild(stepsPerEpoch: 8) };
        network.Fit(Data(256, seed: 7), sgd, epochs: 3, [probe, stopping], batchSize: 32, verbosity: Verbosity.Silent);
        Assert.Equal(3, probe.SawPanels);
        Assert.True(stopping.BestEpoch < 3, $"the last epoch was the best ({stopping.BestEpoch}): the restore changes nothing to test");
        Assert.False(network.ParameterValues.SequenceEqual(probe.LastEpochWeights), "the restore wrote the last epoch's weights");
        Assert.False(network.HoldsDensePanels(0), "the restored weights are served from the panels of the last epoch's");
        AssertSameAsRows(network, RowsTwin(network), x, batch: 1, calls: NetworkBase.PackAfterCalls + 2, "restored");
    }

    private sealed class SoundThenWild(int stepsPerEpoch) : LearningRateSchedule
    {
        public override float Rate(long step) => step < stepsPerEpoch ? 0.05f : 3f;
    }

    // Packs the weights at the end of each epoch (PackAfterCalls calls) so that EarlyStopping's restore has panels to make stale.
    private sealed class PanelsProbe(PanelledClassifier network, float[] x) : Callback
    {
        public int SawPanels { get; private set; }

        public float[] LastEpochWeights { get; private set; } = [];

        public override bool OnEpochEnd(EpochReport report)
        {
            LastEpochWeights = network.ParameterValues.ToArray();
            var y = new float[Classes];
            for (int call = 0; call < NetworkBase.PackAfterCalls; call++)
            {
                network.Forward(x.AsSpan(0, Inputs), y);
            }

            SawPanels += network.HoldsDensePanels(0) ? 1 : 0;
            return false;
        }
    }

    [Fact]
    public void Handing_out_Parameters_turns_the_panels_off_for_good()
    {
        var network = new PanelledClassifier();
        network.InitializeParameters(10);
        float[] x = Samples(40, seed: 8);
        var rows = RowsTwin(network);
        AssertSameAsRows(network, rows, x, batch: 1, calls: NetworkBase.PackAfterCalls + 1, "before");
        Assert.True(network.HoldsDensePanels(0));

        Span<float> weight = network.ParameterTensors[0].Slice(network.Parameters);
        Span<float> rowsWeight = rows.ParameterTensors[0].Slice(rows.Parameters);
        for (int round = 0; round < 3; round++)
        {
            weight[round * 500] += 0.75f; // a write the network cannot see, made between calls
            rowsWeight[round * 500] += 0.75f;
            AssertSameAsRows(network, rows, x, batch: 1, calls: 2 * NetworkBase.PackAfterCalls, $"write {round}");
        }

        Assert.Equal(1, network.DensePanelPacks);
    }

    [Fact]
    public void A_network_stepped_between_every_few_calls_never_packs()
    {
        var network = new PanelledClassifier();
        network.InitializeParameters(11);
        float[] x = Samples(8, seed: 9);
        Dataset data = Data(8, seed: 10);
        var y = new float[Classes];
        var optimizer = new Sgd(0.01f);
        for (int round = 0; round < 4 * NetworkBase.PackAfterCalls; round++)
        {
            for (int call = 0; call < 3; call++)
            {
                network.Forward(x.AsSpan(call * Inputs, Inputs), y);
            }

            network.Fit(data, optimizer, epochs: 1, batchSize: 8, verbosity: Verbosity.Silent); // one step
        }

        Assert.Equal(0, network.DensePanelPacks);
    }

    [Fact]
    public void Calibration_sees_a_trainable_network_that_reads_its_panels()
    {
        // The calibration recorder watches the Dense products; ForwardPanels reports to it as Forward does, so a network
        // that reads its panels writes the same calibrated file as one that reads its rows.
        var network = new PanelledClassifier();
        network.InitializeParameters(12);
        PanelledClassifier rows = RowsTwin(network);
        float[] x = Samples(64, seed: 11);
        var y = new float[Classes];
        for (int call = 0; call < NetworkBase.PackAfterCalls; call++)
        {
            network.Forward(x.AsSpan(0, Inputs), y);
        }

        Assert.True(network.HoldsDensePanels(0));
        var fromPanels = new MemoryStream();
        var fromRows = new MemoryStream();
        network.Save(fromPanels, WeightPrecision.Int8, x.AsSpan(0, 3 * Inputs)); // batches of 3 read the panels
        rows.Save(fromRows, WeightPrecision.Int8, x.AsSpan(0, 3 * Inputs));
        Assert.True(network.HoldsDensePanels(0), "saving a calibrated file changed what the network computes with");
        Assert.Equal(fromRows.ToArray(), fromPanels.ToArray());
    }

    [Fact]
    public void After_packing_the_panels_are_what_is_read()
    {
        // The outputs are the rows' bits either way, so only a changed panel shows that the panels are read: a call after
        // a NaN is written into them gives NaN; after a step (stale panels) the network packs afresh from the arena.
        var network = new PanelledClassifier();
        network.InitializeParameters(15);
        float[] x = Samples(8, seed: 13);
        var y = new float[Classes];
        for (int call = 0; call < NetworkBase.PackAfterCalls; call++)
        {
            network.Forward(x.AsSpan(0, Inputs), y);
        }

        Assert.All(y, value => Assert.True(float.IsFinite(value)));
        network.DensePanelsForTests(0)[5] = float.NaN;
        network.Forward(x.AsSpan(0, Inputs), y);
        Assert.All(y, value => Assert.True(float.IsNaN(value), $"{value}: the one-sample call did not read the panels"));

        network.Fit(Data(16, seed: 14), new Sgd(0.01f), epochs: 1, batchSize: 16, verbosity: Verbosity.Silent);
        AssertSameAsRows(network, RowsTwin(network), x, batch: 1, calls: NetworkBase.PackAfterCalls + 1, "after the step");
        Assert.Equal(2, network.DensePanelPacks);
    }

    [Theory]
    [InlineData(128)]
    [InlineData(256)]
    public void Large_batches_read_the_panels_on_512_bit_machines_with_the_rows_bits(int batch)
    {
        var network = new MnistMlp();
        network.InitializeParameters(16);
        float[] images = ConvNetworkTests.Images(batch + 8, seed: batch);

        AssertSameAsRows(network, RowsTwin(network), images, batch, calls: NetworkBase.PackAfterCalls + 2, $"batch {batch}");
        Assert.Equal(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated, network.HoldsDensePanels(0));
        Assert.False(network.HoldsDensePanels(2), "dense_1 (1,280 weights) keeps no panels");
    }

    [Fact]
    public void Optimizer_Step_of_a_network_keeps_the_arena_to_the_library()
    {
        var network = new PanelledClassifier();
        network.InitializeParameters(17);
        PanelledClassifier rows = RowsTwin(network);
        float[] x = Samples(32, seed: 15);
        int[] labels = Labels(x);

        Adam adam = new(0.01f), rowsAdam = new(0.01f);
        for (int step = 0; step < 3; step++)
        {
            AssertSameAsRows(network, rows, x, batch: 1, calls: NetworkBase.PackAfterCalls + 1, $"before step {step}");
            Assert.True(network.HoldsDensePanels(0), $"step {step}: Optimizer.Step(network) handed the arena out");
            network.ComputeGradients(x, labels, 32);
            rows.ComputeGradients(x, labels, 32);
            adam.Step(network);
            rowsAdam.Step(rows.Parameters, rows.Gradients);
            Assert.False(network.HoldsDensePanels(0), $"step {step}: the step left the old panels current");
            Assert.True(network.ParameterValues.SequenceEqual(rows.ParameterValues), $"step {step}: Step(network) and Step(spans) differ");
        }

        Assert.Equal(3, adam.Iterations);
        Assert.Throws<ArgumentNullException>(() => adam.Step((ITrainableNetwork)null!));
    }

    [Fact]
    public void Forward_from_the_panels_allocates_nothing()
    {
        var network = new PanelledClassifier();
        network.InitializeParameters(13);
        float[] x = Samples(4, seed: 12);
        var y = new float[Classes];
        int call = 0;
        long allocated = AllocationTests.Allocated(() => network.Forward(x.AsSpan(call++ % 4 * Inputs, Inputs), y)); // its warm-up packs
        Assert.True(network.HoldsDensePanels(0));
        Assert.Equal(0, allocated);
    }
}

/// <summary><see cref="PanelledClassifier"/> inference-only, without compiled-in weights: its float arena is filled by <c>Load</c>.</summary>
[Network(Training = false)]
[Input(129)]
[Dense(67, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class PanelledClassifierInference;

/// <summary>
/// An inference-only network whose weights are loaded at run time keeps panels by the same rules as a trainable one
/// (<see cref="NetworkBase.DensePanels"/>), and any number of threads may share it while it packs and after.
/// </summary>
public sealed class InferencePanelsTests
{
    private static (PanelledClassifier Trained, PanelledClassifierInference Loaded) Pair(int seed)
    {
        var trained = new PanelledClassifier();
        trained.InitializeParameters(seed);
        var loaded = new PanelledClassifierInference();
        TrainablePanelsTests.LoadFrom(loaded, trained);
        _ = trained.Parameters; // the reference reads its rows
        return (trained, loaded);
    }

    [Fact]
    public void Threads_sharing_a_loaded_network_get_the_rows_bits_while_it_packs_and_after()
    {
        (PanelledClassifier rows, PanelledClassifierInference shared) = Pair(seed: 21);
        float[] x = TrainablePanelsTests.Samples(16, seed: 21);
        var expected = new float[16 * 3];
        for (int s = 0; s < 16; s++)
        {
            rows.Forward(x.AsSpan(s * 129, 129), expected.AsSpan(s * 3, 3));
        }

        Assert.False(shared.HoldsDensePanels(0));
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var start = new System.Threading.Barrier(4); // all four ask while the 16th call packs
        var threads = Enumerable.Range(0, 4).Select(t => new System.Threading.Thread(() =>
        {
            var y = new float[3];
            start.SignalAndWait();
            for (int call = 0; call < 200; call++)
            {
                int s = (call + t) % 16;
                shared.Forward(x.AsSpan(s * 129, 129), y);
                if (!y.AsSpan().SequenceEqual(expected.AsSpan(s * 3, 3)))
                {
                    failures.Enqueue($"thread {t}, call {call}, sample {s}: {string.Join(", ", y)} against {string.Join(", ", expected.AsSpan(s * 3, 3).ToArray())}");
                }
            }
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        Assert.Empty(failures);
        Assert.True(shared.HoldsDensePanels(0), "800 one-sample calls did not pack the weights");
        Assert.Equal(1, shared.DensePanelPacks);

        // And the calls read them: a NaN written into the panels comes out of the next one.
        shared.DensePanelsForTests(0)[3] = float.NaN;
        var poisoned = new float[3];
        shared.Forward(x.AsSpan(0, 129), poisoned);
        Assert.All(poisoned, value => Assert.True(float.IsNaN(value), $"{value}: the call did not read the panels"));
    }

    [Fact]
    public void Loading_other_weights_makes_the_panels_stale_and_Parameters_turns_them_off()
    {
        (_, PanelledClassifierInference network) = Pair(seed: 22);
        var y = new float[3];
        float[] x = TrainablePanelsTests.Samples(1, seed: 22);
        for (int call = 0; call < NetworkBase.PackAfterCalls; call++)
        {
            network.Forward(x, y);
        }

        Assert.True(network.HoldsDensePanels(0));
        (PanelledClassifier other, _) = Pair(seed: 23);
        TrainablePanelsTests.LoadFrom(network, other);
        Assert.False(network.HoldsDensePanels(0), "Load left the old panels current");
        var expected = new float[3];
        other.Forward(x, expected);
        network.Forward(x, y);
        Assert.Equal(expected, y);

        Span<float> handedOut = network.Parameters;
        handedOut[7] += 1f; // dense_0.weight[0, 7], seen on the next call
        other.Parameters[7] += 1f;
        for (int call = 0; call < 2 * NetworkBase.PackAfterCalls; call++)
        {
            network.Forward(x, y);
            other.Forward(x, expected);
            Assert.Equal(expected, y);
        }

        Assert.False(network.HoldsDensePanels(0));
    }
}
