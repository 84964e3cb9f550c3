using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace GenNet.BrowserTests;

/// <summary>
/// Serves a published wwwroot folder on 127.0.0.1 (a free port), as a static host would: the precompressed .gz file
/// when the browser accepts gzip (Chromium offers Brotli over HTTPS only), and a count of the bytes it sent.
/// </summary>
public sealed class StaticFileServer : IDisposable
{
    private static readonly Dictionary<string, string> s_types = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript",
        [".mjs"] = "text/javascript",
        [".css"] = "text/css",
        [".json"] = "application/json",
        [".wasm"] = "application/wasm",
        [".dat"] = "application/octet-stream",
        [".png"] = "image/png",
    };

    private readonly string _root;
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private long _bytesSent;

    public StaticFileServer(string root)
    {
        _root = Path.GetFullPath(root);
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Address => $"http://127.0.0.1:{Port}/";

    /// <summary>Bytes of response bodies sent so far (compressed ones as sent).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // the listener's pending GetContextAsync ends with an exception when it stops
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception error) when (error is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => Respond(context));
        }
    }

    private void Respond(HttpListenerContext context)
    {
        HttpListenerResponse response = context.Response;
        try
        {
            string relative = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath).TrimStart('/');
            string path = Path.GetFullPath(Path.Combine(_root, relative.Length == 0 ? "index.html" : relative));
            if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(path))
            {
                response.StatusCode = 404;
                return;
            }

            string? encodings = context.Request.Headers["Accept-Encoding"];
            bool gzip = encodings is not null && encodings.Contains("gzip", StringComparison.OrdinalIgnoreCase) && File.Exists(path + ".gz");
            response.ContentType = s_types.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
            response.AddHeader("Cache-Control", "no-cache");
            if (gzip)
            {
                response.AddHeader("Content-Encoding", "gzip");
            }

            byte[] body = File.ReadAllBytes(gzip ? path + ".gz" : path);
            response.ContentLength64 = body.Length;
            response.OutputStream.Write(body);
            Interlocked.Add(ref _bytesSent, body.Length);
        }
        catch (Exception error) when (error is HttpListenerException or IOException)
        {
            // the browser went away mid-response
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception error) when (error is HttpListenerException or ObjectDisposedException)
            {
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
