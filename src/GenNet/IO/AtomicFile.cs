using System;
using System.Diagnostics;
using System.IO;
using System.Text.RegularExpressions;

namespace GenNet;

/// <summary>
/// Writes a file so that it is replaced whole or not at all: the content goes to a temporary file beside the target,
/// <c>.{name}.{process id}.{guid}.tmp</c>, which is flushed to disk and then renamed over the target. A failure (a full
/// disk, a crash, a kill) leaves any previous file untouched; errors name the target, not the temporary file.
/// </summary>
internal static class AtomicFile
{
    /// <summary>
    /// A temporary file not written to for this long is taken to be abandoned even when a process with its id is running
    /// (the id may have been reused). A live save writes continuously, so its file's last write time stays recent.
    /// </summary>
    internal static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(10);

    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>; <paramref name="open"/> opens the temporary file (tests replace it).</summary>
    public static void Write(string path, Action<Stream> write, Func<string, Stream>? open = null)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        string name = Path.GetFileName(full);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Cannot save {full}: the directory {directory} does not exist.");
        }

        RemoveStaleTemporaries(directory, name);
        string temporary = Path.Combine(directory, $".{name}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (Stream file = open?.Invoke(temporary) ?? new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(file);
                if (file is FileStream onDisk)
                {
                    onDisk.Flush(flushToDisk: true);
                }
                else
                {
                    file.Flush();
                }
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            string outcome = File.Exists(full) ? $"the existing {name} is unchanged" : $"no {name} was written";
            string message = $"Could not save {full}: {exception.Message} ({outcome}).";
            throw exception switch
            {
                UnauthorizedAccessException => new UnauthorizedAccessException(message, exception),
                DirectoryNotFoundException => new DirectoryNotFoundException(message, exception),
                _ => new IOException(message, exception),
            };
        }
        finally
        {
            TryDelete(temporary);
        }
    }

    /// <summary>
    /// Deletes temporary files that earlier saves of <paramref name="name"/> left behind when they were killed: only names of
    /// exactly the form this class creates for this target, and only when the process that made one is no longer running or
    /// the file has not been written for <see cref="StaleAfter"/>. Best effort: a file that cannot be deleted is left.
    /// </summary>
    internal static void RemoveStaleTemporaries(string directory, string name)
    {
        var pattern = new Regex($@"^\.{Regex.Escape(name)}\.(?<pid>[0-9]{{1,10}})\.[0-9a-f]{{32}}\.tmp$", RegexOptions.CultureInvariant);
        try
        {
            foreach (string candidate in Directory.EnumerateFiles(directory, $".{name}.*.tmp"))
            {
                Match match = pattern.Match(Path.GetFileName(candidate));
                if (match.Success && IsAbandoned(candidate, match.Groups["pid"].Value))
                {
                    TryDelete(candidate);
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Cleaning up is a courtesy; the save itself goes on.
        }
    }

    private static bool IsAbandoned(string path, string processId)
    {
        if (DateTime.UtcNow - File.GetLastWriteTimeUtc(path) > StaleAfter)
        {
            return true;
        }

        if (!int.TryParse(processId, out int id) || id == Environment.ProcessId)
        {
            return false; // this process may be saving the same target on another thread
        }

        try
        {
            using Process process = Process.GetProcessById(id);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true; // no process has that id
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Left for the next save's clean-up.
        }
    }
}
