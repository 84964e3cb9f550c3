using System;
using GenNet.Kernels;
using Xunit;

namespace GenNet.Tests;

/// <summary>The Dense forward product on its own, at shapes that reach every path: tiles, remainders and the packed kernel.</summary>
public sealed class DenseKernelTests
{
    [Theory]
    [InlineData(1, 17, 3)]
    [InlineData(5, 16, 32)]
    [InlineData(19, 784, 128)]   // just below the packed path (Dense.TakesPackedPath: 19 rows pack up to 760 inputs)
    [InlineData(20, 784, 128)]   // packed from 20 rows at 784 inputs, two blocks of 8 samples and a 4-sample remainder
    [InlineData(31, 784, 128)]   // packed with a 7-sample remainder below Dense.FloatPackedMinRows
    [InlineData(8, 320, 64)]     // packed: one block of 8 samples, the most inputs 8 rows pack
    [InlineData(8, 321, 64)]     // below: one input more takes the 4 × 4 tiles
    [InlineData(15, 128, 512)]   // an LSTM's recurrent product at 15 samples: one block of 8 and a 7-sample remainder
    [InlineData(32, 784, 128)]   // packed, whole blocks of 8 samples, four pairs of panels at 512 bits
    [InlineData(127, 784, 128)]  // packed with a 7-sample remainder
    [InlineData(128, 784, 128)]  // packed, whole blocks of 8 samples
    [InlineData(135, 17, 64)]    // packed with a 7-sample remainder and an input tail
    [InlineData(129, 3, 32)]     // packed, inputs narrower than a vector: the tile path's scalar fallback
    [InlineData(256, 129, 10)]   // outputs not a whole pair of vectors: the tile path
    [InlineData(121, 288, 64)]   // one image through a convolution's 121 positions
    [InlineData(33, 128, 32)]    // packed with a 1-sample remainder
    [InlineData(17, 128, 32)]    // packed with a 1-sample remainder, below Dense.FloatPackedMinRows
    [InlineData(7, 128, 32)]     // below: fewer rows than a block of 8, the tile path
    public void Forward_equals_a_float64_reference(int batch, int inputs, int outputs)
    {
        var random = new Random(batch * 1000 + inputs * 10 + outputs);
        float[] x = Random(random, batch * inputs), w = Random(random, outputs * inputs), b = Random(random, outputs);
        var y = new float[batch * outputs];
        Dense.Forward(x, w, b, y, batch, inputs, outputs);
        for (int s = 0; s < batch; s++)
        {
            for (int o = 0; o < outputs; o++)
            {
                double expected = b[o];
                for (int i = 0; i < inputs; i++)
                {
                    expected += (double)x[s * inputs + i] * w[o * inputs + i];
                }

                Assert.True(y[s * outputs + o] == expected, $"y[{s}, {o}] = {y[s * outputs + o]}, expected {expected}");
            }
        }
    }

    [Fact]
    public void The_packed_path_allocates_only_its_first_packing_buffer()
    {
        float[] x = new float[128 * 784], w = new float[128 * 784], b = new float[128], y = new float[128 * 128];
        Dense.Forward(x, w, b, y, 128, 784, 128);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++)
        {
            Dense.Forward(x, w, b, y, 128, 784, 128);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// <see cref="Dense.ForwardPanels"/> (the weights also packed in panels of 16 outputs) gives <see cref="Dense.Forward"/>'s
    /// bits at every batch size — single samples from the panels, groups of 4 from the rows, packed batches from the panels in
    /// place of a per-call packing — at awkward sizes and the MLP's first layer.
    /// </summary>
    [Fact]
    public void Forward_from_panels_equals_forward_bit_for_bit()
    {
        Assert.Equal(0, RunPanels(message => Assert.Fail(message)));
    }

    /// <summary>Every panel case; also run by <c>simd-check</c> at the narrower vector widths and the scalar path. Returns the failure count.</summary>
    public static int RunPanels(Action<string> report)
    {
        int failures = 0;
        int[] sizes = [1, 3, 17, 129];
        var shapes = new System.Collections.Generic.List<(int Batch, int Inputs, int Outputs)>();
        foreach (int batch in new[] { 1, 2, 3, 5 })
        {
            foreach (int inputs in sizes)
            {
                foreach (int outputs in sizes)
                {
                    shapes.Add((batch, inputs, outputs));
                }
            }
        }

        shapes.AddRange([(1, 784, 128), (3, 784, 128), (1, 16, 16), (1, 33, 48), (1, 8, 20), (7, 20, 5),
            (32, 784, 128), (31, 784, 128), (41, 33, 64), (128, 784, 128), (135, 17, 64), (129, 3, 32), (65, 128, 32), (130, 17, 32), (256, 129, 10),
            (Dense.PairPackingMaxInputs / 784, 784, 32), (Dense.PairPackingMaxInputs / 784 + 1, 784, 32), // the last product packed by pairs and the first after it
            (8, 128, 32), (15, 128, 512), (19, 784, 64), (20, 784, 64), (8, 321, 32)]); // around Dense.TakesPackedPath below 32 rows
        var random = new Random(15);
        foreach ((int batch, int inputs, int outputs) in shapes)
        {
            float[] x = Random(random, batch * inputs), w = Random(random, outputs * inputs), b = Random(random, outputs);
            var panels = new float[Dense.PanelLength(inputs, outputs)];
            Array.Fill(panels, float.NaN); // the padding must be written too
            Dense.PackPanels<float>(w, panels, inputs, outputs);
            float[] expected = new float[batch * outputs], actual = new float[batch * outputs];
            Array.Fill(actual, float.NaN);
            Dense.Forward(x, w, b, expected, batch, inputs, outputs);
            Dense.ForwardPanels(x, panels, w, b, actual, batch, inputs, outputs);
            for (int i = 0; i < expected.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                {
                    report($"panels, batch {batch}, {inputs} → {outputs}: y[{i / outputs}, {i % outputs}] = {actual[i]:R}, Forward gives {expected[i]:R}");
                    failures++;
                    break;
                }
            }
        }

        return failures;
    }

    [Theory]
    [InlineData(3, 17)]
    [InlineData(1, 1)]
    [InlineData(16, 16)] // one 16 × 16 block, transposed in registers where AVX-512 is
    [InlineData(17, 33)] // blocks, then inputs and a partial panel by the scalar loop
    [InlineData(129, 129)]
    [InlineData(784, 128)]
    public void Panels_hold_each_weight_once_in_its_place_and_zeros_past_the_last_output(int inputs, int outputs)
    {
        var w = new float[inputs * outputs];
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = i + 1;
        }

        var panels = new float[Dense.PanelLength(inputs, outputs)];
        Assert.Equal((outputs + 15) / 16 * 16 * inputs, panels.Length);
        Array.Fill(panels, -1f);
        Dense.PackPanels<float>(w, panels, inputs, outputs);
        for (int o = 0; o < (outputs + 15) / 16 * 16; o++)
        {
            for (int k = 0; k < inputs; k++)
            {
                float expected = o < outputs ? w[o * inputs + k] : 0f;
                Assert.Equal(expected, panels[o / 16 * 16 * inputs + k * 16 + o % 16]);
            }
        }

        Assert.Throws<ArgumentException>(() => Dense.PackPanels<float>(w, new float[panels.Length - 1], inputs, outputs));
        Assert.Throws<ArgumentException>(() => Dense.ForwardPanels(new float[inputs], new float[panels.Length - 1], w, new float[outputs], new float[outputs], 1, inputs, outputs));
    }

    [Fact]
    public void Forward_from_panels_allocates_nothing()
    {
        float[] x = new float[3 * 784], w = new float[128 * 784], b = new float[128], y = new float[3 * 128];
        var panels = new float[Dense.PanelLength(784, 128)];
        Dense.PackPanels<float>(w, panels, 784, 128);
        Dense.ForwardPanels(x, panels, w, b, y, 1, 784, 128);
        Dense.ForwardPanels(x, panels, w, b, y, 3, 784, 128);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++)
        {
            Dense.ForwardPanels(x, panels, w, b, y, 1, 784, 128);
            Dense.ForwardPanels(x, panels, w, b, y, 3, 784, 128);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// The backward products from 16 rows on (a batch, or a convolution's batch × positions), which take the broadcast tiles:
    /// dW along the inputs or, for few inputs, along the outputs; dx with whole and overlapping tail vectors. Values are multiples of
    /// 1/8, so every path must match the float64 sums exactly.
    /// </summary>
    [Fact]
    public void Tall_backward_products_equal_a_float64_reference()
    {
        Assert.Equal(0, RunTall(message => Assert.Fail(message)));
    }

    /// <summary>Every tall case; also run by <c>simd-check</c> at the narrower vector widths. Returns the failure count.</summary>
    public static int RunTall(Action<string> report)
    {
        int failures = 0;
        foreach ((int rows, int inputs, int outputs) in new[]
        {
            (1936, 288, 64),                  // a second 3×3 convolution over 32 channels, 16 images
            (1352, 9, 32),                    // a first 3×3 convolution: dW along the outputs
            (777, 9, 20),                     // outputs not a whole vector: the last tile overlaps
            (600, 5, 17),
            (513, 33, 7),                     // outputs fewer than 8: dW's single-output tiles; inputs with a scalar tail
            (531, 47, 13),
            (Dense.TallMinRows, 784, 128),    // the MNIST MLP's first layer at the smallest tiled batch
            (33, 128, 10),                    // its second layer: dW along the inputs with 10 outputs (8 + 2)
            (17, 40, 32),                     // 17 rows: dx's two 8-row tiles, a 1-row remainder and an overlapping tail vector
            (129, 28, 64),                    // an LSTM's input weight over 28 features: dW's tail columns in whole vectors of outputs
            (40, 20, 37),                     // a tail column's outputs in vectors and a scalar remainder
            (Dense.TallMinRows - 1, 40, 24),  // just below: the row passes
        })
        {
            var random = new Random(rows + inputs * 7 + outputs * 131);
            float[] x = Random(random, rows * inputs), dy = Random(random, rows * outputs), w = Random(random, outputs * inputs);
            float[] dw = Random(random, outputs * inputs), db = Random(random, outputs);
            float[] dwStart = (float[])dw.Clone(), dbStart = (float[])db.Clone();
            float[] dx = new float[rows * inputs];
            Array.Fill(dx, float.NaN); // dx is written, not accumulated
            Dense.BackwardWeights(dy, x, dw, db, rows, inputs, outputs);
            Dense.BackwardInput(dy, w, dx, rows, inputs, outputs);
            string shape = $"rows {rows}, {inputs} → {outputs}";
            for (int o = 0; o < outputs; o++)
            {
                double bias = dbStart[o];
                for (int b = 0; b < rows; b++)
                {
                    bias += dy[b * outputs + o];
                }

                failures += Compare(report, $"{shape}: db[{o}]", db[o], bias);
                for (int i = 0; i < inputs; i++)
                {
                    double expected = dwStart[o * inputs + i];
                    for (int b = 0; b < rows; b++)
                    {
                        expected += (double)dy[b * outputs + o] * x[b * inputs + i];
                    }

                    failures += Compare(report, $"{shape}: dW[{o}, {i}]", dw[o * inputs + i], expected);
                }
            }

            for (int b = 0; b < rows; b++)
            {
                for (int i = 0; i < inputs; i++)
                {
                    double expected = 0;
                    for (int o = 0; o < outputs; o++)
                    {
                        expected += (double)dy[b * outputs + o] * w[o * inputs + i];
                    }

                    failures += Compare(report, $"{shape}: dx[{b}, {i}]", dx[b * inputs + i], expected);
                }
            }
        }

        return failures;
    }

    private static int Compare(Action<string> report, string what, float actual, double expected)
    {
        if (actual == expected)
        {
            return 0;
        }

        report($"{what} = {actual}, expected {expected}");
        return 1;
    }

    /// <summary>
    /// Multiples of 1/8 in [−1/2, 1/2]: every product is a multiple of 1/64 and every partial sum stays far below 2^24 of
    /// those units, so float arithmetic is exact in any summation order and the kernel must match the reference exactly.
    /// </summary>
    private static float[] Random(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = random.Next(-4, 5) / 8f;
        }

        return values;
    }
}
