using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Reflection;
using System.Threading;
using GenNet.Kernels;

namespace GenNet;

/// <summary>
/// The sizes and tensors of one generated network class, made once per class: what <see cref="NetworkBase"/> needs to
/// run the generated layer code without the generated class repeating the machinery.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class NetworkLayout
{
    private readonly Assembly? _weightsAssembly;
    private readonly string? _weightsResource;
    private EmbeddedWeights? _weights;

    /// <summary>Describes a generated network; every size is per sample unless it says otherwise.</summary>
    /// <param name="name">The class's name, for messages.</param>
    /// <param name="inputSize">Floats in one input sample (all inputs, one after the other).</param>
    /// <param name="outputSize">Floats in one output sample.</param>
    /// <param name="inputShape">The shape of one input sample.</param>
    /// <param name="outputShape">The shape of one output sample.</param>
    /// <param name="loss">The resolved loss (never <see cref="Loss.Auto"/>).</param>
    /// <param name="summary">Keras's <c>model.summary()</c> table.</param>
    /// <param name="parameterTensors">The parameter arena's tensors.</param>
    /// <param name="parameterCount">The parameter arena's length.</param>
    /// <param name="scratchPerSample">Scratch floats per sample of a batch.</param>
    /// <param name="scratchFixed">Scratch floats per batch after the per-sample part (a reordered kernel's gradient).</param>
    /// <param name="outputOffset">Where the network's output starts in the scratch arena, per sample.</param>
    /// <param name="gradientOffset">Where the loss writes the output's gradient in the scratch arena, per sample.</param>
    /// <param name="flopsPerSample">Work of one training sample, which decides when a batch is worth splitting over threads.</param>
    /// <param name="bufferTensors">The tensors of state that is saved but not trained (<see cref="INetwork.Buffers"/>).</param>
    /// <param name="bufferCount">The buffer arena's length.</param>
    /// <param name="wholeBatch">A layer's training form reads statistics of the whole batch (batch normalisation), so a step is never split over threads.</param>
    /// <param name="weightsAssembly">The assembly that carries compiled-in weights, or null.</param>
    /// <param name="weightsResource">Their resource name, or null.</param>
    public NetworkLayout(
        string name, int inputSize, int outputSize, int[] inputShape, int[] outputShape, Loss loss, string summary,
        ParameterTensor[] parameterTensors, int parameterCount, int scratchPerSample, int scratchFixed, int outputOffset,
        int gradientOffset, long flopsPerSample, ParameterTensor[]? bufferTensors = null, int bufferCount = 0, bool wholeBatch = false,
        Assembly? weightsAssembly = null, string? weightsResource = null)
    {
        Name = name;
        InputSize = inputSize;
        OutputSize = outputSize;
        InputShape = inputShape;
        OutputShape = outputShape;
        Loss = loss;
        Summary = summary;
        ParameterTensors = parameterTensors;
        ParameterCount = parameterCount;
        ScratchPerSample = scratchPerSample;
        ScratchFixed = scratchFixed;
        OutputOffset = outputOffset;
        GradientOffset = gradientOffset;
        FlopsPerSample = flopsPerSample;
        BufferTensors = bufferTensors ?? [];
        BufferCount = bufferCount;
        WholeBatch = wholeBatch;
        _weightsAssembly = weightsAssembly;
        _weightsResource = weightsResource;
    }

    internal string Name { get; }

    internal int InputSize { get; }

    internal int OutputSize { get; }

    internal int[] InputShape { get; }

    internal int[] OutputShape { get; }

    internal Loss Loss { get; }

    internal string Summary { get; }

    internal ParameterTensor[] ParameterTensors { get; }

    internal int ParameterCount { get; }

    internal int ScratchPerSample { get; }

    internal int ScratchFixed { get; }

    internal int OutputOffset { get; }

    internal int GradientOffset { get; }

    internal long FlopsPerSample { get; }

    internal ParameterTensor[] BufferTensors { get; }

    internal int BufferCount { get; }

    internal bool WholeBatch { get; }

    /// <summary>The network's Normalization layers, in declaration order, for <see cref="NetworkAdaptation"/>; none by default.</summary>
    public NormalizationLayout[] Normalizations { get; init; } = [];

    internal bool HasCompiledWeights => _weightsResource is not null;

    /// <summary>The compiled-in parameters and buffers, opened once per process.</summary>
    internal EmbeddedWeights CompiledWeights =>
        _weights ??= EmbeddedWeights.Open(_weightsAssembly!, _weightsResource!, ParameterTensors, ParameterCount, BufferTensors, BufferCount);
}

/// <summary>
/// What every generated network shares: its arenas, argument checks, the scratch memory that grows with the batch, and
/// <see cref="INetwork"/>. The generated half of a <c>[Network(Training = false)]</c> class derives from it and supplies
/// the layers; trainable networks derive from <see cref="TrainableNetworkBase"/>.
/// </summary>
/// <remarks>
/// <para>
/// An inference-only network may be called from many threads at once: a call takes the instance's scratch arena, and a
/// call that finds it taken by another thread uses an arena of its own thread's, kept for that thread's later calls. No
/// lock is taken; nothing allocates per call once each thread's arena has grown to the largest batch it has run.
/// </para>
/// <para>
/// A trainable network is for one thread at a time (its scratch holds what a training step's backward pass reads): a
/// call that starts while another is running on the same instance throws <see cref="InvalidOperationException"/> rather
/// than compute with an arena the other call is writing.
/// </para>
/// </remarks>
public abstract partial class NetworkBase : INetwork
{
    [ThreadStatic]
    private static float[]? t_spareScratch; // this thread's arena, for calls that find an instance's taken

    [ThreadStatic]
    private static float[]? t_packed; // a multi-input network's inputs packed into sample rows by this thread

    private readonly NetworkLayout _layout;
    private readonly float[] _buffers;
    private readonly bool _trainable;
    private float[]? _parameters; // null while an inference-only network reads its compiled-in weights in place
    private float[]? _scratch = []; // null while an inference-only network's call holds it
    private float[] _outputs = []; // the arena the last call's outputs lie in
    private int _outputStart, _outputLength; // where in it
    private int _busy; // a trainable network's guard against concurrent calls
    private bool _parametersHandedOut; // Parameters has handed out the arena: it may be written at any time from then on
    private int _parametersVersion; // counts the library's own writes to the arena (optimizer steps, loads, initialization)
    private int _kernelsVersion = -1; // the version RefreshKernels last brought the layers' weight copies up to (-1: never)

    private protected NetworkBase(bool trainable)
    {
        NetworkLayout layout = _layout = Layout ?? throw new InvalidOperationException($"{GetType().Name}.Layout is null.");
        _trainable = trainable;
        _buffers = new float[layout.BufferCount];
        if (!layout.HasCompiledWeights)
        {
            _parameters = new float[layout.ParameterCount];
            return;
        }

        layout.CompiledWeights.Buffers.CopyTo(_buffers); // training steps change them: always a copy of its own
        if (trainable)
        {
            _parameters = layout.CompiledWeights.Values.ToArray(); // training changes them: a copy of its own
        }
    }

    /// <summary>Sets up the arenas that <see cref="Layout"/> describes.</summary>
    protected NetworkBase()
        : this(trainable: false)
    {
    }

    /// <inheritdoc/>
    /// <remarks>
    /// An inference-only network with compiled-in weights reads them where they lie until this is first asked for. A
    /// trainable network keeps its large Dense weights also packed for single samples while only the library changes them
    /// (<c>Fit</c>, <c>SafeTensors.Load</c>, <see cref="InitializeParameters"/>); once this span has been handed out, anything
    /// may be written through it at any time, so from then on its layers read the arena itself, as they always did.
    /// </remarks>
    public Span<float> Parameters
    {
        get
        {
            _parametersHandedOut = true;
            return ParameterArena;
        }
    }

    /// <summary>The parameter arena for the library's own reads and writes, without handing it out (see <see cref="Parameters"/>).</summary>
    internal Span<float> ParameterArena => _parameters ??= _layout.CompiledWeights.Values.ToArray();

    /// <summary>True once <see cref="Parameters"/> has handed the arena out: no copy of it in another layout can be trusted after that.</summary>
    private protected bool ParametersHandedOut => _parametersHandedOut;

    /// <summary>Changes whenever the library writes the parameters (<see cref="ParametersChanged"/>).</summary>
    private protected int ParametersVersion => Volatile.Read(ref _parametersVersion);

    /// <summary>Says that the library has written, or is about to write, the parameters: copies in other layouts are stale.</summary>
    internal void ParametersChanged() => Interlocked.Increment(ref _parametersVersion);

    /// <summary>
    /// The parameter arena, for a write that follows at once (the generated <see cref="InitializeParameters"/>): marks any
    /// copy of the weights in another layout stale, without handing the arena out as <see cref="Parameters"/> does. Call
    /// <see cref="ParametersWritten()"/> when the write is done.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected Span<float> ParametersToWrite()
    {
        ParametersChanged();
        return ParameterArena;
    }

    /// <summary>
    /// Ends a write begun with <see cref="ParametersToWrite()"/>: the version moves again, so a call that overlapped the write
    /// (and may have packed or transformed half-written weights under the first new version) cannot leave such a copy current.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected void ParametersWritten() => ParametersChanged();

    /// <summary>
    /// <paramref name="network"/>'s parameters for a write by the library (an optimizer's step, a load): a generated network's
    /// arena marked changed (not handed out), any other network's <see cref="INetwork.Parameters"/>.
    /// </summary>
    internal static Span<float> ParametersToWrite(INetwork network)
    {
        if (network is NetworkBase generated)
        {
            return generated.ParametersToWrite();
        }

        return network.Parameters;
    }

    /// <summary>
    /// Says that the library has finished a write it began with <see cref="ParametersToWrite(INetwork)"/>: the version moves
    /// again, so a call that ran while the write was under way (and may have packed or transformed half-written weights
    /// under the first new version) cannot leave such a copy current.
    /// </summary>
    internal static void ParametersWritten(INetwork network)
    {
        if (network is NetworkBase generated)
        {
            generated.ParametersWritten();
        }
    }

    /// <summary>Copies <paramref name="values"/> over <paramref name="network"/>'s parameters, as a write by the library (a load, a restore).</summary>
    internal static void WriteParameters(INetwork network, ReadOnlySpan<float> values)
    {
        values.CopyTo(ParametersToWrite(network));
        ParametersWritten(network);
    }

    /// <summary>
    /// <paramref name="network"/>'s parameter arena, not handed out: the one its layers compute with from now on (an
    /// inference-only network's float copy of compiled-in weights is made here), for the calibration that watches them.
    /// </summary>
    internal static Span<float> ParameterArenaOf(INetwork network) =>
        network is NetworkBase generated ? generated.ParameterArena : network.Parameters;


    /// <inheritdoc/>
    public IReadOnlyList<ParameterTensor> ParameterTensors => _layout.ParameterTensors;

    /// <inheritdoc/>
    public Span<float> Buffers => _buffers;

    /// <inheritdoc/>
    public IReadOnlyList<ParameterTensor> BufferTensors => _layout.BufferTensors;

    /// <inheritdoc/>
    public Loss Loss => _layout.Loss;

    /// <inheritdoc/>
    /// <remarks>While several threads call an inference-only network, this is whichever call finished last.</remarks>
    public virtual ReadOnlySpan<float> Outputs => _outputs.AsSpan(_outputStart, _outputLength);

    int INetwork.InputSize => _layout.InputSize;

    int INetwork.OutputSize => _layout.OutputSize;

    int INetwork.ParameterCount => _layout.ParameterCount;

    ReadOnlySpan<int> INetwork.InputShape => _layout.InputShape;

    ReadOnlySpan<int> INetwork.OutputShape => _layout.OutputShape;

    string INetwork.Summary => _layout.Summary;

    /// <summary>
    /// The parameters as the layers read them, read-only, in the layout of <see cref="Parameters"/>: an inference-only
    /// network's compiled-in weights where they lie (until <see cref="Parameters"/> is asked for), else the arena. Reading
    /// them here does not hand the arena out, so a trainable network keeps its packed copies (see <see cref="Parameters"/>).
    /// </summary>
    public ReadOnlySpan<float> ParameterValues => _parameters is null ? _layout.CompiledWeights.Values : _parameters;

    /// <summary>
    /// The compiled-in weights while the layers read them in place (for the reduced-precision kernels), or null once
    /// <see cref="Parameters"/> has been asked for: from then on the layers compute with the float arena.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected EmbeddedWeights? StoredWeights => _parameters is null ? _layout.CompiledWeights : null;

    /// <summary>The generated class's sizes and tensors; read once, by the constructor.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected abstract NetworkLayout Layout { get; }

    private protected NetworkLayout Sizes => _layout;

    /// <summary>The network's Normalization layers, for <see cref="NetworkAdaptation"/>.</summary>
    internal IReadOnlyList<NormalizationLayout> Normalizations => _layout.Normalizations;

    /// <inheritdoc/>
    public abstract void InitializeParameters(int seed);

    /// <summary>Runs one sample: <paramref name="input"/> holds <c>InputSize</c> floats, <paramref name="output"/> receives <c>OutputSize</c>.</summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> output)
    {
        Check.Sample(_layout.Name, input, output, _layout.InputSize, _layout.OutputSize);
        Run(input, output, 1);
    }

    /// <summary>Runs <paramref name="batchSize"/> samples stored row-major.</summary>
    public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize)
    {
        Check.Batch(_layout.Name, inputs, batchSize, _layout.InputSize);
        Check.PerSample(_layout.Name, outputs.Length, batchSize, _layout.OutputSize, nameof(outputs));
        Run(inputs, outputs, batchSize);
    }

    private void Run(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize)
    {
        int chunk = SamplesPerChunk(batchSize);
        int length = ArenaLength(batchSize, chunk);
        if (_trainable)
        {
            Enter();
            try
            {
                RefreshKernelsIfStale();
                (int start, int count) = Propagate(inputs, outputs, Arena(length), batchSize, chunk);
                RecordOutputs(start, count);
            }
            finally
            {
                Exit();
            }

            return;
        }

        // Take the instance's arena, or this thread's own when another thread holds it; give it back afterwards.
        float[]? arena = Interlocked.Exchange(ref _scratch, null);
        bool owned = arena is not null;
        arena ??= t_spareScratch ?? [];
        if (arena.Length < length)
        {
            arena = new float[length];
        }

        try
        {
            RefreshKernelsIfStale();
            (_outputStart, _outputLength) = Propagate(inputs, outputs, arena.AsSpan(0, length), batchSize, chunk);
            _outputs = arena;
        }
        finally
        {
            if (owned)
            {
                Volatile.Write(ref _scratch, arena);
            }
            else
            {
                t_spareScratch = arena;
            }
        }
    }

    /// <summary>
    /// An inference batch whose layer outputs would not fit a core's second-level cache runs in chunks that do. The layers
    /// run one after another over a batch, so a batch of large activations (a convnet's feature maps: 193 KB an image for
    /// mnist_convnet) would otherwise leave L2 between one layer and the next and come back from the shared L3 or from
    /// memory. Only networks whose weights take at most half this budget are cut, since each chunk reads the weights
    /// again: large fully connected layers keep the whole batch, whose reuse of their weights they live on.
    /// </summary>
    internal const int ChunkBytes = 1 << 20;

    /// <summary>
    /// How many samples of an inference batch run at a time: the whole batch, or as many as keep the layer outputs within
    /// <see cref="ChunkBytes"/>. The outputs are estimated by the scratch arena's per-sample layout up to the network's
    /// output, where every layer keeps its output. What lies after it is left out: the gradients, which inference never
    /// touches, and the im2col columns, which a convolution computed as an im2col product (or Winograd's scratch) writes in
    /// inference too — so for such networks this underestimates the working set, by one layer's columns at a time.
    /// </summary>
    internal int SamplesPerChunk(int batchSize)
    {
        long perSample = (long)(_layout.OutputOffset + _layout.OutputSize) * sizeof(float);
        if (perSample * batchSize <= ChunkBytes || (long)_layout.ParameterCount * sizeof(float) > ChunkBytes / 2)
        {
            return batchSize;
        }

        return (int)Math.Clamp(ChunkBytes / perSample, 1, batchSize);
    }

    // A chunk's scratch, then (when the batch runs in chunks) the whole batch's outputs, which Outputs shows afterwards.
    private int ArenaLength(int batchSize, int chunk) =>
        chunk == batchSize ? ScratchLength(batchSize) : checked(ScratchLength(chunk) + batchSize * _layout.OutputSize);

    /// <summary>The chunk the last inference call ran its batch in (the whole batch when not cut; for tests).</summary>
    internal int LastChunk { get; private set; }

    // Runs the layers over the batch, in chunks of `chunk` samples; returns where in the arena the outputs lie.
    private (int Start, int Length) Propagate(ReadOnlySpan<float> inputs, Span<float> outputs, Span<float> arena, int batchSize, int chunk)
    {
        NetworkLayout layout = _layout;
        LastChunk = chunk;
        if (chunk == batchSize)
        {
            Propagate(inputs, arena, batchSize, training: false, firstSample: 0).CopyTo(outputs);
            return (layout.OutputOffset * batchSize, layout.OutputSize * batchSize);
        }

        int gathered = ScratchLength(chunk);
        Span<float> scratch = arena.Slice(0, gathered);
        Span<float> all = arena.Slice(gathered, batchSize * layout.OutputSize);
        for (int first = 0; first < batchSize; first += chunk)
        {
            int count = Math.Min(chunk, batchSize - first);
            ReadOnlySpan<float> rows = inputs.Slice(first * layout.InputSize, count * layout.InputSize);
            Propagate(rows, scratch.Slice(0, ScratchLength(count)), count, training: false, firstSample: first)
                .CopyTo(all.Slice(first * layout.OutputSize, count * layout.OutputSize));
        }

        all.CopyTo(outputs);
        return (gathered, batchSize * layout.OutputSize);
    }

    /// <summary>Marks a trainable network busy; throws when another call is running on it.</summary>
    private protected void Enter()
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            throw new InvalidOperationException(
                $"{_layout.Name} is already running a call on another thread. A trainable network is for one thread at a time; " +
                "give each thread its own instance, or declare an inference-only copy with [Network(Training = false)], which any number of threads may share.");
        }
    }

    private protected void Exit() => Volatile.Write(ref _busy, 0);

    /// <summary>
    /// Runs every layer on a batch, each output in <paramref name="scratch"/>, and returns the network's output.
    /// <paramref name="training"/> selects layers' training form (dropout acts); <paramref name="firstSample"/> is the
    /// place of the first row in the whole batch when a training step is split over threads.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected abstract ReadOnlySpan<float> Propagate(ReadOnlySpan<float> inputs, Span<float> scratch, int batchSize, bool training, int firstSample);

    /// <summary>
    /// The penalties that the layers declare (<c>KernelRegularizerL2</c>, <c>BiasRegularizerL2</c>: <c>λ·Σw²</c> per tensor), which join the
    /// loss that <c>Evaluate</c> reports; 0 when no layer declares one.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected virtual float RegularizationLoss() => 0f;

    /// <summary>The penalty <see cref="RegularizationLoss"/> gives at the current parameters, for <c>Evaluate</c>.</summary>
    internal float Penalty => RegularizationLoss();

    /// <summary>
    /// Calls <see cref="RefreshKernels"/> unless nothing can have changed since its last call: its copies are made from the
    /// parameters alone (the network keeps no buffers, from which folded BatchNorms also make them), the arena has not been
    /// handed out by <see cref="Parameters"/>, and the library has not written it since (<see cref="ParametersChanged"/>).
    /// Otherwise each call refreshes, comparing the weights with the ones the copies were made from, as it always did. A
    /// new version is refreshed by one thread at a time (an inference-only network's callers may arrive together) and
    /// recorded only once the refresh is complete and only if no library write began meanwhile, so a thread that sees it
    /// current reads whole copies of the weights as they are.
    /// </summary>
    private protected void RefreshKernelsIfStale()
    {
        if (!KernelsByVersion)
        {
            RefreshKernels();
            return;
        }

        int version = Volatile.Read(ref _parametersVersion);
        if (Volatile.Read(ref _kernelsVersion) == version)
        {
            return;
        }

        lock (_packing)
        {
            RefreshKernels();
            if (Volatile.Read(ref _parametersVersion) == version)
            {
                Volatile.Write(ref _kernelsVersion, version);
            }
        }
    }

    /// <summary>True when the layers' weight copies are known to match the parameters without comparing them (for tests).</summary>
    internal bool KernelsCurrent => KernelsByVersion && Volatile.Read(ref _kernelsVersion) == Volatile.Read(ref _parametersVersion);

    // The layers' weight copies follow the parameters' version: they are made from the parameters alone (no buffers) and
    // only the library writes those (the arena has not been handed out).
    private bool KernelsByVersion => _layout.BufferCount == 0 && !_parametersHandedOut;

    /// <summary>
    /// Brings any copy of the parameters that the layers keep in another layout up to date. Called before a pass whenever
    /// the parameters may have changed since its last call (<see cref="RefreshKernelsIfStale"/>): before every pass once
    /// <see cref="Parameters"/> has handed the arena out or when the network keeps buffers, else once per version.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected virtual void RefreshKernels()
    {
    }

    /// <summary>
    /// Describes the network's inference graph in ONNX for <see cref="Onnx.SaveOnnx(INetwork, string)"/>: the generated class
    /// overrides it with each layer's nodes. The base refuses, for a class that predates ONNX export.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected virtual void DescribeOnnx(OnnxGraph graph) =>
        throw new NotSupportedException($"{_layout.Name} was generated without an ONNX description; rebuild it with this version of GenNet.");

    internal void DescribeOnnxGraph(OnnxGraph graph) => DescribeOnnx(graph);

    private int ScratchLength(int batchSize) => checked(batchSize * _layout.ScratchPerSample + _layout.ScratchFixed);

    /// <summary>A trainable network's scratch arena for a batch; grows (allocates) only when a batch is larger than any before.</summary>
    private protected Span<float> Scratch(int batchSize) => Arena(ScratchLength(batchSize));

    // The trainable network's arena, at least this long.
    private Span<float> Arena(int length)
    {
        if (_scratch!.Length < length)
        {
            _scratch = new float[length];
        }

        return _scratch.AsSpan(0, length);
    }

    /// <summary>Where the outputs of the last call lie in the network's own arena.</summary>
    private protected virtual void RecordOutputs(int start, int length)
    {
        _outputs = _scratch!;
        _outputStart = start;
        _outputLength = length;
    }

    /// <summary>
    /// Packs a multi-input network's inputs, each [batch, width] row-major, into rows of all inputs one after the other
    /// (the layout <see cref="Forward(ReadOnlySpan{float}, Span{float}, int)"/> takes), in a buffer kept for the calling
    /// thread: the call that reads it runs on the same thread, right after.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected Span<float> PackingBuffer(int batchSize)
    {
        int length = checked(batchSize * _layout.InputSize);
        if (t_packed is null || t_packed.Length < length)
        {
            t_packed = new float[length];
        }

        return t_packed.AsSpan(0, length);
    }
}
