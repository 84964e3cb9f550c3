using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ScottPlot;

namespace GenNet.Plots;

/// <summary>
/// A confusion matrix as an image: rows are the true classes, columns the predicted ones (as in
/// <see cref="ClassificationReport.ConfusionMatrix"/>), each cell showing its count and shaded by the fraction of its true
/// class it holds (so the diagonal is each class's recall, whatever the class sizes).
/// </summary>
public static class ConfusionMatrixPlot
{
    /// <summary>Writes the confusion matrix of <paramref name="report"/> to <paramref name="path"/> (PNG, or SVG when it ends in <c>.svg</c>).</summary>
    /// <param name="report">What <c>EvaluateClassification</c> or <see cref="Metrics.Classification"/> returned.</param>
    /// <param name="path">The image file, ending in <c>.png</c> or <c>.svg</c>.</param>
    /// <param name="classNames">A name per class for the axes; null for the report's own (<see cref="ClassificationReport.ClassNames"/>), else the class numbers.</param>
    /// <param name="width">Image width in pixels; 0 (the default) sizes it to the classes.</param>
    /// <param name="height">Image height in pixels; 0 (the default) sizes it to the classes.</param>
    /// <exception cref="ArgumentException">Class names of the wrong count, a path ending in neither <c>.png</c> nor <c>.svg</c>, or a size out of range.</exception>
    public static void Save(ClassificationReport report, string path, IReadOnlyList<string>? classNames = null, int width = 0, int height = 0)
    {
        ArgumentNullException.ThrowIfNull(report);
        Save(report.ConfusionMatrix, report.Classes, classNames ?? report.ClassNames, path, width, height);
    }

    /// <summary>Writes a confusion matrix of counts, [classes, classes] row-major with rows the true classes, to <paramref name="path"/>.</summary>
    /// <param name="confusion">Counts, row = true class, column = predicted class; none negative.</param>
    /// <param name="classes">The number of classes, at least 2.</param>
    /// <param name="classNames">A name per class for the axes, or null for the class numbers.</param>
    /// <param name="path">The image file, ending in <c>.png</c> or <c>.svg</c>.</param>
    /// <param name="width">Image width in pixels; 0 sizes it to the classes.</param>
    /// <param name="height">Image height in pixels; 0 sizes it to the classes.</param>
    /// <exception cref="ArgumentException">The counts are not classes × classes or one is negative, class names of the wrong count, a bad path or size.</exception>
    public static void Save(ReadOnlySpan<int> confusion, int classes, IReadOnlyList<string>? classNames, string path, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if (confusion.Length != classes * classes)
        {
            throw new ArgumentException($"The confusion matrix has {confusion.Length} counts; {classes} classes need {classes * classes}.", nameof(confusion));
        }

        if (classNames is not null && classNames.Count != classes)
        {
            throw new ArgumentException($"There are {classNames.Count} class names for {classes} classes.", nameof(classNames));
        }

        string[] names = classNames?.ToArray() ?? Enumerable.Range(0, classes).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();
        int longest = names.Max(n => n.Length);
        int side = Math.Clamp(60 * classes, 240, 1200);
        width = width == 0 ? side + 120 + 7 * longest : width;
        height = height == 0 ? side + 100 + 5 * longest : height;
        PlotImage.IsSvg(path, width, height);

        // Shade by the row's fraction; the heatmap's first row is drawn at the top.
        var shares = new double[classes, classes];
        for (int actual = 0; actual < classes; actual++)
        {
            long total = 0;
            for (int predicted = 0; predicted < classes; predicted++)
            {
                int count = confusion[actual * classes + predicted];
                if (count < 0)
                {
                    throw new ArgumentException($"The count for true class {actual}, predicted {predicted} is {count}.", nameof(confusion));
                }

                total += count;
            }

            for (int predicted = 0; predicted < classes; predicted++)
            {
                shares[actual, predicted] = total == 0 ? 0 : (double)confusion[actual * classes + predicted] / total;
            }
        }

        using Plot plot = PlotImage.NewPlot();
        var heatmap = plot.Add.Heatmap(shares);
        heatmap.Colormap = new ScottPlot.Colormaps.Reversed(new ScottPlot.Colormaps.Blues()); // white for none, dark blue for all
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        heatmap.Rectangle = new CoordinateRect(-0.5, classes - 0.5, -0.5, classes - 0.5); // the cells' outer edges
        float fontSize = Math.Clamp(180f / classes, 9f, 16f);
        for (int actual = 0; actual < classes; actual++)
        {
            for (int predicted = 0; predicted < classes; predicted++)
            {
                var text = plot.Add.Text(confusion[actual * classes + predicted].ToString("N0", CultureInfo.InvariantCulture), predicted, Row(actual));
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = fontSize;
                text.LabelFontColor = shares[actual, predicted] > 0.5 ? Colors.White : Colors.Black;
            }
        }

        double[] positions = Enumerable.Range(0, classes).Select(c => (double)c).ToArray();
        plot.Axes.Bottom.SetTicks(positions, names);
        plot.Axes.Left.SetTicks(positions.Select(p => (double)Row((int)p)).ToArray(), names);
        float tickFont = plot.Axes.Bottom.TickLabelStyle.FontSize;
        if (longest * tickFont * 0.6f > side / classes) // names wider than a cell: slanted, with room below them
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
            plot.Axes.Bottom.MinimumSize = longest * tickFont * 0.6f * 0.72f + 2.5f * tickFont + 20;
        }

        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Axes.Bottom.MinorTickStyle.Length = 0;
        plot.Axes.Left.MinorTickStyle.Length = 0;
        plot.Axes.SetLimits(-0.5, classes - 0.5, -0.5, classes - 0.5);
        plot.HideGrid();
        plot.Title("Confusion matrix");
        plot.XLabel("predicted class");
        plot.YLabel("true class");
        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = "share of the true class";
        colorBar.Axis.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(0.2); // 0, 0.2, …, 1: room for the label
        PlotImage.Save([plot], 1, path, width, height);

        double Row(int actual) => classes - 1 - actual; // true class 0 at the top
    }
}
