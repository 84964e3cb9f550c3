using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace GenNet;

/// <summary>
/// Loads tabular data from CSV: a header row, numeric feature columns, and one label column. Fields may be
/// quoted (RFC 4180: a doubled quote inside quotes is a quote). A bad cell is an <see cref="InvalidDataException"/>
/// giving the file, line and column, quoting at most the cell's first 40 characters. Whole-number labels must be below
/// <see cref="Dataset.MaxClassCount"/>.
/// </summary>
public static class Csv
{
    /// <summary>
    /// Loads <paramref name="path"/> with the label in the column named <paramref name="labelColumn"/>.
    /// Class labels that are all whole numbers ≥ 0 are used as they are; otherwise each distinct text becomes a class,
    /// numbered in ordinal order (see <see cref="Dataset.ClassNames"/>). With <paramref name="regression"/> the label
    /// column is a float target instead.
    /// </summary>
    public static Dataset Load(string path, string labelColumn, bool regression = false, char separator = ',')
    {
        ArgumentNullException.ThrowIfNull(labelColumn);
        return Load(path, header => ResolveColumn(path, header, labelColumn), regression, separator);
    }

    /// <summary>Loads <paramref name="path"/> with the label in column <paramref name="labelColumn"/> (from 0; −1 for the last).</summary>
    public static Dataset Load(string path, int labelColumn, bool regression = false, char separator = ',') =>
        Load(path, header =>
        {
            int index = labelColumn < 0 ? header.Count + labelColumn : labelColumn;
            if (index < 0 || index >= header.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(labelColumn), labelColumn, $"{path} has {header.Count} columns.");
            }

            return index;
        }, regression, separator);

    private static Dataset Load(string path, Func<List<string>, int> labelIndex, bool regression, char separator)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        int lineNumber = 0;
        List<string>? header = null;
        int label = -1;
        var features = new List<float>();
        var labelCells = new List<(string Text, int Line)>();
        while (ReadRecord(reader, separator, ref lineNumber, path) is { } fields)
        {
            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue; // blank line
            }

            if (header is null)
            {
                header = fields;
                label = labelIndex(header);
                if (header.Count < 2)
                {
                    throw new InvalidDataException($"{path}:{lineNumber}: the header has {header.Count} column; a dataset needs features and a label.");
                }

                continue;
            }

            if (fields.Count != header.Count)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: {fields.Count} fields, but the header has {header.Count}.");
            }

            for (int column = 0; column < fields.Count; column++)
            {
                if (column == label)
                {
                    labelCells.Add((fields[column].Trim(), lineNumber));
                    continue;
                }

                features.Add(ParseNumber(fields[column], path, lineNumber, column, header));
            }
        }

        if (header is null || labelCells.Count == 0)
        {
            throw new InvalidDataException($"{path}: no data rows.");
        }

        int[] shape = [header.Count - 1];
        if (regression)
        {
            float[] targets = labelCells.Select(cell => ParseNumber(cell.Text, path, cell.Line, label, header)).ToArray();
            return Dataset.Create(features.ToArray(), targets, shape);
        }

        if (labelCells.All(cell => int.TryParse(cell.Text, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            int[] labels = new int[labelCells.Count];
            for (int i = 0; i < labels.Length; i++)
            {
                labels[i] = int.Parse(labelCells[i].Text, NumberStyles.None, CultureInfo.InvariantCulture);
                if (labels[i] >= Dataset.MaxClassCount)
                {
                    throw new InvalidDataException($"{path}:{labelCells[i].Line}: label {labels[i]:N0} (column '{Excerpt.Of(header[label].Trim())}') is not a class index: labels go from 0 to {Dataset.MaxClassCount - 1:N0}. Load the column as text labels or as a regression target instead.");
                }
            }

            return Dataset.Create(features.ToArray(), labels, shape);
        }

        string[] names = labelCells.Select(cell => cell.Text).Distinct().Order(StringComparer.Ordinal).ToArray();
        var classOf = names.Select((name, index) => (name, index)).ToDictionary(pair => pair.name, pair => pair.index, StringComparer.Ordinal);
        return Dataset.CreateWithClassNames(features.ToArray(), labelCells.Select(cell => classOf[cell.Text]).ToArray(), names, shape);
    }

    private static int ResolveColumn(string path, List<string> header, string name)
    {
        int index = header.FindIndex(h => string.Equals(h.Trim(), name, StringComparison.Ordinal));
        if (index < 0)
        {
            const int Listed = 20;
            string columns = string.Join(", ", header.Take(Listed).Select(h => $"'{Excerpt.Of(h)}'")) + (header.Count > Listed ? $" and {header.Count - Listed:N0} more" : "");
            throw new InvalidDataException($"{path}: no column named '{Excerpt.Of(name)}'; the header has {columns}.");
        }

        return index;
    }

    private static float ParseNumber(string cell, string path, int line, int column, List<string> header)
    {
        if (float.TryParse(cell.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && float.IsFinite(value))
        {
            return value;
        }

        throw new InvalidDataException($"{path}:{line}: column {column + 1} ('{Excerpt.Of(header[column].Trim())}'): '{Excerpt.Of(cell)}' is not a finite number.");
    }

    /// <summary>One record, which may span lines inside quotes; null at the end of the file.</summary>
    private static List<string>? ReadRecord(TextReader reader, char separator, ref int lineNumber, string path)
    {
        string? line = reader.ReadLine();
        if (line is null)
        {
            return null;
        }

        lineNumber++;
        int startLine = lineNumber;
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; ; i++)
        {
            if (i == line.Length)
            {
                if (!quoted)
                {
                    break;
                }

                line = reader.ReadLine() ?? throw new InvalidDataException($"{path}:{startLine}: a quoted field is never closed.");
                lineNumber++;
                field.Append('\n');
                i = -1;
                continue;
            }

            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == separator)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
