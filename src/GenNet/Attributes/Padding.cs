namespace GenNet;

/// <summary>How a convolution or pooling window treats the image border (Keras's <c>padding</c>).</summary>
public enum Padding
{
    /// <summary>No padding: windows lie wholly inside the input; the output is <c>⌊(in − window) / stride⌋ + 1</c>.</summary>
    Valid = 0,

    /// <summary>
    /// Zero padding (convolution) or clipped windows (pooling) so that the output is <c>⌈in / stride⌉</c>; when the padding
    /// needed is odd, the extra row or column goes at the bottom or right, as in Keras and TensorFlow.
    /// </summary>
    Same = 1,
}
