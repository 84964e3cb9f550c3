using System;
using System.IO;
using System.Linq;
using GenNet.Samples.Words;
using Xunit;
using Xunit.Abstractions;

namespace GenNet.Tests;

/// <summary>
/// samples/Words's own code (WordsSample.cs is compiled into this project) on the word list of Debian's wamerican package,
/// which .ci/run installs: the split and tokens pytorch_words.py reproduces, a short training run, seeded generation.
/// Without the list the tests fail with the command that installs it; they never skip.
/// </summary>
public sealed class WordsSampleTests(ITestOutputHelper output)
{
    private static readonly Lazy<string[]> s_words = new(() => WordsSample.LoadWords());

    [Fact]
    public void The_split_and_windows_are_the_ones_pytorch_words_py_computes()
    {
        string[] words = s_words.Value;
        Assert.Equal(63_875, words.Length); // wamerican 2020.12.07: the all-lower-case lines of 104,334
        (string[] train, string[] validation) = WordsSample.Split(words, seed: 42);
        Assert.Equal((57_487, 6_388), (train.Length, validation.Length));
        Assert.Equal(["spiritless", "thorium", "supplied", "ornerier", "lira"], validation.Take(5)); // printed by pytorch_words.py
        Assert.Equal(words.Order(StringComparer.Ordinal), train.Concat(validation).Order(StringComparer.Ordinal));
        Assert.Equal(59_311, WordsSample.Windows(validation).Count); // each word's letters and its end
    }

    [Fact]
    public void A_word_gives_one_window_per_next_character_left_padded_then_sliding()
    {
        Dataset cat = WordsSample.Windows(["cat"]);
        Assert.Equal(4, cat.Count);
        Assert.Equal([3, 1, 20, WordsSample.End], cat.Labels.ToArray()); // c, a, t, end
        const float P = WordsSample.Pad, S = WordsSample.Start;
        Assert.Equal([P, P, P, P, P, P, P, P, P, S], Features(cat, 0));
        Assert.Equal([P, P, P, P, P, P, S, 3, 1, 20], Features(cat, 3));

        Dataset longWord = WordsSample.Windows(["abcdefghijkl"]); // 12 letters: the last windows have lost the start token
        Assert.Equal(13, longWord.Count);
        Assert.Equal([S, 1, 2, 3, 4, 5, 6, 7, 8, 9], Features(longWord, 9));
        Assert.Equal([3, 4, 5, 6, 7, 8, 9, 10, 11, 12], Features(longWord, 12));
        Assert.Equal(WordsSample.End, longWord.Labels[12]);

        Assert.Throws<ArgumentException>(() => WordsSample.Windows(["Cat"]));
        Assert.Throws<ArgumentException>(() => WordsSample.Windows(["don't"]));
        Assert.Throws<ArgumentException>(() => WordsSample.Windows([""]));
    }

    [Fact]
    public void A_missing_word_list_fails_with_the_package_that_installs_it()
    {
        var error = Assert.Throws<FileNotFoundException>(() => WordsSample.LoadWords("/nonexistent/american-english"));
        Assert.Contains("apt-get install wamerican", error.Message);
    }

    [Fact]
    public void One_short_epoch_learns_well_below_the_uniform_loss_and_generation_is_seeded()
    {
        WordsResult result = WordsSample.Run(s_words.Value, epochs: 1, seed: 1, trainWords: 8_000);
        output.WriteLine($"{result.TrainWindows} windows: validation {result.ValidationNats:F4} nats = {result.ValidationBits:F4} bits per character");
        Assert.Equal((8_000, 6_388, 59_311), (result.TrainWords, result.ValidationWords, result.ValidationWindows));
        double uniform = Math.Log(WordsSample.OutputVocabulary); // 3.2958 nats: knowing nothing
        Assert.True(result.ValidationNats < 2.4, $"validation loss {result.ValidationNats:F4} nats per character is not below 2.4 (uniform: {uniform:F4})"); // 2.26 measured (seed 1)

        var first = new SeededRandom(7);
        var second = new SeededRandom(7);
        string[] made = Enumerable.Range(0, 20).Select(_ => WordsSample.Generate(result.Network, "qu", 0.8f, ref first)).ToArray();
        output.WriteLine(string.Join(" ", made));
        Assert.Equal(made, Enumerable.Range(0, 20).Select(_ => WordsSample.Generate(result.Network, "qu", 0.8f, ref second)));
        Assert.All(made, w => Assert.True(w.StartsWith("qu", StringComparison.Ordinal) && WordsSample.IsWord(w) && w.Length <= WordsSample.MaxGeneratedLetters, w));
        Assert.True(made.Distinct().Count() > 1, "sampling at temperature 0.8 gave one word twenty times");
        Assert.Throws<ArgumentOutOfRangeException>(() => WordsSample.Generate(result.Network, "", 0f, ref first));
        Assert.Throws<ArgumentException>(() => WordsSample.Generate(result.Network, "Qu", 1f, ref first));
    }

    private static float[] Features(Dataset dataset, int index)
    {
        var features = new float[WordsSample.Context];
        dataset.CopyFeatures(index, features);
        return features;
    }
}
