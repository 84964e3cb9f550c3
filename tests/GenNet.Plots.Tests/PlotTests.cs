using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using GenNet.Plots;
using SkiaSharp;
using Xunit;

namespace GenNet.Plots.Tests;

[Network]
[Input(4)]
[Dense(8, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class Clusters3;

/// <summary>
/// The images are real PNG or SVG files of the size asked for, and the curves and cells are drawn: PNGs are decoded with
/// SkiaSharp and the series' colours counted, SVGs are read as XML text. Nothing is downloaded.
/// </summary>
public sealed class PlotTests : IDisposable
{
    private static readonly SKColor Training = SKColor.Parse("#1f77b4"), Validation = SKColor.Parse("#ff7f0e");
    // GENNET_KEEP_PLOTS=DIR keeps the images in DIR, to look at them.
    private readonly string _folder = Environment.GetEnvironmentVariable("GENNET_KEEP_PLOTS") is { Length: > 0 } keep
        ? Path.Combine(keep, Guid.NewGuid().ToString("N")[..8])
        : Path.Combine(Path.GetTempPath(), $"gennet-plots-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_folder) && Environment.GetEnvironmentVariable("GENNET_KEEP_PLOTS") is null or "")
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static Dataset Clusters(int count, int seed)
    {
        var random = new Random(seed);
        int[] labels = Enumerable.Range(0, count).Select(i => i % 3).ToArray();
        float[] features = labels.SelectMany(label => Enumerable.Range(0, 4).Select(j => (j == label ? 1.5f : 0f) + (float)(random.NextDouble() - 0.5))).ToArray();
        return Dataset.Create(features, labels, 4);
    }

    private static (Clusters3 Network, History History) Train(bool validation, int epochs = 6)
    {
        var network = new Clusters3();
        network.InitializeParameters(1);
        History history = network.Fit(Clusters(150, 1), new Adam(0.01f), epochs, new FitOptions { Metrics = [Metric.F1, Metric.TopKAccuracy(2)] },
            batchSize: 16, validation: validation ? Clusters(60, 2) : null, verbosity: Verbosity.Silent);
        return (network, history);
    }

    /// <summary>Pixels within a small distance of <paramref name="colour"/> (antialiased edges blend; a line's core does not).</summary>
    private static int CountNear(SKBitmap image, SKColor colour, int tolerance = 12)
    {
        int count = 0;
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                SKColor pixel = image.GetPixel(x, y);
                if (Math.Abs(pixel.Red - colour.Red) <= tolerance && Math.Abs(pixel.Green - colour.Green) <= tolerance && Math.Abs(pixel.Blue - colour.Blue) <= tolerance)
                {
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>Every text element's content, trimmed.</summary>
    private static string[] Texts(System.Xml.Linq.XElement root) =>
        root.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim()).ToArray();

    private static SKBitmap DecodePng(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]); // the PNG signature
        SKBitmap? image = SKBitmap.Decode(bytes);
        Assert.NotNull(image);
        return image;
    }

    [Fact]
    public void Learning_curves_png_has_one_panel_per_quantity_and_draws_both_series()
    {
        (_, History history) = Train(validation: true);
        string path = Path.Combine(_folder, "nested", "curves.png"); // the folder is created
        LearningCurves.Save(history, path);
        using (SKBitmap image = DecodePng(path))
        {
            // loss, accuracy, f1, top_2_accuracy: four panels, three to a row, 420 × 340 each.
            Assert.Equal(3 * 420, image.Width);
            Assert.Equal(2 * 340, image.Height);
            Assert.True(CountNear(image, Training) > 4 * 150, $"training series: {CountNear(image, Training)} pixels");
            Assert.True(CountNear(image, Validation) > 4 * 150, $"validation series: {CountNear(image, Validation)} pixels");
        }

        // Without validation there is no orange at all, and the size asked for is the size written.
        (_, History trainingOnly) = Train(validation: false);
        string small = Path.Combine(_folder, "training.PNG");
        LearningCurves.Save(trainingOnly, small, width: 900, height: 300);
        using SKBitmap only = DecodePng(small);
        Assert.Equal(900, only.Width);
        Assert.Equal(300, only.Height);
        Assert.True(CountNear(only, Training) > 300);
        Assert.Equal(0, CountNear(only, Validation, tolerance: 4));
    }

    [Fact]
    public void Learning_curves_svg_is_an_svg_of_the_requested_size_with_the_curves_axes_and_legend()
    {
        (_, History history) = Train(validation: true, epochs: 4);
        string path = Path.Combine(_folder, "curves.svg");
        LearningCurves.Save(history, path, width: 1000, height: 700);
        string svg = File.ReadAllText(path);
        var root = System.Xml.Linq.XDocument.Parse(svg).Root!;
        Assert.Equal("svg", root.Name.LocalName);
        Assert.Equal("1000", root.Attribute("width")!.Value);
        Assert.Equal("700", root.Attribute("height")!.Value);

        // Each series is a stroked path in its colour in each of the four panels.
        Assert.True(Regex.Matches(svg, "stroke=\"#1F77B4\"", RegexOptions.IgnoreCase).Count >= 4, "training paths");
        Assert.True(Regex.Matches(svg, "stroke=\"#FF7F0E\"", RegexOptions.IgnoreCase).Count >= 4, "validation paths");
        string[] texts = Texts(root);
        foreach (string text in new[] { "epoch", "loss", "accuracy", "f1", "top_2_accuracy", "training", "validation" })
        {
            Assert.Contains(text, texts);
        }
    }

    [Fact]
    public void Confusion_matrix_png_and_svg_show_counts_and_class_names()
    {
        (Clusters3 network, _) = Train(validation: false);
        ClassificationReport report = network.EvaluateClassification(Clusters(90, 3), topK: 2);
        string png = Path.Combine(_folder, "confusion.png");
        ConfusionMatrixPlot.Save(report, png, ["circle", "square", "long class name"]);
        using (SKBitmap image = DecodePng(png))
        {
            Assert.InRange(image.Width, 300, 1600);
            Assert.InRange(image.Height, 300, 1600);
            int blue = 0;
            for (int y = 0; y < image.Height; y += 2)
            {
                for (int x = 0; x < image.Width; x += 2)
                {
                    SKColor pixel = image.GetPixel(x, y);
                    blue += pixel.Blue > pixel.Red + 60 ? 1 : 0; // the shaded cells (the diagonal holds most samples)
                }
            }

            Assert.True(blue > image.Width * image.Height / 4 / 10, $"{blue} shaded pixels of {image.Width * image.Height / 4}");
        }

        string svgPath = Path.Combine(_folder, "confusion.svg");
        ConfusionMatrixPlot.Save(report.ConfusionMatrix, report.Classes, ["circle", "square", "long class name"], svgPath, 640, 560);
        string svg = File.ReadAllText(svgPath);
        var root = System.Xml.Linq.XDocument.Parse(svg).Root!;
        Assert.Equal("640", root.Attribute("width")!.Value);
        Assert.Equal("560", root.Attribute("height")!.Value);
        string[] texts = Texts(root);
        foreach (string text in new[] { "circle", "square", "long class name", "predicted class", "true class", "Confusion matrix" })
        {
            Assert.Contains(text, texts);
        }

        for (int c = 0; c < 3; c++)
        {
            Assert.Contains(report.Confusion(c, c).ToString("N0", System.Globalization.CultureInfo.InvariantCulture), texts); // each diagonal count is written in its cell
        }
    }

    [Fact]
    public void Bad_input_is_refused_before_a_file_is_written()
    {
        Assert.Throws<ArgumentException>(() => LearningCurves.Save(new History(), Path.Combine(_folder, "empty.png")));
        (Clusters3 network, History history) = Train(validation: false, epochs: 1);
        var format = Assert.Throws<ArgumentException>(() => LearningCurves.Save(history, Path.Combine(_folder, "curves.jpg")));
        Assert.Contains(".png or .svg", format.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningCurves.Save(history, Path.Combine(_folder, "tiny.png"), width: 10, height: 10));
        ClassificationReport report = network.EvaluateClassification(Clusters(30, 3), topK: 2);
        var names = Assert.Throws<ArgumentException>(() => ConfusionMatrixPlot.Save(report, Path.Combine(_folder, "c.png"), ["a", "b"]));
        Assert.Contains("2 class names for 3 classes", names.Message);
        Assert.Throws<ArgumentException>(() => ConfusionMatrixPlot.Save(new int[5], 2, null, Path.Combine(_folder, "c.png"), 0, 0));
        Assert.False(Directory.Exists(_folder) && Directory.EnumerateFiles(_folder, "*", SearchOption.AllDirectories).Any());
    }
}
