using System;
using System.Linq;
using System.Text;
using GenNet.Generator.Weights;
using Microsoft.CodeAnalysis.Text;
using Xunit;
using Xunit.Abstractions;

namespace GenNet.Generator.Tests;

/// <summary>
/// The build reads a weights file's header as text (obj/GenNet/NAME.safetensors.header.json) with its own small JSON
/// parser, inside the compiler, where an exception would take the generator down. Mutated headers must come back as a
/// header or as a problem, never as an exception: 2,000 seeded inputs, 20,000 with GENNET_LONG_FUZZ=1.
/// </summary>
public sealed class WeightsHeaderFuzzTests(ITestOutputHelper output)
{
    private const string Valid =
        "{\"__metadata__\":{\"format\":\"pt\"},\"dense_0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}," +
        "\"dense_0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]}}  \ndata-length: 32";

    private const string Alphabet = "{}[]\":,\\u0-9.eE+- \ntrue\0null\ud800error: data-length: ";

    [Fact]
    public void Mutated_headers_never_throw()
    {
        int count = Environment.GetEnvironmentVariable("GENNET_LONG_FUZZ") == "1" ? 20_000 : 2_000;
        var random = new Random(20261203);
        (string, int[])[] expected = [("dense_0.weight", [2, 3]), ("dense_0.bias", [2])];
        int readable = 0;
        for (int trial = 0; trial < count; trial++)
        {
            var text = new StringBuilder(Valid);
            for (int m = 1 + random.Next(4); m > 0 && text.Length > 0; m--)
            {
                int at = random.Next(text.Length);
                switch (random.Next(5))
                {
                    case 0: text.Remove(at, Math.Min(1 + random.Next(8), text.Length - at)); break;
                    case 1: text.Insert(at, Alphabet[random.Next(Alphabet.Length)]); break;
                    case 2: text[at] = Alphabet[random.Next(Alphabet.Length)]; break;
                    case 3: text.Insert(at, new string('[', 1 + random.Next(200))); break; // nesting deeper than the parser allows
                    default: text.Length = at; break;
                }
            }

            string input = text.ToString();
            try
            {
                WeightsHeader header = WeightsHeader.Read("w.safetensors.header.json", SourceText.From(input));
                if (header.Problem is null)
                {
                    readable++;
                    _ = header.Misfit(expected);
                }
            }
            catch (Exception exception)
            {
                Assert.Fail($"trial {trial}: {exception.GetType().Name} for header text {input}: {exception}");
            }
        }

        output.WriteLine($"{count:N0} mutated headers: {readable:N0} read, {count - readable:N0} reported as problems, no exceptions.");
        Assert.InRange(readable, 1, count - 1);
    }
}
