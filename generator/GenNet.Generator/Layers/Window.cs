using System.Collections.Generic;
using GenNet.Generator.Diagnostics;
using GenNet.Generator.Emit;
using GenNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace GenNet.Generator.Layers;

/// <summary>Reading attribute arguments the layer units share.</summary>
internal static class AttributeArguments
{
    /// <summary>A named argument's value, or <paramref name="fallback"/>.</summary>
    public static T Named<T>(AttributeData attribute, string name, T fallback)
    {
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            if (named.Key == name && named.Value.Value is T value)
            {
                return value;
            }
        }

        return fallback;
    }

    /// <summary>Stride and Padding of a convolution or pooling attribute (GN0008 for a Padding outside the enum).</summary>
    public static (int Stride, PaddingKind Padding) Window(AttributeData attribute, Declaration declaration, List<DiagnosticInfo> diagnostics, int defaultStride)
    {
        int stride = Named(attribute, "Stride", defaultStride);
        int padding = Named(attribute, "Padding", (int)PaddingKind.Valid);
        if (padding is < 0 or > (int)PaddingKind.Same)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, declaration.Where, $"Padding = {padding} is not a member of GenNet.Padding"));
        }

        return (stride, (PaddingKind)padding);
    }
}

/// <summary>
/// Where a window slides over an image [<see cref="Height"/>, <see cref="Width"/>, <see cref="Channels"/>]: a convolution's
/// kernel or a pooling window, with the padding resolved to offsets and the output size that follows. A sequence
/// [steps, channels] (<see cref="Sequence"/>) is the image [1, steps, channels] under a window one step high: the same
/// bytes, so the image kernels serve the 1-D layers unchanged.
/// </summary>
internal sealed record WindowPlan(
    int Height,
    int Width,
    int Channels,
    int WindowHeight,
    int WindowWidth,
    int Stride,
    PaddingKind Padding,
    int PadTop,
    int PadLeft,
    int OutHeight,
    int OutWidth,
    bool Sequence = false,
    bool Pooling = false)
{
    /// <summary>Output positions per sample.</summary>
    public int Pixels => OutHeight * OutWidth;

    /// <summary>Inputs under one window position: a row of the im2col matrix.</summary>
    public int PatchSize => Channels * WindowHeight * WindowWidth;

    /// <summary>A 1×1 kernel at stride 1 without padding: the input already is the im2col matrix, so no copy is made.</summary>
    public bool InputIsColumns => WindowHeight == 1 && WindowWidth == 1 && Stride == 1 && PadTop == 0 && PadLeft == 0;

    /// <summary>
    /// The im2col columns in the image's (ky, kx, channel) order, copied a window row at a time, with the weight reordered to
    /// match; with one channel that order is PyTorch's (channel, ky, kx) already, and a 1×1 kernel needs no im2col.
    /// </summary>
    public bool ChannelsLastColumns => !InputIsColumns && Channels > 1 && WindowHeight * WindowWidth > 1;

    /// <summary>Floats of im2col matrix per sample (0 when the input serves).</summary>
    public int ColumnsPerSample => InputIsColumns ? 0 : Pixels * PatchSize;

    /// <summary>The kernels' geometry arguments: batch, input image, window, stride, padding, output size.</summary>
    /// <remarks>Over a sequence the arguments are named, so the call reads as the sequence taken for an image one step high.</remarks>
    public string Geometry => Sequence
        ? $"batchSize, height: 1, width: {Format.Int(Width)}, channels: {Format.Int(Channels)}, " +
          $"{(Pooling ? "pool" : "kernel")}Height: 1, {(Pooling ? "pool" : "kernel")}Width: {Format.Int(WindowWidth)}, stride: {Format.Int(Stride)}, " +
          $"padTop: 0, padLeft: {Format.Int(PadLeft)}, outHeight: 1, outWidth: {Format.Int(OutWidth)}"
        : $"batchSize, {Format.Int(Height)}, {Format.Int(Width)}, {Format.Int(Channels)}, " +
        $"{Format.Int(WindowHeight)}, {Format.Int(WindowWidth)}, {Format.Int(Stride)}, " +
        $"{Format.Int(PadTop)}, {Format.Int(PadLeft)}, {Format.Int(OutHeight)}, {Format.Int(OutWidth)}";

    /// <summary>The window's extent as messages and comments give it: "3×3", or "3-step" over a sequence.</summary>
    public static string Dimensions(bool sequence, int windowHeight, int windowWidth) =>
        sequence ? $"{Format.Int(windowWidth)}-step" : $"{Format.Int(windowHeight)}×{Format.Int(windowWidth)}";

    /// <summary>
    /// "3×3 kernel, stride 1, valid padding" or, padded, "…, same padding (1 top, 1 left)"; over a sequence "3-step kernel,
    /// stride 1, same padding (1 before)".
    /// </summary>
    public string Describe(string what)
    {
        string padding = Padding == PaddingKind.Valid ? "valid padding"
            : Sequence ? $"same padding ({Format.Int(PadLeft)} before)"
            : $"same padding ({Format.Int(PadTop)} top, {Format.Int(PadLeft)} left)";
        return $"{Dimensions(Sequence, WindowHeight, WindowWidth)} {what}, stride {Format.Int(Stride)}, {padding}";
    }

    /// <summary>A kernel's dimensions after its filters, in PyTorch's layout: [channels, kh, kw], or [channels, k] over a sequence.</summary>
    public int[] KernelShape => Sequence ? new[] { Channels, WindowWidth } : new[] { Channels, WindowHeight, WindowWidth };

    /// <summary>The window's dimensions as comments name them: "ky, kx", or "k" over a sequence.</summary>
    public string WindowAxes => Sequence ? "k" : "ky, kx";

    /// <summary>The shape of an output with <paramref name="channels"/> channels: [outHeight, outWidth, c], or [outSteps, c].</summary>
    public int[] OutputShape(int channels) => Sequence ? new[] { OutWidth, channels } : new[] { OutHeight, OutWidth, channels };

    /// <summary>Whether the source is an image [height, width, channels]; if not, GN0020 on the attribute with a hint.</summary>
    public static bool RequireImage(Declaration declaration, PlanContext context)
    {
        int[] shape = context.Source;
        if (shape.Length != 3)
        {
            string hint = shape.Length == 2
                ? $"declare the channels too, for example [Input({shape[0]}, {shape[1]}, 1)] for a grayscale image; a sequence [steps, channels] takes the 1-D layers (Conv1D, MaxPool1D, AveragePool1D)"
                : shape.Length == 1
                    ? "it must come before [Flatten] and Dense layers"
                    : "give the input as [Input(height, width, channels)]";
            context.Report(DiagnosticDescriptors.NeedsImageInput, declaration.Location, declaration.Where, string.Join(", ", shape), hint);
            return false;
        }

        return true;
    }

    /// <summary>Whether the source is a sequence [steps, channels]; if not, GN0028 on the attribute with a hint.</summary>
    public static bool RequireSequence(Declaration declaration, PlanContext context, string imageKind)
    {
        int[] shape = context.Source;
        if (shape.Length != 2)
        {
            string hint = shape.Length == 3
                ? $"over an image use [{imageKind}]"
                : shape.Length == 1
                    ? "it must come before [Flatten] and Dense layers"
                    : "give the input as [Input(steps, channels)]";
            context.Report(DiagnosticDescriptors.NeedsSequenceInput, declaration.Location, declaration.Where, string.Join(", ", shape), hint);
            return false;
        }

        return true;
    }

    /// <summary>
    /// A window of <paramref name="window"/> steps over the source sequence [steps, channels], planned as the image
    /// [1, steps, channels] under a 1×<paramref name="window"/> window; padding as in <see cref="Slide"/>.
    /// </summary>
    public static WindowPlan? SlideSequence(Declaration declaration, PlanContext context, int window, int stride, PaddingKind padding, bool kernel, string imageKind) =>
        RequireSequence(declaration, context, imageKind)
            ? Fit(declaration, context, 1, context.Source[0], context.Source[1], 1, window, stride, padding, kernel, sequence: true)
            : null;

    /// <summary>
    /// A window over the source image: padding resolved as Keras and TensorFlow do ("same": output ⌈in / stride⌉, the odd
    /// padding row or column at the bottom or right), or a diagnostic on the attribute.
    /// </summary>
    public static WindowPlan? Slide(Declaration declaration, PlanContext context, int windowHeight, int windowWidth, int stride, PaddingKind padding, bool kernel)
    {
        if (!RequireImage(declaration, context))
        {
            return null;
        }

        int[] shape = context.Source;
        return Fit(declaration, context, shape[0], shape[1], shape[2], windowHeight, windowWidth, stride, padding, kernel, sequence: false);
    }

    private static WindowPlan? Fit(
        Declaration declaration, PlanContext context, int height, int width, int channels, int windowHeight, int windowWidth, int stride, PaddingKind padding, bool kernel, bool sequence)
    {
        if (windowHeight <= 0 || windowWidth <= 0)
        {
            context.Report(DiagnosticDescriptors.NonPositiveSize, declaration.Location, declaration.Where, kernel ? "kernel size" : "pool size", windowHeight <= 0 ? windowHeight : windowWidth);
            return null;
        }

        if (stride <= 0)
        {
            context.Report(DiagnosticDescriptors.NonPositiveSize, declaration.Location, declaration.Where, "Stride", stride);
            return null;
        }

        if ((long)windowHeight * windowWidth > Planning.Planner.MaxElements || (long)channels * windowHeight * windowWidth > Planning.Planner.MaxElements)
        {
            context.Invalid(declaration, $"the window would cover more than {Planning.Planner.MaxElements} floats (1 GiB), more than GenNet supports");
            return null;
        }

        if (padding == PaddingKind.Valid && (windowHeight > height || windowWidth > width))
        {
            context.Report(DiagnosticDescriptors.WindowDoesNotFit, declaration.Location, declaration.Where, Dimensions(sequence, windowHeight, windowWidth),
                kernel ? "kernel" : "pool window", string.Join(", ", context.Source),
                "use a smaller window, Padding = Padding.Same, or fewer downsampling layers before it");
            return null;
        }

        (int outHeight, int padTop) = Extent(height, windowHeight, stride, padding);
        (int outWidth, int padLeft) = Extent(width, windowWidth, stride, padding);
        return new WindowPlan(height, width, channels, windowHeight, windowWidth, stride, padding, padTop, padLeft, outHeight, outWidth, sequence, Pooling: !kernel);
    }

    private static (int Output, int PadBefore) Extent(int input, int window, int stride, PaddingKind padding)
    {
        if (padding == PaddingKind.Valid)
        {
            return ((input - window) / stride + 1, 0);
        }

        int output = (int)((input + (long)stride - 1) / stride);
        long total = System.Math.Max((output - 1L) * stride + window - input, 0L);
        return (output, (int)(total / 2));
    }
}
