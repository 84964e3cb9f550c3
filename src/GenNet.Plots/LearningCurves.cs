using System;
using System.Collections.Generic;
using System.Linq;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace GenNet.Plots;

/// <summary>
/// Learning curves of a <see cref="History"/>: one panel per quantity — the loss, the accuracy where it applies, and each
/// metric chosen with <see cref="FitOptions.Metrics"/> — with the training value per epoch (blue) and, when Fit had
/// validation data, the validation value (orange).
/// </summary>
public static class LearningCurves
{
    /// <summary>
    /// Writes the learning curves of <paramref name="history"/> to <paramref name="path"/>: a PNG, or an SVG when the path
    /// ends in <c>.svg</c>. The panels sit side by side, up to three in a row.
    /// </summary>
    /// <param name="history">What <c>Fit</c> returned; at least one epoch.</param>
    /// <param name="path">The image file, ending in <c>.png</c> or <c>.svg</c>; its folder is created, an existing file replaced.</param>
    /// <param name="width">Image width in pixels; 0 (the default) gives each panel 420.</param>
    /// <param name="height">Image height in pixels; 0 (the default) gives each row of panels 340.</param>
    /// <exception cref="ArgumentException">The history has no epochs, the path ends in neither <c>.png</c> nor <c>.svg</c>, or a size is out of range (100 to 16384).</exception>
    public static void Save(History history, string path, int width = 0, int height = 0)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Epochs.Count == 0)
        {
            throw new ArgumentException("The history has no epochs: there is no curve to draw.", nameof(history));
        }

        List<(string Name, bool HigherIsBetter)> quantities = [("loss", false)];
        if (history.Epochs.Any(e => e.Accuracy is not null))
        {
            quantities.Add(("accuracy", true));
        }

        foreach (string metric in history.MetricNames)
        {
            quantities.Add((metric, metric is not ("mae" or "rmse")));
        }

        int columns = Math.Min(quantities.Count, 3), rows = (quantities.Count + columns - 1) / columns;
        width = width == 0 ? 420 * columns : width;
        height = height == 0 ? 340 * rows : height;
        PlotImage.IsSvg(path, width, height); // checks before drawing

        var panels = new List<Plot>();
        try
        {
            foreach ((string name, bool higherIsBetter) in quantities)
            {
                panels.Add(Panel(history, name, higherIsBetter));
            }

            PlotImage.Save(panels, columns, path, width, height);
        }
        finally
        {
            foreach (Plot panel in panels)
            {
                panel.Dispose();
            }
        }
    }

    private static Plot Panel(History history, string name, bool higherIsBetter)
    {
        Plot plot = PlotImage.NewPlot();
        Series(plot, history, name, "training", PlotImage.Training);
        Series(plot, history, "val_" + name, "validation", PlotImage.Validation);
        plot.Title(name);
        plot.XLabel("epoch");
        plot.YLabel(name);
        plot.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
        int epochs = history.Epochs[^1].Epoch;
        plot.Axes.SetLimitsX(0.5, epochs + 0.5);
        plot.ShowLegend(higherIsBetter ? Alignment.LowerRight : Alignment.UpperRight); // away from where the curve heads

        return plot;
    }

    /// <summary>Adds the finite values of <paramref name="key"/> per epoch as a line with markers, when there are any.</summary>
    private static void Series(Plot plot, History history, string key, string label, Color color)
    {
        var epochs = new List<double>();
        var values = new List<double>();
        foreach (EpochReport epoch in history.Epochs)
        {
            if (epoch.Value(key) is { } value && double.IsFinite(value))
            {
                epochs.Add(epoch.Epoch);
                values.Add(value);
            }
        }

        if (values.Count == 0)
        {
            return;
        }

        var scatter = plot.Add.Scatter(epochs.ToArray(), values.ToArray(), color);
        scatter.LegendText = label;
        scatter.LineWidth = 2;
        scatter.MarkerSize = 7;
    }
}
