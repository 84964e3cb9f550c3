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
    [InlineData(127, 784, 128)]  // just below the packed path
    [InlineData(128, 784, 128)]  // packed, whole blocks of 8 samples
    [InlineData(135, 17, 64)]    // packed with a 7-sample remainder and an input tail
    [InlineData(129, 3, 32)]     // packed, inputs narrower than a vector: the tile path's scalar fallback
    [InlineData(256, 129, 10)]   // outputs not a whole pair of vectors: the tile path
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
