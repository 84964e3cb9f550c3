using System;
using GenNet.Kernels;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// The channels-last im2col is the PyTorch-order one with each row's columns permuted from (c, ky, kx) to (ky, kx, c), its
/// col2im the same permutation undone, and the kernel reorderings the matching permutation of the weight: checked exactly
/// against <see cref="Conv.Im2Col"/> and <see cref="Conv.Col2Im"/> (themselves checked against naive loops).
/// </summary>
public sealed class ConvChannelsLastTests
{
    [Theory]
    [InlineData(2, 13, 13, 32, 3, 3, 1, 0, 0, 11, 11)]  // mnist_convnet's second convolution
    [InlineData(3, 7, 5, 3, 3, 3, 2, 1, 1, 4, 3)]       // same padding, stride 2
    [InlineData(1, 9, 7, 17, 2, 3, 1, 0, 1, 9, 7)]      // 2×3 kernel, same padding (0 top, 1 left)
    [InlineData(2, 4, 4, 5, 4, 4, 1, 1, 1, 4, 4)]       // a kernel as large as the image, padded
    [InlineData(1, 3, 3, 2, 5, 5, 2, 2, 2, 2, 2)]       // windows reaching past the image on every side
    [InlineData(2, 1, 29, 17, 1, 5, 2, 0, 2, 1, 15)]    // a Conv1D: 29 steps of 17 channels, 5-step kernel, stride 2, same padding
    public void Matches_the_pytorch_order_with_permuted_columns(
        int batch, int height, int width, int channels, int kh, int kw, int stride, int padTop, int padLeft, int outHeight, int outWidth)
    {
        var random = new Random(height * 100 + channels);
        int rows = batch * outHeight * outWidth, window = kh * kw, rowLength = channels * window;
        float[] x = Values(random, batch * height * width * channels);
        float[] pytorch = new float[rows * rowLength], channelsLast = new float[rows * rowLength];
        Conv.Im2Col(x, pytorch, batch, height, width, channels, kh, kw, stride, padTop, padLeft, outHeight, outWidth);
        Array.Fill(channelsLast, float.NaN); // every element is written
        Conv.Im2ColChannelsLast(x, channelsLast, batch, height, width, channels, kh, kw, stride, padTop, padLeft, outHeight, outWidth);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int t = 0; t < window; t++)
                {
                    Assert.Equal(pytorch[r * rowLength + c * window + t], channelsLast[r * rowLength + t * channels + c]);
                }
            }
        }

        // col2im: the gradient columns in either order fold back to the same image gradient.
        float[] gradient = Values(random, rows * rowLength), permuted = new float[gradient.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int t = 0; t < window; t++)
                {
                    permuted[r * rowLength + t * channels + c] = gradient[r * rowLength + c * window + t];
                }
            }
        }

        float[] expected = new float[x.Length], actual = new float[x.Length];
        Array.Fill(actual, float.NaN); // overwritten, not accumulated
        Conv.Col2Im(gradient, expected, batch, height, width, channels, kh, kw, stride, padTop, padLeft, outHeight, outWidth);
        Conv.Col2ImChannelsLast(permuted, actual, batch, height, width, channels, kh, kw, stride, padTop, padLeft, outHeight, outWidth);
        Assert.Equal(expected, actual);

        // The kernel: reordered and its gradient added back give the same products as PyTorch's layout.
        int filters = 3;
        float[] weight = Values(random, filters * rowLength), kernel = new float[weight.Length];
        Conv.ToChannelsLastKernel(weight, kernel, filters, channels, kh, kw);
        float[] back = Values(random, weight.Length), start = (float[])back.Clone();
        Conv.AddFromChannelsLastKernel(kernel, back, filters, channels, kh, kw);
        for (int i = 0; i < weight.Length; i++)
        {
            Assert.Equal(start[i] + weight[i], back[i]);
        }

        for (int o = 0; o < filters; o++)
        {
            for (int r = 0; r < rows; r++)
            {
                float a = 0, b = 0;
                for (int k = 0; k < rowLength; k++)
                {
                    a += pytorch[r * rowLength + k] * weight[o * rowLength + k];
                }

                for (int k = 0; k < rowLength; k++)
                {
                    b += channelsLast[r * rowLength + k] * kernel[o * rowLength + k];
                }

                Assert.Equal(a, b, 4);
            }
        }
    }

    [Fact]
    public void A_refresh_reorders_only_weights_that_changed_bit_for_bit()
    {
        float[] weight = Values(new Random(5), 2 * 3 * 4), source = new float[weight.Length], kernel = new float[weight.Length], expected = new float[weight.Length];
        Conv.RefreshChannelsLastKernel(weight, source, kernel, 2, 3, 2, 2);
        Conv.ToChannelsLastKernel(weight, expected, 2, 3, 2, 2);
        Assert.Equal(expected, kernel);
        Assert.Equal(weight, source);

        Array.Fill(kernel, 7f); // unchanged weights: nothing is rewritten
        Conv.RefreshChannelsLastKernel(weight, source, kernel, 2, 3, 2, 2);
        Assert.All(kernel, v => Assert.Equal(7f, v));

        weight[5] = weight[5] == 0f ? -0f : -weight[5]; // one bit: the sign (also of a zero, which == would miss)
        Conv.RefreshChannelsLastKernel(weight, source, kernel, 2, 3, 2, 2);
        Conv.ToChannelsLastKernel(weight, expected, 2, 3, 2, 2);
        Assert.Equal(expected, kernel);
    }

    [Fact]
    public void Wrong_lengths_throw()
    {
        Assert.Throws<ArgumentException>(() => Conv.Im2ColChannelsLast(new float[9], new float[8], 1, 3, 3, 1, 2, 2, 1, 0, 0, 2, 2));
        Assert.Throws<ArgumentException>(() => Conv.ToChannelsLastKernel(new float[18], new float[17], 2, 1, 3, 3));
    }

    /// <summary>Multiples of 1/8: sums are exact in any order.</summary>
    private static float[] Values(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = random.Next(-8, 9) / 8f;
        }

        return values;
    }
}
