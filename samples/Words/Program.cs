// A character-level model of English words in GenNet, trained on the word list of Debian's wamerican package
// (sudo apt-get install wamerican): the 10 tokens before a position → Embedding(29, 16) → GRU(96) → Dense(27, softmax)
// over the next character, Adam at 3e-3, batch 128. It reports the validation loss per character (nats and bits) after
// each epoch, then writes new words from a few prefixes, sampled at two temperatures.
//   dotnet run -c Release --project samples/Words
// Options: --epochs N (default 4), --seed N (weights, batch order and sampling; default 1), --split-seed N (the
// training/validation split, default 42; the same split as pytorch_words.py), --threads N (0 = all cores), --words FILE
// (one word a line; default /usr/share/dict/american-english), --quiet.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using GenNet;
using GenNet.Samples.Words;

string wordList = WordsSample.DebianWordList;
int epochs = 4, seed = 1, threads = 0;
ulong splitSeed = 42;
bool quiet = false;
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--epochs": epochs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--split-seed": splitSeed = ulong.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--threads": threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--words": wordList = Next(); break;
        case "--quiet": quiet = true; break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}; usage: [--epochs N] [--seed N] [--split-seed N] [--threads N] [--words FILE] [--quiet]");
            return 2;
    }
}

string[] words;
try
{
    words = WordsSample.LoadWords(wordList);
}
catch (FileNotFoundException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

Console.WriteLine($"{words.Length:N0} words of {wordList}; {WordsSample.Context} tokens of context, seed {seed}, split seed {splitSeed}");
var progress = new Progress(report => Console.WriteLine(WordsSample.Describe(report)));
WordsResult result = WordsSample.Run(words, epochs, seed, splitSeed, threads, verbosity: quiet ? Verbosity.Silent : Verbosity.Auto, progress: progress);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{result.TrainWords:N0} training words ({result.TrainWindows:N0} characters to predict), {result.ValidationWords:N0} validation words ({result.ValidationWindows:N0}): " +
    $"validation loss {result.ValidationNats:F4} nats = {result.ValidationBits:F4} bits per character"));

var known = new HashSet<string>(words, StringComparer.Ordinal);
var random = new SeededRandom(seed);
foreach (float temperature in new[] { 0.7f, 1.0f })
{
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"temperature {temperature} (* = not in the word list):"));
    foreach (string prefix in new[] { "", "", "qu", "th", "un", "ex", "mon" })
    {
        string[] made = Enumerable.Range(0, 6).Select(_ => WordsSample.Generate(result.Network, prefix, temperature, ref random)).ToArray();
        Console.WriteLine($"  {(prefix.Length == 0 ? "(none)" : prefix),-7} " + string.Join(" ", made.Select(w => known.Contains(w) ? w : w + "*")));
    }
}

return 0;

/// <summary>Each epoch's figures as they arrive, on the training thread (Progress&lt;T&gt; would post them later).</summary>
sealed class Progress(Action<EpochReport> report) : IProgress<EpochReport>
{
    public void Report(EpochReport value) => report(value);
}
