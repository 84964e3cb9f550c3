using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace GenNet;

/// <summary>Keras-style progress: a bar redrawn in place on an interactive console, or one line per epoch.</summary>
internal sealed class ConsoleProgress
{
    private const int BarWidth = 30;
    private static readonly long RedrawInterval = Stopwatch.Frequency / 10;

    private readonly TextWriter _writer;
    private readonly bool _bar;
    private long _lastDraw;
    private int _batchCount;

    public ConsoleProgress(TextWriter writer, bool bar)
    {
        _writer = writer;
        _bar = bar;
    }

    public static ConsoleProgress? For(Verbosity verbosity) => verbosity switch
    {
        Verbosity.Silent => null,
        Verbosity.Epochs => new ConsoleProgress(Console.Out, bar: false),
        Verbosity.ProgressBar => new ConsoleProgress(Console.Out, bar: true),
        _ => new ConsoleProgress(Console.Out, bar: !Console.IsOutputRedirected),
    };

    public void BeginEpoch(int epoch, int epochs, int batchCount)
    {
        _batchCount = batchCount;
        _lastDraw = 0;
        if (_bar)
        {
            _writer.WriteLine($"Epoch {epoch}/{epochs}");
        }
    }

    /// <summary>Redraws the bar at most ten times a second; nothing at all in line mode (so nothing allocates per batch).</summary>
    public void Batch(int done, double loss, double? accuracy)
    {
        if (!_bar)
        {
            return;
        }

        long now = Stopwatch.GetTimestamp();
        if (done != _batchCount && now - _lastDraw < RedrawInterval)
        {
            return;
        }

        _lastDraw = now;
        string metrics = accuracy is { } a
            ? string.Create(CultureInfo.InvariantCulture, $"loss: {loss:F4} - accuracy: {a:F4}")
            : string.Create(CultureInfo.InvariantCulture, $"loss: {loss:F4}");
        _writer.Write($"\r{Bar(done)} - {metrics}   ");
        _writer.Flush();
    }

    public void EndEpoch(EpochReport report)
    {
        string seconds = string.Create(CultureInfo.InvariantCulture, $"{report.Seconds:F1}s");
        if (_bar)
        {
            _writer.WriteLine($"\r{Bar(_batchCount)} - {seconds} - {report.Metrics()}   ");
        }
        else
        {
            _writer.WriteLine($"Epoch {report.Epoch}/{report.Epochs} - {seconds} - {report.Metrics()}");
        }

        _writer.Flush();
    }

    private string Bar(int done)
    {
        int filled = _batchCount == 0 ? BarWidth : done * BarWidth / _batchCount;
        string bar = done == _batchCount
            ? new string('=', BarWidth)
            : new string('=', Math.Max(filled - 1, 0)) + ">" + new string('.', BarWidth - Math.Max(filled, 1));
        string width = _batchCount.ToString(CultureInfo.InvariantCulture);
        return $"{done.ToString(CultureInfo.InvariantCulture).PadLeft(width.Length)}/{width} [{bar}]";
    }
}
