using System;

namespace GenNet.Benchmarks;

/// <summary>
/// The same MLP written the way a .NET developer would by hand: plain loops over arrays, no SIMD, no blocking.
/// Forward, softmax cross-entropy, backward and Adam (Keras's formulas) — the baseline GenNet is meant to replace.
/// </summary>
public sealed class PlainMlp
{
    private const int In = 784, Hidden = 128, Out = 10;
    private readonly float[] _w0, _b0, _w1, _b1;
    private readonly float[] _gw0 = new float[Hidden * In], _gb0 = new float[Hidden], _gw1 = new float[Out * Hidden], _gb1 = new float[Out];
    private readonly float[][] _m, _v;
    private readonly float[] _h = new float[Hidden], _p = new float[Out], _dh = new float[Hidden];
    private int _step;

    public PlainMlp(NetworkBase initial)
    {
        (_w0, _b0) = Workload.Layer(initial, 0);
        (_w1, _b1) = Workload.Layer(initial, 1);
        float[][] parameters = [_w0, _b0, _w1, _b1];
        _m = Array.ConvertAll(parameters, p => new float[p.Length]);
        _v = Array.ConvertAll(parameters, p => new float[p.Length]);
    }

    public void Forward(ReadOnlySpan<float> x, Span<float> probabilities)
    {
        for (int o = 0; o < Hidden; o++)
        {
            float sum = _b0[o];
            for (int i = 0; i < In; i++)
            {
                sum += _w0[o * In + i] * x[i];
            }

            _h[o] = sum > 0 ? sum : 0;
        }

        float max = float.NegativeInfinity;
        for (int o = 0; o < Out; o++)
        {
            float sum = _b1[o];
            for (int i = 0; i < Hidden; i++)
            {
                sum += _w1[o * Hidden + i] * _h[i];
            }

            probabilities[o] = sum;
            max = Math.Max(max, sum);
        }

        float total = 0;
        for (int o = 0; o < Out; o++)
        {
            probabilities[o] = MathF.Exp(probabilities[o] - max);
            total += probabilities[o];
        }

        for (int o = 0; o < Out; o++)
        {
            probabilities[o] /= total;
        }
    }

    /// <summary>One Adam step on a batch; returns the mean loss.</summary>
    public float TrainStep(ReadOnlySpan<float> images, ReadOnlySpan<int> labels)
    {
        int batch = labels.Length;
        Array.Clear(_gw0);
        Array.Clear(_gb0);
        Array.Clear(_gw1);
        Array.Clear(_gb1);
        float loss = 0;
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> x = images.Slice(b * In, In);
            Forward(x, _p);
            loss -= MathF.Log(Math.Max(_p[labels[b]], 1e-7f));
            for (int o = 0; o < Out; o++)
            {
                float dz = (_p[o] - (o == labels[b] ? 1 : 0)) / batch;
                _gb1[o] += dz;
                for (int i = 0; i < Hidden; i++)
                {
                    _gw1[o * Hidden + i] += dz * _h[i];
                }
            }

            for (int i = 0; i < Hidden; i++)
            {
                float sum = 0;
                for (int o = 0; o < Out; o++)
                {
                    sum += (_p[o] - (o == labels[b] ? 1 : 0)) / batch * _w1[o * Hidden + i];
                }

                _dh[i] = _h[i] > 0 ? sum : 0;
            }

            for (int o = 0; o < Hidden; o++)
            {
                _gb0[o] += _dh[o];
                for (int i = 0; i < In; i++)
                {
                    _gw0[o * In + i] += _dh[o] * x[i];
                }
            }
        }

        _step++;
        Adam(0, _w0, _gw0);
        Adam(1, _b0, _gb0);
        Adam(2, _w1, _gw1);
        Adam(3, _b1, _gb1);
        return loss / batch;
    }

    private void Adam(int slot, float[] w, float[] g)
    {
        const float lr = 1e-3f, beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-7f;
        float alpha = lr * MathF.Sqrt(1 - MathF.Pow(beta2, _step)) / (1 - MathF.Pow(beta1, _step));
        float[] m = _m[slot], v = _v[slot];
        for (int i = 0; i < w.Length; i++)
        {
            m[i] += (g[i] - m[i]) * (1 - beta1);
            v[i] += (g[i] * g[i] - v[i]) * (1 - beta2);
            w[i] -= alpha * m[i] / (MathF.Sqrt(v[i]) + epsilon);
        }
    }
}
