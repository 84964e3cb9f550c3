using System;
using System.IO;

namespace GenNet;

/// <summary>
/// ONNX export: any GenNet network as an ONNX model for inference (ONNX Runtime, TensorRT, OpenVINO, PyTorch's
/// onnx2torch, …), written by GenNet itself with no dependency.
/// </summary>
/// <remarks>
/// <para>
/// The model is the network's inference form in the default domain's opset <see cref="Opset"/> (IR version 8): Dropout is
/// left out, BatchNormalization is ONNX's inference BatchNormalization over the running statistics (also where an
/// inference-only network folds it into the layer before), GELU is GenNet's tanh form written out in Mul, Add and Tanh.
/// Each input and the output is named as the network names it (<c>input</c>, or the declared input names; the last layer's
/// name) and shaped [batch, …] with a symbolic batch dimension named <c>batch</c>, in GenNet's layout: images
/// channels-last [batch, height, width, channels], sequences [batch, steps, channels], so the same floats go in as with
/// <c>Forward</c>. Inside, convolutions and pools run channels-first as ONNX defines them, with Transpose nodes where the
/// layout changes. Parameters and running statistics are initializers under their PyTorch names (<c>dense_0.weight</c>
/// [out, in], <c>conv_0.weight</c> [filters, channels, kh, kw]).
/// </para>
/// <para>A network with a layer kind that has no ONNX form throws <see cref="NotSupportedException"/> naming that layer, before anything is written.</para>
/// </remarks>
public static class Onnx
{
    /// <summary>The ONNX operator set (default domain) of exported models: 17, the first with LayerNormalization.</summary>
    public const int Opset = OnnxSchema.Opset;

    /// <summary>
    /// Writes the network as an ONNX model to <paramref name="path"/>, atomically as <see cref="SafeTensors.Save(INetwork, string)"/>
    /// does: under a temporary name beside the target, then renamed over it, so a failure leaves any previous file intact.
    /// </summary>
    /// <exception cref="NotSupportedException">A layer has no ONNX form; the message names it, and no file is touched.</exception>
    /// <exception cref="IOException">The file could not be written; the message names it and says whether an older one is still there.</exception>
    public static void SaveOnnx(this INetwork network, string path) => SaveOnnx(network, path, open: null);

    /// <summary><see cref="SaveOnnx(INetwork, string)"/> with the temporary file opened by <paramref name="open"/> (tests simulate a full disk).</summary>
    internal static void SaveOnnx(INetwork network, string path, Func<string, Stream>? open)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ProtoWriter model = Describe(network); // before the file is opened: an unsupported layer leaves nothing behind
        AtomicFile.Write(path, model.WriteTo, open);
    }

    /// <summary>Writes the network as an ONNX model to <paramref name="stream"/>.</summary>
    /// <exception cref="NotSupportedException">A layer has no ONNX form; the message names it, and nothing is written.</exception>
    public static void SaveOnnx(this INetwork network, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        Describe(network).WriteTo(stream);
    }

    /// <summary>The ONNX ModelProto of <paramref name="network"/>, built in memory.</summary>
    internal static ProtoWriter Describe(INetwork network)
    {
        if (network is not NetworkBase generated)
        {
            throw new NotSupportedException($"{network.GetType().Name} is not a generated GenNet network; only those can be exported to ONNX.");
        }

        var graph = new OnnxGraph(network);
        generated.DescribeOnnxGraph(graph);
        return graph.Model(network.GetType().Name, network.Summary);
    }
}
