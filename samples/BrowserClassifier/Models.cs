using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;

namespace GenNet.Samples.BrowserClassifier;

/// <summary>A network the page can run, and how to describe it to onnxruntime-web.</summary>
public sealed class Model
{
    private Model(string id, string title, string weightsFile, INetwork network)
    {
        Id = id;
        WeightsFile = weightsFile;
        Title = title;
        Network = network;
    }

    /// <summary>The option's value in the page's selector.</summary>
    public string Id { get; }

    public string Title { get; }

    public INetwork Network { get; }

    /// <summary>The safetensors file compiled in (the name in <c>[Network(Weights = …)]</c>).</summary>
    public string WeightsFile { get; }

    /// <summary>One image's shape in the ONNX model's input (the batch dimension goes in front): the network's own input shape.</summary>
    public int[] OnnxImageShape => Network.InputShape.ToArray();

    /// <summary>The MLP and the convnet, in the selector's order.</summary>
    public static IReadOnlyList<Model> All { get; } =
    [
        new("mlp", "MLP: Dense 128 ReLU, Dense 10 softmax", "fashion-mlp.safetensors", new FashionMlp()),
        new("convnet", "Convnet: 2 × (Conv 3×3 ReLU, MaxPool 2), Dense 10 softmax", "fashion-convnet.safetensors", new FashionConvNet()),
    ];

    /// <summary>The same network with the same weights as an ONNX model, as GenNet exports it (SaveOnnx): it takes the image as Forward does.</summary>
    public byte[] ToOnnx()
    {
        var stream = new MemoryStream();
        Network.SaveOnnx(stream);
        return stream.ToArray();
    }
}

/// <summary>The first 100 Fashion-MNIST test images and their labels, compiled in (Data/NOTICE.md).</summary>
public static class FashionImages
{
    public const int Count = 100;

    public const int Pixels = 28 * 28;

    public static readonly string[] ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The images' pixels, 0–255, image after image (IDX order: row by row).</summary>
    public static byte[] Bytes { get; } = Read("t10k-images-first100.idx3-ubyte", 16, Count * Pixels);

    public static byte[] Labels { get; } = Read("t10k-labels-first100.idx1-ubyte", 8, Count);

    /// <summary>Pixels as the networks read them: byte × (1/255), as GenNet's IDX loader scales them.</summary>
    public static void Scale(ReadOnlySpan<byte> pixels, Span<float> destination)
    {
        for (int i = 0; i < pixels.Length; i++)
        {
            destination[i] = pixels[i] * (1f / 255f);
        }
    }

    private static byte[] Read(string resource, int headerLength, int length)
    {
        using Stream stream = typeof(FashionImages).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidDataException($"{resource}: not compiled in");
        var bytes = new byte[headerLength + length];
        stream.ReadExactly(bytes);
        return bytes[headerLength..];
    }
}
