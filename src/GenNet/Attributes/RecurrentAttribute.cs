using System;

namespace GenNet;

/// <summary>
/// What the recurrent layers (<see cref="LSTMAttribute"/>, <see cref="GRUAttribute"/>, <see cref="SimpleRNNAttribute"/>)
/// share: a number of units and whether the layer returns every step's hidden state or the last one only. Each reads a
/// sequence [steps, features] (<c>[Input(steps, features)]</c>, or a 1-D layer's or another recurrent layer's output) and
/// runs from a zero initial state, with Keras's activations (tanh for the state, sigmoid for the gates).
/// </summary>
/// <remarks>
/// <para>
/// The tensors have PyTorch's names and layouts for a one-layer <c>nn.LSTM</c>/<c>nn.GRU</c>/<c>nn.RNN</c> with
/// <c>batch_first=True</c>: <c>{name}.weight_ih_l0</c> [gates·units, features], <c>{name}.weight_hh_l0</c>
/// [gates·units, units], <c>{name}.bias_ih_l0</c> and <c>{name}.bias_hh_l0</c> [gates·units], the gates stacked in
/// PyTorch's order, so a state_dict loads unchanged and reproduces PyTorch's outputs.
/// </para>
/// <para>
/// <c>InitializeParameters</c> draws all four tensors from U(−1/√units, 1/√units), PyTorch's initialisation of its
/// recurrent layers (Keras's Glorot input kernel, orthogonal recurrent kernel and unit forget bias are not offered).
/// </para>
/// </remarks>
public abstract class RecurrentAttribute : LayerAttribute
{
    /// <summary>Declares a recurrent layer with a hidden state of <paramref name="units"/> values.</summary>
    protected RecurrentAttribute(int units) => Units = units;

    /// <summary>The size of the hidden state, and of the output at each step.</summary>
    public int Units { get; }

    /// <summary>
    /// False (the default, Keras's): the output is the last step's hidden state [units]. True: every step's hidden state,
    /// the sequence [steps, units], which a second recurrent layer or a 1-D layer can read.
    /// </summary>
    public bool ReturnSequences { get; set; }
}

/// <summary>
/// A long short-term memory layer, as Keras's <c>LSTM(units)</c> and PyTorch's <c>nn.LSTM(features, units, batch_first=True)</c>:
/// at each step, with the gates in PyTorch's order i, f, g, o,
/// <c>(i, f, g, o) = (σ, σ, tanh, σ)(W_ih·x_t + b_ih + W_hh·h + b_hh)</c>, <c>c = f ⊙ c + i ⊙ g</c>, <c>h = o ⊙ tanh(c)</c>,
/// from <c>h = c = 0</c>. Tensors <c>lstm.weight_ih_l0</c> [4·units, features], <c>lstm.weight_hh_l0</c> [4·units, units],
/// <c>lstm.bias_ih_l0</c> and <c>lstm.bias_hh_l0</c> [4·units]. The default names are Keras's: <c>lstm</c>, <c>lstm_1</c>, ….
/// </summary>
/// <example>
/// <code>
/// [Network]
/// [Input(28, 28)]
/// [LSTM(128)]
/// [Dense(10, Activation.Softmax)]
/// public partial class RowLstm;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LSTMAttribute : RecurrentAttribute
{
    /// <summary>Declares an LSTM with a hidden state of <paramref name="units"/> values.</summary>
    public LSTMAttribute(int units)
        : base(units)
    {
    }
}

/// <summary>
/// A gated recurrent unit, as PyTorch's <c>nn.GRU(features, units, batch_first=True)</c> (Keras's <c>GRU(units,
/// reset_after=True)</c>, its default): at each step, with the gates in PyTorch's order r, z, n,
/// <c>r = σ(W_ir·x_t + b_ir + W_hr·h + b_hr)</c>, <c>z = σ(W_iz·x_t + b_iz + W_hz·h + b_hz)</c>,
/// <c>n = tanh(W_in·x_t + b_in + r ⊙ (W_hn·h + b_hn))</c>, <c>h = (1 − z) ⊙ n + z ⊙ h</c>, from <c>h = 0</c>. Tensors
/// <c>gru.weight_ih_l0</c> [3·units, features], <c>gru.weight_hh_l0</c> [3·units, units], <c>gru.bias_ih_l0</c> and
/// <c>gru.bias_hh_l0</c> [3·units]. The default names are Keras's: <c>gru</c>, <c>gru_1</c>, ….
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GRUAttribute : RecurrentAttribute
{
    /// <summary>Declares a GRU with a hidden state of <paramref name="units"/> values.</summary>
    public GRUAttribute(int units)
        : base(units)
    {
    }
}

/// <summary>
/// A fully connected recurrent layer, as Keras's <c>SimpleRNN(units)</c> and PyTorch's <c>nn.RNN(features, units,
/// batch_first=True)</c>: at each step <c>h = tanh(W_ih·x_t + b_ih + W_hh·h + b_hh)</c>, from <c>h = 0</c>. Tensors
/// <c>simple_rnn.weight_ih_l0</c> [units, features], <c>simple_rnn.weight_hh_l0</c> [units, units],
/// <c>simple_rnn.bias_ih_l0</c> and <c>simple_rnn.bias_hh_l0</c> [units]. The default names are Keras's:
/// <c>simple_rnn</c>, <c>simple_rnn_1</c>, ….
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SimpleRNNAttribute : RecurrentAttribute
{
    /// <summary>Declares a simple RNN with a hidden state of <paramref name="units"/> values.</summary>
    public SimpleRNNAttribute(int units)
        : base(units)
    {
    }
}
