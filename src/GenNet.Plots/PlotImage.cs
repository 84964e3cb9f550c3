using System;
using System.Collections.Generic;
using System.IO;
using ScottPlot;
using SkiaSharp;

namespace GenNet.Plots;

/// <summary>Writes one or more ScottPlot plots, laid out in a grid, as a PNG or an SVG file chosen by the path's extension.</summary>
internal static class PlotImage
{
    /// <summary>The training series' colour (matplotlib's first, #1f77b4).</summary>
    public static readonly Color Training = Color.FromHex("#1f77b4");

    /// <summary>The validation series' colour (matplotlib's second, #ff7f0e).</summary>
    public static readonly Color Validation = Color.FromHex("#ff7f0e");

    private static readonly string? SansSerif = FindSansSerif();

    /// <summary>Checks the path and size before anything is drawn.</summary>
    public static bool IsSvg(string path, int width, int height)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, 16384);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, 16384);
        string extension = Path.GetExtension(path);
        if (extension.Equals(".svg", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (extension.Equals(".png", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        throw new ArgumentException($"'{path}' does not end in .png or .svg: the extension chooses the image format.", nameof(path));
    }

    /// <summary>A plot with the house style: a sans-serif font where one is installed, a white background.</summary>
    public static Plot NewPlot()
    {
        var plot = new Plot();
        if (SansSerif is not null)
        {
            plot.Font.Set(SansSerif);
        }

        return plot;
    }

    /// <summary>Draws <paramref name="panels"/> row by row, <paramref name="columns"/> per row, into one image of the given size.</summary>
    public static void Save(IReadOnlyList<Plot> panels, int columns, string path, int width, int height)
    {
        bool svg = IsSvg(path, width, height);
        int rows = (panels.Count + columns - 1) / columns;
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        if (svg)
        {
            using var stream = new MemoryStream();
            using (SKCanvas canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), stream))
            {
                Draw(canvas);
            }

            File.WriteAllBytes(full, stream.ToArray());
        }
        else
        {
            using SKSurface surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
            Draw(surface.Canvas);
            using SKImage image = surface.Snapshot();
            using SKData data = image.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(full, data.ToArray());
        }

        void Draw(SKCanvas canvas)
        {
            canvas.Clear(SKColors.White);
            float cellWidth = (float)width / columns, cellHeight = (float)height / rows;
            for (int i = 0; i < panels.Count; i++)
            {
                float left = i % columns * cellWidth, top = i / columns * cellHeight;
                var cell = new PixelRect(new Pixel(left, top), new PixelSize(cellWidth, cellHeight));
                canvas.Save();
                canvas.ClipRect(cell.ToSKRect()); // a plot clears the whole canvas it is given before drawing
                panels[i].Render(canvas, cell);
                canvas.Restore();
            }
        }
    }

    private static string? FindSansSerif()
    {
        var installed = new HashSet<string>(SKFontManager.Default.FontFamilies, StringComparer.OrdinalIgnoreCase);
        foreach (string family in new[] { "DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "Segoe UI", "Noto Sans" })
        {
            if (installed.Contains(family))
            {
                return family;
            }
        }

        return null; // ScottPlot's own choice
    }
}
