using System;
using System.IO;
using Xunit;

namespace GenNet.Tests.Data;

public sealed class CsvTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string Write(string text)
    {
        string path = _directory.File(Guid.NewGuid().ToString("N") + ".csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Integer_labels_by_column_name()
    {
        Dataset data = Csv.Load(Write("a,b,label\n1,2,0\n3.5,-4e-1,2\n\n"), "label");
        Assert.Equal(2, data.Count);
        Assert.Equal([2], data.SampleShape);
        Assert.Equal([0, 2], data.Labels.ToArray());
        Assert.Equal(3, data.ClassCount);
        Assert.Null(data.ClassNames);
        var features = new float[2];
        data.CopyFeatures(1, features);
        Assert.Equal([3.5f, -0.4f], features);
    }

    [Fact]
    public void Text_labels_become_classes_in_ordinal_order()
    {
        Dataset data = Csv.Load(Write("species,x\nvirginica,1\nsetosa,2\n\"versi,color\",3\nsetosa,4\n"), 0);
        Assert.Equal(["setosa", "versi,color", "virginica"], data.ClassNames);
        Assert.Equal([2, 0, 1, 0], data.Labels.ToArray());
    }

    [Fact]
    public void Regression_targets_from_the_last_column()
    {
        Dataset data = Csv.Load(Write("x1,x2,y\n1,2,0.5\n3,4,-1.25\n"), -1, regression: true);
        Assert.False(data.HasLabels);
        Assert.Equal(1, data.TargetWidth);
        Assert.Equal([0.5f, -1.25f], data.Targets.ToArray());
    }

    [Fact]
    public void Quoted_fields_with_separators_quotes_and_newlines()
    {
        Dataset data = Csv.Load(Write("\"a \"\"quoted\"\" name\",label\n\"1.5\",\"x\ny\"\n2,z\n"), "label");
        Assert.Equal(["x\ny", "z"], data.ClassNames);
        var features = new float[1];
        data.CopyFeatures(0, features);
        Assert.Equal(1.5f, features[0]);
    }

    [Fact]
    public void A_bad_cell_names_the_file_line_and_column()
    {
        string path = Write("a,b,label\n1,2,0\n3,four,1\n");
        var error = Assert.Throws<InvalidDataException>(() => Csv.Load(path, "label"));
        Assert.Equal($"{path}:3: column 2 ('b'): 'four' is not a finite number.", error.Message);

        path = Write("a,label\nNaN,0\n");
        Assert.Contains(":2: column 1 ('a'): 'NaN' is not a finite number", Assert.Throws<InvalidDataException>(() => Csv.Load(path, "label")).Message);
    }

    [Fact]
    public void Structural_problems_are_reported()
    {
        string path = Write("a,b,label\n1,2,0\n3,1\n");
        Assert.Equal($"{path}:3: 2 fields, but the header has 3.", Assert.Throws<InvalidDataException>(() => Csv.Load(path, "label")).Message);
        path = Write("a,b\n1,2\n");
        Assert.Contains("no column named 'label'; the header has 'a', 'b'", Assert.Throws<InvalidDataException>(() => Csv.Load(path, "label")).Message);
        path = Write("a,label\n");
        Assert.Equal($"{path}: no data rows.", Assert.Throws<InvalidDataException>(() => Csv.Load(path, "label")).Message);
        path = Write("a,label\n\"1,0\n");
        Assert.Contains(":2: a quoted field is never closed", Assert.Throws<InvalidDataException>(() => Csv.Load(path, "label")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Csv.Load(Write("a,b\n1,2\n"), 5));
    }
}
