using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace GenNet.BrowserTests;

/// <summary>
/// Once for the test class: publishes samples/BrowserClassifier (Release, trimmed, as a site would ship it), serves it
/// on 127.0.0.1 and starts Debian's chromium headless through chromium-driver, with a fresh profile (a cold cache), and
/// loads the page once, which gives the time to the first prediction.
/// </summary>
public sealed class BrowserSession : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriver = "/usr/bin/chromedriver";

    private readonly string _work;

    public BrowserSession()
    {
        RepositoryRoot = FindRepositoryRoot();
        _work = Path.Combine(Path.GetTempPath(), "gennet-browser-" + Guid.NewGuid().ToString("N"));
        PublishDirectory = Path.Combine(_work, "publish");
        Publish();
        WebRoot = Path.Combine(PublishDirectory, "wwwroot");
        if (!File.Exists(Path.Combine(WebRoot, "ort", "ort.wasm.min.js")))
        {
            throw new InvalidOperationException(
                "onnxruntime-web is not in the published app: run `npm ci` in samples/BrowserClassifier first (.ci/run does).");
        }

        foreach (string program in new[] { Chromium, ChromeDriver })
        {
            if (!File.Exists(program))
            {
                throw new InvalidOperationException($"{program} is missing: apt-get install chromium chromium-driver (.ci/run does).");
            }
        }

        Server = new StaticFileServer(WebRoot);
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--window-size=1240,1300", "--no-first-run", "--disable-extensions", $"--user-data-dir={Path.Combine(_work, "profile")}");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        ChromeDriverService service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!, Path.GetFileName(ChromeDriver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        Driver = new ChromeDriver(service, options, TimeSpan.FromMinutes(2));

        Load();
        FirstPredictionMilliseconds = double.Parse(
            Driver.FindElement(By.Id("first-prediction")).Text.Split(' ').First(word => double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out _)),
            CultureInfo.InvariantCulture);
        BytesToFirstPrediction = Server.BytesSent;
    }

    public string RepositoryRoot { get; }

    public string PublishDirectory { get; }

    public string WebRoot { get; }

    public StaticFileServer Server { get; }

    public ChromeDriver Driver { get; }

    /// <summary>From the start of the first navigation (cold cache) to the first prediction on the page, as the page measured it.</summary>
    public double FirstPredictionMilliseconds { get; }

    /// <summary>What the server had sent (gzip where the file had a .gz beside it) when the first prediction was on the page.</summary>
    public long BytesToFirstPrediction { get; }

    /// <summary>Navigates to the page and waits for the first prediction.</summary>
    public void Load()
    {
        Driver.Navigate().GoToUrl(Server.Address);
        Wait(TimeSpan.FromSeconds(90)).Until(d => d.FindElement(By.Id("first-prediction")).Text.Length > 0);
    }

    public WebDriverWait Wait(TimeSpan timeout)
    {
        var wait = new WebDriverWait(Driver, timeout) { PollingInterval = TimeSpan.FromMilliseconds(50) };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        return wait;
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
        Server.Dispose();
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // chromium may still be letting go of its profile; the folder is in /tmp
        }
    }

    private void Publish()
    {
        var start = new ProcessStartInfo(Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot,
        };
        foreach (string argument in new[] { "publish", Path.Combine("samples", "BrowserClassifier"), "-c", "Release", "-o", PublishDirectory, "--nologo" })
        {
            start.ArgumentList.Add(argument);
        }

        using Process publish = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet publish");
        var output = new StringBuilder();
        publish.OutputDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        publish.ErrorDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        publish.BeginOutputReadLine();
        publish.BeginErrorReadLine();
        if (!publish.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            publish.Kill(entireProcessTree: true);
            throw new TimeoutException("dotnet publish samples/BrowserClassifier took more than 10 minutes");
        }

        publish.WaitForExit();
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish samples/BrowserClassifier failed ({publish.ExitCode}):\n{output}");
        }
    }

    private static string FindRepositoryRoot()
    {
        for (DirectoryInfo? folder = new(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "GenNet.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"GenNet.sln not found above {AppContext.BaseDirectory}");
    }
}
