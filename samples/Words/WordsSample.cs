// The Words sample's network, tokenisation, split, training and generation, apart from its command line so that
// tests/GenNet.Tests runs the same code (WordsSampleTests) and pytorch_words.py can reproduce it exactly.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace GenNet.Samples.Words
{
    /// <summary>
    /// A character-level language model of English words: the <see cref="WordsSample.Context"/> tokens before a position
    /// (left-padded, the word's start token first) → Embedding(29, 16) → GRU(96), its last state → Dense(27, softmax) over
    /// the next character (a letter or the end of the word). 35,915 parameters.
    /// </summary>
    [Network]
    [Input(WordsSample.Context)]
    [Embedding(WordsSample.InputVocabulary, 16)]
    [GRU(96)]
    [Dense(WordsSample.OutputVocabulary, Activation.Softmax)]
    public partial class NextCharacter;

    /// <summary>A training run: the per-epoch figures and the trained network.</summary>
    public sealed record WordsResult(NextCharacter Network, History History, int TrainWords, int ValidationWords, int TrainWindows, int ValidationWindows)
    {
        /// <summary>The last epoch's validation loss per character, in nats.</summary>
        public double ValidationNats => History.Epochs[^1].ValidationLoss!.Value;

        /// <summary>The same in bits.</summary>
        public double ValidationBits => ValidationNats / Math.Log(2);
    }

    /// <summary>
    /// Tokens, windows, the seeded split and the generation of new words. A word w₁…wₙ is the sequence
    /// <c>^ w₁ … wₙ $</c> (start and end tokens); each of its n + 1 next characters (the letters and the end) is one sample,
    /// predicted from the <see cref="Context"/> tokens before it, padded on the left with the pad token to that fixed length
    /// (so a word of up to <see cref="Context"/> − 1 letters is seen whole; a longer one's window slides over it).
    /// </summary>
    public static class WordsSample
    {
        /// <summary>Tokens a prediction reads: the previous 10 (the start token and 9 letters, or 10 letters).</summary>
        public const int Context = 10;

        /// <summary>Output tokens: the end of the word (0) and the letters a–z (1–26).</summary>
        public const int OutputVocabulary = 27;

        /// <summary>Input tokens: the output ones, the start token (27) and the pad token (28).</summary>
        public const int InputVocabulary = 29;

        /// <summary>The end of a word.</summary>
        public const int End = 0;

        /// <summary>The start of a word, the first token of every word.</summary>
        public const int Start = 27;

        /// <summary>Fills a window to its fixed length before the start token.</summary>
        public const int Pad = 28;

        /// <summary>Where Debian's wamerican package installs its word list.</summary>
        public const string DebianWordList = "/usr/share/dict/american-english";

        /// <summary>
        /// The words of the list that are all lower-case ASCII letters, in file order: proper nouns (capitalised), the
        /// possessives ("'s") and the few words with accents are left out (63,875 of wamerican 2020.12.07's 104,334 lines).
        /// </summary>
        /// <exception cref="FileNotFoundException">The list is not there, with the command that installs it.</exception>
        public static string[] LoadWords(string path = DebianWordList)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(
                    $"The word list {path} is missing. It comes from Debian's wamerican package: sudo apt-get install wamerican (or pass --words FILE, one word a line).", path);
            }

            return File.ReadLines(path).Where(IsWord).ToArray();
        }

        /// <summary>True for a non-empty string of the letters a–z only.</summary>
        public static bool IsWord(string line) => line.Length > 0 && line.All(c => c is >= 'a' and <= 'z');

        /// <summary>The token of a letter a–z: 1–26.</summary>
        public static int Token(char letter) => letter - 'a' + 1;

        /// <summary>The character an output token stands for: a letter, or '$' for the end.</summary>
        public static char Character(int token) => token == End ? '$' : (char)('a' + token - 1);

        /// <summary>
        /// The seeded split: the words ordered by SplitMix64 of <c>seed · 1000003 + index</c> (as samples/Tabular's split,
        /// a key Python reproduces), the first round(n / 10) held out for validation; both parts
        /// come back in that key order. pytorch_words.py computes the same split.
        /// </summary>
        public static (string[] Train, string[] Validation) Split(IReadOnlyList<string> words, ulong seed)
        {
            int[] order = Enumerable.Range(0, words.Count).OrderBy(i => Key(seed, i)).ThenBy(i => i).ToArray();
            int held = (words.Count + 5) / 10; // round(n / 10), halves up
            return (order.Skip(held).Select(i => words[i]).ToArray(), order.Take(held).Select(i => words[i]).ToArray());
        }

        /// <summary>SplitMix64's output for the state <c>seed · 1000003 + index</c> (mod 2⁶⁴).</summary>
        public static ulong Key(ulong seed, int index)
        {
            ulong z = unchecked(seed * 1000003UL + (ulong)index + 0x9E3779B97F4A7C15UL);
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
            return z ^ (z >> 31);
        }

        /// <summary>
        /// Every next-character sample of the words: windows [count, <see cref="Context"/>] of input tokens (as the floats
        /// an Embedding reads) and their labels, the output token that follows. A word of n letters gives n + 1 samples.
        /// </summary>
        public static Dataset Windows(IReadOnlyList<string> words)
        {
            int count = words.Sum(w => w.Length + 1);
            var features = new float[count * Context];
            var labels = new int[count];
            int sample = 0;
            Span<int> sequence = stackalloc int[64];
            foreach (string word in words)
            {
                int length = Tokens(word, sequence);
                for (int next = 1; next < length; next++, sample++) // sequence[next] follows sequence[..next]
                {
                    Window(sequence[..next], features.AsSpan(sample * Context, Context));
                    labels[sample] = sequence[next];
                }
            }

            return Dataset.Create(features, labels, Context);
        }

        /// <summary>
        /// Writes ^ w₁ … wₙ $ as tokens into <paramref name="destination"/> and returns its length, n + 2.
        /// </summary>
        /// <exception cref="ArgumentException">The word is not all letters a–z, or longer than the destination allows.</exception>
        public static int Tokens(string word, Span<int> destination)
        {
            if (!IsWord(word) || word.Length + 2 > destination.Length)
            {
                throw new ArgumentException($"'{word}' is not a word of 1 to {destination.Length - 2} letters a-z.", nameof(word));
            }

            destination[0] = Start;
            for (int i = 0; i < word.Length; i++)
            {
                destination[i + 1] = Token(word[i]);
            }

            destination[word.Length + 1] = End;
            return word.Length + 2;
        }

        /// <summary>The last <see cref="Context"/> tokens of <paramref name="history"/>, left-padded with <see cref="Pad"/>.</summary>
        public static void Window(ReadOnlySpan<int> history, Span<float> window)
        {
            int pad = Math.Max(0, Context - history.Length);
            window[..pad].Fill(Pad);
            ReadOnlySpan<int> last = history[^(Context - pad)..];
            for (int i = 0; i < last.Length; i++)
            {
                window[pad + i] = last[i];
            }
        }

        /// <summary>
        /// Trains a network from <paramref name="seed"/> (its initial weights and the order of its batches) on the windows
        /// of the training words of the split of <paramref name="splitSeed"/>; Adam at 3e-3, batch 128, reporting each
        /// epoch's validation loss per character.
        /// </summary>
        public static WordsResult Run(
            IReadOnlyList<string> words, int epochs, int seed = 1, ulong splitSeed = 42, int threads = 0, int? trainWords = null,
            Verbosity verbosity = Verbosity.Silent, IProgress<EpochReport>? progress = null)
        {
            (string[] train, string[] validation) = Split(words, splitSeed);
            if (trainWords is { } limit)
            {
                train = train[..Math.Min(limit, train.Length)];
            }

            Dataset trainSet = Windows(train), validationSet = Windows(validation);
            var network = new NextCharacter { Threads = threads };
            network.InitializeParameters(seed);
            History history = network.Fit(trainSet, new Adam(LearningRate), epochs, BatchSize, validation: validationSet, seed: seed,
                verbosity: verbosity, progress: progress);
            return new WordsResult(network, history, train.Length, validation.Length, trainSet.Count, validationSet.Count);
        }

        /// <summary>Adam's rate (PyTorch's script uses the same).</summary>
        public const float LearningRate = 3e-3f;

        /// <summary>Samples per step.</summary>
        public const int BatchSize = 128;

        /// <summary>Letters a generated word may have at most; one that reaches it stops there.</summary>
        public const int MaxGeneratedLetters = 24;

        /// <summary>
        /// A new word that starts with <paramref name="prefix"/>: the network's distribution over the next character,
        /// sharpened or flattened by <paramref name="temperature"/> (p^(1/T), renormalised), sampled with
        /// <paramref name="random"/> until the end token or <see cref="MaxGeneratedLetters"/> letters.
        /// </summary>
        public static string Generate(NextCharacter network, string prefix, float temperature, ref SeededRandom random)
        {
            if (!(temperature > 0))
            {
                throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be positive.");
            }

            if (prefix.Length > 0 && !IsWord(prefix))
            {
                throw new ArgumentException($"The prefix '{prefix}' must be letters a-z.", nameof(prefix));
            }

            var history = new List<int> { Start };
            history.AddRange(prefix.Select(Token));
            Span<float> window = stackalloc float[Context];
            Span<float> probabilities = stackalloc float[OutputVocabulary];
            var word = new StringBuilder(prefix);
            while (word.Length < MaxGeneratedLetters)
            {
                Window(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(history), window);
                network.Forward(window, probabilities);
                int next = Sample(probabilities, temperature, ref random);
                if (next == End)
                {
                    break;
                }

                history.Add(next);
                word.Append(Character(next));
            }

            return word.ToString();
        }

        /// <summary>An index drawn from p^(1/T) / Σ p^(1/T), computed in double from the log-probabilities.</summary>
        public static int Sample(ReadOnlySpan<float> probabilities, float temperature, ref SeededRandom random)
        {
            Span<double> weights = stackalloc double[probabilities.Length];
            double max = double.NegativeInfinity, total = 0;
            for (int i = 0; i < weights.Length; i++)
            {
                weights[i] = Math.Log(Math.Max(probabilities[i], 1e-30f)) / temperature;
                max = Math.Max(max, weights[i]);
            }

            for (int i = 0; i < weights.Length; i++)
            {
                weights[i] = Math.Exp(weights[i] - max);
                total += weights[i];
            }

            double u = random.NextSingle() * total;
            for (int i = 0; i < weights.Length - 1; i++)
            {
                u -= weights[i];
                if (u < 0)
                {
                    return i;
                }
            }

            return weights.Length - 1;
        }

        /// <summary>A line of figures for an epoch: training and validation loss per character in nats and bits, and its time.</summary>
        public static string Describe(EpochReport report) => string.Create(CultureInfo.InvariantCulture,
            $"epoch {report.Epoch}/{report.Epochs}: training {report.Loss:F4} nats/char, validation {report.ValidationLoss:F4} nats/char = {report.ValidationLoss / Math.Log(2):F4} bits/char, {report.Seconds:F1} s");
    }
}
