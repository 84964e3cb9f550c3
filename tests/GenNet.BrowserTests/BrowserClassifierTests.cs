using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using GenNet.Samples.BrowserClassifier;
using OpenQA.Selenium;
using OpenQA.Selenium.Interactions;
using Xunit;
using Xunit.Abstractions;

namespace GenNet.BrowserTests;

/// <summary>samples/BrowserClassifier in headless Chromium: its predictions, its drawing pad, its console and its comparison.</summary>
public sealed class BrowserClassifierTests(BrowserSession session, ITestOutputHelper output) : IClassFixture<BrowserSession>
{
    private IWebDriver Driver => session.Driver;

    [Theory]
    [InlineData("mlp")]
    [InlineData("convnet")]
    public void The_page_shows_the_top1_class_dotnet_computes_for_the_first_20_images(string modelId)
    {
        session.Load();
        ChooseModel(modelId);
        INetwork network = Model.All.Single(m => m.Id == modelId).Network;
        var image = new float[FashionImages.Pixels];
        var probabilities = new float[10];
        for (int i = 0; i < 20; i++)
        {
            FashionImages.Scale(FashionImages.Bytes.AsSpan(i * FashionImages.Pixels, FashionImages.Pixels), image);
            network.Forward(image, probabilities);
            string shown = Driver.FindElement(By.Id($"thumb-{i}")).GetAttribute("data-predicted")!;
            Assert.True(Top(probabilities).ToString(CultureInfo.InvariantCulture) == shown,
                $"{modelId}, image {i}: the page shows class {shown}, .NET computes {Top(probabilities)}");

            if (i == 0) // image 0 is selected: its probabilities, printed to 4 places, are .NET's
            {
                float[] page = ShownProbabilities();
                for (int k = 0; k < 10; k++)
                {
                    Assert.True(Math.Abs(page[k] - probabilities[k]) <= 0.00006f, $"{modelId}, image 0, class {k}: page {page[k]}, .NET {probabilities[k]}");
                }
            }
        }

        AssertNoConsoleErrors();
    }

    [Fact]
    public void Drawing_on_the_canvas_changes_the_probabilities()
    {
        session.Load();
        float[] before = ShownProbabilities();
        IWebElement pad = Driver.FindElement(By.Id("pad"));

        // A trouser-like stroke: two legs drawn top to bottom (offsets from the pad's centre, in CSS pixels).
        new Actions(Driver)
            .MoveToElement(pad, -30, -80).ClickAndHold().MoveByOffset(-10, 80).MoveByOffset(-8, 70).Release()
            .MoveToElement(pad, 30, -80).ClickAndHold().MoveByOffset(10, 80).MoveByOffset(8, 70).Release()
            .MoveToElement(pad, 0, -85).ClickAndHold().MoveByOffset(-30, 0).MoveByOffset(60, 0).Release()
            .Perform();

        session.Wait(TimeSpan.FromSeconds(10)).Until(d => d.FindElement(By.Id("input-title")).Text == "Your drawing");
        float[] after = ShownProbabilities();
        Assert.True(before.Zip(after).Any(pair => Math.Abs(pair.First - pair.Second) > 0.01f),
            $"drawing left the probabilities as they were: {string.Join(" ", after)}");
        Assert.InRange(after.Sum(), 0.999f, 1.001f);
        Assert.Contains("µs per inference", Driver.FindElement(By.Id("inference-time")).Text, StringComparison.Ordinal);
        output.WriteLine($"drawing: top class {FashionImages.ClassNames[Top(after)]} ({after.Max():F4}); {Driver.FindElement(By.Id("inference-time")).Text}");

        Driver.FindElement(By.Id("clear")).Click();
        session.Wait(TimeSpan.FromSeconds(10)).Until(d => d.FindElement(By.Id("input-title")).Text.StartsWith("Test image", StringComparison.Ordinal));
        AssertNoConsoleErrors();
    }

    [Fact]
    public void No_error_reaches_the_browser_console_and_the_log_would_show_one()
    {
        session.Load();
        Driver.FindElement(By.Id("thumb-7")).Click();
        session.Wait(TimeSpan.FromSeconds(10)).Until(d => d.FindElement(By.Id("input-title")).Text.StartsWith("Test image 7", StringComparison.Ordinal));
        ChooseModel("convnet");
        ChooseModel("mlp");
        AssertNoConsoleErrors();

        // The check above reads the real log: an error written now is there.
        ((IJavaScriptExecutor)Driver).ExecuteScript("console.error('gennet-probe')");
        Assert.Contains(Driver.Manage().Logs.GetLog(LogType.Browser), entry => entry.Level == LogLevel.Severe && entry.Message.Contains("gennet-probe", StringComparison.Ordinal));
    }

    [Fact]
    public void In_the_browser_training_runs_on_the_pages_thread_and_learns()
    {
        session.Load();
        // WorkerPool.MaxShards: 1 in the browser, whatever the processor count (Thread.Start would throw there).
        Assert.Equal("1", Driver.FindElement(By.Id("max-shards")).Text);

        // 300 steps at batch 64 with Threads = 2: a split would start a thread and throw into the console.
        Driver.FindElement(By.Id("train")).Click();
        string result = session.Wait(TimeSpan.FromSeconds(60)).Until(d => d.FindElement(By.Id("train-result")).Text is { Length: > 0 } text ? text : null);
        string[] words = result.Split(' ');
        float first = float.Parse(words[1], CultureInfo.InvariantCulture), last = float.Parse(words[3], CultureInfo.InvariantCulture);
        Assert.True(first > 0.5f && last < 0.05f, $"XOR did not learn in the page: {result}");
        output.WriteLine($"XOR in the page: {result}; {Driver.FindElement(By.Id("runtime")).Text}");
        AssertNoConsoleErrors();
    }

    [Fact]
    public void The_comparison_runs_onnxruntime_web_on_the_same_weights_with_the_same_top1()
    {
        session.Load();
        var figures = new List<string>();
        void Report(string line)
        {
            output.WriteLine(line);
            figures.Add(line);
        }

        Report(string.Create(CultureInfo.InvariantCulture,
            $"time to first prediction (cold cache, loopback, gzip): {session.FirstPredictionMilliseconds:F0} ms, {session.BytesToFirstPrediction:N0} bytes sent"));
        Report(Sizes());
        Report($"compiled-in weights read in place in the browser: {Driver.FindElement(By.Id("weights-mapped")).Text}");
        foreach (string modelId in new[] { "convnet", "mlp" }) // the MLP last: the screenshot shows it
        {
            ChooseModel(modelId);
            Driver.FindElement(By.Id("run-comparison")).Click();
            session.Wait(TimeSpan.FromMinutes(3)).Until(d =>
            {
                string status = d.FindElement(By.Id("comparison-status")).Text;
                return status == "done" || status.StartsWith("onnxruntime-web is not", StringComparison.Ordinal) ? status : null;
            });
            Assert.Equal("done", Driver.FindElement(By.Id("comparison-status")).Text);
            string Cell(string id) => Driver.FindElement(By.Id(id)).Text;
            double[] latencies = [.. new[] { "gennet-single", "gennet-batch", "ort-single", "ort-batch" }.Select(id => double.Parse(Cell(id), CultureInfo.InvariantCulture))];
            Assert.All(latencies, value => Assert.True(value > 0, "a latency of zero"));
            int agree = int.Parse(Cell("ort-agreement").Split('/')[0], CultureInfo.InvariantCulture);
            Assert.True(agree >= 99, $"{modelId}: onnxruntime-web's top-1 agrees with GenNet's on {agree} of 100 images");
            Report(string.Create(CultureInfo.InvariantCulture,
                $"{modelId}: µs per image, one at a time / batch of 100: GenNet {latencies[0]:F1} / {latencies[1]:F1}, onnxruntime-web {latencies[2]:F1} / {latencies[3]:F1} (GenNet/ORT {latencies[0] / latencies[2]:F1}× / {latencies[1] / latencies[3]:F1}×); top-1 agreement {agree}/100"));
        }

        Driver.FindElement(By.Id("thumb-0")).Click();
        Screenshot shot = ((ITakesScreenshot)Driver).GetScreenshot();
        string file = Path.Combine(AppContext.BaseDirectory, "browser-classifier.png");
        shot.SaveAsFile(file);
        if (Environment.GetEnvironmentVariable("GENNET_ACCEPT_SCREENSHOT") == "1")
        {
            File.Copy(file, Path.Combine(session.RepositoryRoot, "docs", "images", "browser-classifier.png"), overwrite: true);
        }

        Report($"screenshot: {file}");
        File.WriteAllLines(Path.Combine(AppContext.BaseDirectory, "browser-figures.txt"), figures); // .ci/run prints it
        AssertNoConsoleErrors();
    }

    private void ChooseModel(string id)
    {
        Driver.FindElement(By.CssSelector($"#model option[value='{id}']")).Click();
        // The grid is predicted again by the chosen network: wait until the page's model is this one and it re-rendered.
        session.Wait(TimeSpan.FromSeconds(30)).Until(d => d.FindElement(By.Id("model")).GetDomProperty("value") == id &&
            d.FindElement(By.Id("grid")).GetDomAttribute("data-model") == id);
    }

    private float[] ShownProbabilities() =>
        [.. Driver.FindElements(By.CssSelector("#probabilities td.p")).Select(cell => float.Parse(cell.Text, CultureInfo.InvariantCulture))];

    private void AssertNoConsoleErrors()
    {
        List<LogEntry> errors = [.. Driver.Manage().Logs.GetLog(LogType.Browser).Where(entry => entry.Level >= LogLevel.Severe)];
        Assert.True(errors.Count == 0, "the browser console has errors:\n" + string.Join("\n", errors.Select(e => e.Message)));
    }

    // The download: what _framework holds as published (trimmed), and its precompressed copies; onnxruntime-web's files apart.
    private string Sizes()
    {
        string framework = Path.Combine(session.WebRoot, "_framework");
        string[] files = Directory.GetFiles(framework);
        long raw = files.Where(f => !f.EndsWith(".br", StringComparison.Ordinal) && !f.EndsWith(".gz", StringComparison.Ordinal)).Sum(f => new FileInfo(f).Length);
        long brotli = files.Where(f => f.EndsWith(".br", StringComparison.Ordinal)).Sum(f => new FileInfo(f).Length);
        long gzip = files.Where(f => f.EndsWith(".gz", StringComparison.Ordinal)).Sum(f => new FileInfo(f).Length);
        long ort = 0, ortGzip = 0, ortBrotli = 0;
        foreach (string file in Directory.GetFiles(Path.Combine(session.WebRoot, "ort")))
        {
            byte[] bytes = File.ReadAllBytes(file);
            ort += bytes.Length;
            ortGzip += Compressed(bytes, s => new GZipStream(s, CompressionLevel.SmallestSize, leaveOpen: true));
            ortBrotli += Compressed(bytes, s => new BrotliStream(s, CompressionLevel.SmallestSize, leaveOpen: true));
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"_framework (trimmed publish): {raw:N0} bytes, {brotli:N0} brotli, {gzip:N0} gzip; onnxruntime-web's 3 files: {ort:N0} bytes, {ortBrotli:N0} brotli, {ortGzip:N0} gzip");
    }

    private static long Compressed(byte[] bytes, Func<Stream, Stream> compressor)
    {
        using var memory = new MemoryStream();
        using (Stream stream = compressor(memory))
        {
            stream.Write(bytes);
        }

        return memory.Length;
    }

    private static int Top(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int k = 1; k < values.Length; k++)
        {
            if (values[k] > values[best])
            {
                best = k;
            }
        }

        return best;
    }
}
