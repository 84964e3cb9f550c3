using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace GenNet.Generator.Weights;

/// <summary>
/// Just enough JSON for a safetensors header (objects, arrays, strings, numbers, literals), since the generator
/// cannot count on System.Text.Json in every compiler host. Returns null for malformed input; never throws.
/// </summary>
internal sealed class MiniJson
{
    private readonly string _text;
    private int _position;

    private MiniJson(string text, int start)
    {
        _text = text;
        _position = start;
    }

    /// <summary>Parses the value starting at <paramref name="start"/>; <paramref name="end"/> is where it stopped.</summary>
    public static object? Parse(string text, int start, out int end)
    {
        var parser = new MiniJson(text, start);
        object? value = parser.Value(depth: 0);
        end = parser._position;
        return value;
    }

    private object? Value(int depth)
    {
        SkipWhitespace();
        if (_position >= _text.Length || depth > 64)
        {
            return null;
        }

        char c = _text[_position];
        return c switch
        {
            '{' => Object(depth),
            '[' => Array(depth),
            '"' => String(),
            _ when c == '-' || char.IsDigit(c) => Number(),
            _ => Literal(),
        };
    }

    private Dictionary<string, object?>? Object(int depth)
    {
        var result = new Dictionary<string, object?>();
        _position++;
        SkipWhitespace();
        if (Peek('}'))
        {
            _position++;
            return result;
        }

        while (true)
        {
            SkipWhitespace();
            if (!Peek('"') || String() is not string key)
            {
                return null;
            }

            SkipWhitespace();
            if (!Peek(':'))
            {
                return null;
            }

            _position++;
            object? value = Value(depth + 1);
            if (value is null)
            {
                return null;
            }

            result[key] = value;
            SkipWhitespace();
            if (Peek(','))
            {
                _position++;
                continue;
            }

            if (Peek('}'))
            {
                _position++;
                return result;
            }

            return null;
        }
    }

    private List<object?>? Array(int depth)
    {
        var result = new List<object?>();
        _position++;
        SkipWhitespace();
        if (Peek(']'))
        {
            _position++;
            return result;
        }

        while (true)
        {
            object? value = Value(depth + 1);
            if (value is null)
            {
                return null;
            }

            result.Add(value);
            SkipWhitespace();
            if (Peek(','))
            {
                _position++;
                continue;
            }

            if (Peek(']'))
            {
                _position++;
                return result;
            }

            return null;
        }
    }

    private string? String()
    {
        var builder = new StringBuilder();
        _position++;
        while (_position < _text.Length)
        {
            char c = _text[_position++];
            if (c == '"')
            {
                return builder.ToString();
            }

            if (c == '\\')
            {
                if (_position >= _text.Length)
                {
                    return null;
                }

                char escaped = _text[_position++];
                switch (escaped)
                {
                    case 'n': builder.Append('\n'); break;
                    case 't': builder.Append('\t'); break;
                    case 'r': builder.Append('\r'); break;
                    case 'b': builder.Append('\b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'u':
                        if (_position + 4 > _text.Length ||
                            !int.TryParse(_text.Substring(_position, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int code))
                        {
                            return null;
                        }

                        builder.Append((char)code);
                        _position += 4;
                        break;
                    default: builder.Append(escaped); break;
                }
            }
            else
            {
                builder.Append(c);
            }
        }

        return null;
    }

    private object? Number()
    {
        int start = _position;
        while (_position < _text.Length && "+-0123456789.eE".IndexOf(_text[_position]) >= 0)
        {
            _position++;
        }

        string token = _text.Substring(start, _position - start);
        if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long whole))
        {
            return whole;
        }

        return double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double real) ? real : null;
    }

    private object? Literal()
    {
        foreach ((string word, object value) in new[] { ("true", (object)true), ("false", false), ("null", "null") })
        {
            if (string.CompareOrdinal(_text, _position, word, 0, word.Length) == 0)
            {
                _position += word.Length;
                return value;
            }
        }

        return null;
    }

    private bool Peek(char c) => _position < _text.Length && _text[_position] == c;

    private void SkipWhitespace()
    {
        while (_position < _text.Length && char.IsWhiteSpace(_text[_position]))
        {
            _position++;
        }
    }
}
