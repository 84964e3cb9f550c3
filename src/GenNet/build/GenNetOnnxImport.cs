// GenNet's ONNX import, run by MSBuild (GenNet.targets compiles this file with RoslynCodeTaskFactory, from the repository
// or from the NuGet package's build/ folder) whenever a <GenNetOnnx> file changes. It reads the protobuf, recognises the
// nodes as GenNet layers, and writes three files into obj/GenNet/ for the generator:
//   NAME.onnx.gennet                       the layers as declarations, one a line (or why the file cannot be imported)
//   NAME.onnx.safetensors                  the weights under GenNet's (PyTorch's) names and layouts, embedded in the assembly
//   NAME.onnx.safetensors.header.json      that file's JSON header, which the generator checks like any [Network(Weights)]
// The generator turns the declarations into the same specs the attribute parser makes (generator/GenNet.Generator/Onnx),
// so planning and emitting are shared. netstandard2.0 C#: MSBuild compiles it against netstandard; no Span, no records.
#nullable enable
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace GenNet.Build
{
#if !GENNET_ONNX_IMPORTER_ONLY
    /// <summary>The MSBuild task: imports each ONNX file into OutputDirectory.</summary>
    public sealed class GenNetImportOnnx : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = new Microsoft.Build.Framework.ITaskItem[0];

        [Microsoft.Build.Framework.Required]
        public string OutputDirectory { get; set; } = "";

        public override bool Execute()
        {
            Directory.CreateDirectory(OutputDirectory);
            foreach (Microsoft.Build.Framework.ITaskItem item in Files)
            {
                string path = item.GetMetadata("FullPath");
                OnnxImport import;
                try
                {
                    import = OnnxImporter.Import(File.ReadAllBytes(path));
                }
                catch (IOException exception)
                {
                    import = OnnxImport.Failed("unreadable\t" + exception.Message);
                }

                import.WriteTo(OutputDirectory, Path.GetFileName(path));
            }

            return true;
        }
    }
#endif

    /// <summary>What one ONNX file imports to: the declaration lines and the weights in GenNet's names and layouts.</summary>
    public sealed class OnnxImport
    {
        /// <summary>The first line of a description, with the format's version.</summary>
        public const string Magic = "gennet-onnx 1";

        public List<string> Lines { get; } = new List<string>();

        public List<ImportedTensor> Tensors { get; } = new List<ImportedTensor>();

        public static OnnxImport Failed(string line)
        {
            var import = new OnnxImport();
            import.Lines.Add(line);
            return import;
        }

        /// <summary>The description, as the generator reads it.</summary>
        public string Description => Magic + "\n" + string.Join("\n", Lines) + "\n";

        /// <summary>Writes NAME.gennet, NAME.safetensors and NAME.safetensors.header.json into <paramref name="directory"/>.</summary>
        public void WriteTo(string directory, string fileName)
        {
            File.WriteAllText(Path.Combine(directory, fileName + ".gennet"), Description);
            byte[] header;
            byte[] data;
            SafeTensors(out header, out data);
            using (var file = File.Create(Path.Combine(directory, fileName + ".safetensors")))
            {
                file.Write(BitConverter.GetBytes((ulong)header.Length), 0, 8);
                file.Write(header, 0, header.Length);
                file.Write(data, 0, data.Length);
            }

            File.WriteAllText(Path.Combine(directory, fileName + ".safetensors.header.json"),
                Encoding.UTF8.GetString(header) + "\ndata-length: " + data.Length.ToString(CultureInfo.InvariantCulture));
        }

        /// <summary>A safetensors header (padded to 8 bytes) and its data: F32 tensors, and I64 for BatchNorm's batch counter.</summary>
        public void SafeTensors(out byte[] header, out byte[] data)
        {
            var json = new StringBuilder("{");
            var bytes = new MemoryStream();
            foreach (ImportedTensor tensor in Tensors)
            {
                long begin = bytes.Length;
                if (tensor.Int64)
                {
                    foreach (float value in tensor.Values)
                    {
                        byte[] b = BitConverter.GetBytes((long)value);
                        if (!BitConverter.IsLittleEndian) Array.Reverse(b);
                        bytes.Write(b, 0, 8);
                    }
                }
                else
                {
                    foreach (float value in tensor.Values)
                    {
                        byte[] b = BitConverter.GetBytes(value);
                        if (!BitConverter.IsLittleEndian) Array.Reverse(b);
                        bytes.Write(b, 0, 4);
                    }
                }

                if (json.Length > 1) json.Append(',');
                json.Append('"').Append(tensor.Name).Append("\":{\"dtype\":\"").Append(tensor.Int64 ? "I64" : "F32").Append("\",\"shape\":[")
                    .Append(string.Join(",", tensor.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))))
                    .Append("],\"data_offsets\":[").Append(begin.ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append(bytes.Length.ToString(CultureInfo.InvariantCulture)).Append("]}");
            }

            json.Append('}');
            while (json.Length % 8 != 0) json.Append(' ');
            header = Encoding.UTF8.GetBytes(json.ToString());
            data = bytes.ToArray();
        }
    }

    /// <summary>One weight tensor of the imported network, in GenNet's name and layout.</summary>
    public sealed class ImportedTensor
    {
        public ImportedTensor(string name, int[] shape, float[] values, bool int64 = false)
        {
            Name = name;
            Shape = shape;
            Values = values;
            Int64 = int64;
        }

        public string Name { get; }

        public int[] Shape { get; }

        public float[] Values { get; }

        public bool Int64 { get; }
    }

    /// <summary>Thrown inside the importer for a file that is not a readable ONNX model.</summary>
    internal sealed class OnnxFormatException : Exception
    {
        public OnnxFormatException(string message) : base(message) { }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The protobuf, as far as ONNX models need it. Field numbers are onnx.proto's (src/GenNet/Onnx/OnnxSchema.cs has the
    // same numbers for the exporter; OnnxImportTests checks the two agree).
    // ---------------------------------------------------------------------------------------------------------------

    internal sealed class ProtoReader
    {
        private readonly byte[] _bytes;
        private int _position;
        private readonly int _end;

        public ProtoReader(byte[] bytes, int start, int end)
        {
            _bytes = bytes;
            _position = start;
            _end = end;
        }

        public bool More => _position < _end;

        public int Field { get; private set; }

        public int WireType { get; private set; }

        public void Next()
        {
            ulong key = Varint();
            Field = (int)(key >> 3);
            WireType = (int)(key & 7);
            if (Field == 0) throw new OnnxFormatException("a protobuf field numbered 0");
        }

        public ulong Varint()
        {
            ulong value = 0;
            for (int shift = 0; shift < 70; shift += 7)
            {
                if (_position >= _end) throw new OnnxFormatException("it ends inside a number (truncated)");
                byte b = _bytes[_position++];
                value |= (ulong)(b & 0x7f) << shift;
                if ((b & 0x80) == 0) return value;
            }

            throw new OnnxFormatException("a malformed number");
        }

        public long Int64() => (long)Varint();

        public float Fixed32()
        {
            if (_end - _position < 4) throw new OnnxFormatException("it ends inside a float (truncated)");
            byte[] b = new byte[4];
            Array.Copy(_bytes, _position, b, 0, 4);
            if (!BitConverter.IsLittleEndian) Array.Reverse(b);
            _position += 4;
            return BitConverter.ToSingle(b, 0);
        }

        public ulong Fixed64()
        {
            if (_end - _position < 8) throw new OnnxFormatException("it ends inside a number (truncated)");
            ulong value = 0;
            for (int i = 7; i >= 0; i--) value = (value << 8) | _bytes[_position + i];
            _position += 8;
            return value;
        }

        public ProtoReader Message()
        {
            int start, end;
            Span(out start, out end);
            return new ProtoReader(_bytes, start, end);
        }

        public byte[] Bytes()
        {
            int start, end;
            Span(out start, out end);
            byte[] copy = new byte[end - start];
            Array.Copy(_bytes, start, copy, 0, copy.Length);
            return copy;
        }

        public string String() => Encoding.UTF8.GetString(Bytes());

        /// <summary>A repeated int64 field, packed or not.</summary>
        public void Int64s(List<long> into)
        {
            if (WireType == 2)
            {
                ProtoReader packed = Message();
                while (packed.More) into.Add(packed.Int64());
            }
            else
            {
                into.Add(Int64());
            }
        }

        /// <summary>A repeated float field, packed or not.</summary>
        public void Floats(List<float> into)
        {
            if (WireType == 2)
            {
                ProtoReader packed = Message();
                while (packed.More) into.Add(packed.Fixed32());
            }
            else
            {
                into.Add(Fixed32());
            }
        }

        public void Skip()
        {
            switch (WireType)
            {
                case 0: Varint(); break;
                case 1: Advance(8); break;
                case 2: { int s, e; Span(out s, out e); break; }
                case 5: Advance(4); break;
                default: throw new OnnxFormatException("protobuf wire type " + WireType + ", which ONNX files do not use");
            }
        }

        private void Advance(int count)
        {
            if (_end - _position < count) throw new OnnxFormatException("it ends inside a field (truncated)");
            _position += count;
        }

        private void Span(out int start, out int end)
        {
            if (WireType != 2) throw new OnnxFormatException("a field of the wrong wire type");
            ulong length = Varint();
            if (length > (ulong)(_end - _position)) throw new OnnxFormatException("a field runs past the end of the file (truncated)");
            start = _position;
            end = _position + (int)length;
            _position = end;
        }
    }

    internal sealed class OnnxTensor
    {
        public string Name = "";
        public List<long> Dims = new List<long>();
        public int DataType;
        public float[]? Floats;
        public long[]? Longs;
        public OnnxTensor? SquareRootOf; // folded Sqrt (then Max with 1e-7) of this tensor: a Normalization's variance
        public bool Floored;             // … and the Max with 1e-7 was taken

        public long Count => Dims.Aggregate(1L, (a, b) => a * b);

        public static OnnxTensor Read(ProtoReader reader)
        {
            var tensor = new OnnxTensor();
            var floats = new List<float>();
            var longs = new List<long>();
            var doubles = new List<double>();
            byte[]? raw = null;
            bool external = false;
            while (reader.More)
            {
                reader.Next();
                switch (reader.Field)
                {
                    case 1: reader.Int64s(tensor.Dims); break;
                    case 2: tensor.DataType = (int)reader.Varint(); break;
                    case 4: reader.Floats(floats); break;
                    case 5: reader.Int64s(longs); break; // int32_data
                    case 7: reader.Int64s(longs); break; // int64_data
                    case 8: tensor.Name = reader.String(); break;
                    case 9: raw = reader.Bytes(); break;
                    case 10:
                        if (reader.WireType == 2)
                        {
                            ProtoReader packed = reader.Message();
                            while (packed.More) doubles.Add(BitConverter.Int64BitsToDouble((long)packed.Fixed64()));
                        }
                        else
                        {
                            doubles.Add(BitConverter.Int64BitsToDouble((long)reader.Fixed64()));
                        }

                        break;
                    case 13: external = true; reader.Skip(); break;
                    case 14: external |= reader.Varint() == 1; break;
                    default: reader.Skip(); break;
                }
            }

            if (external)
            {
                throw new OnnxFormatException($"tensor '{tensor.Name}' keeps its data in an external file; save the model with its weights inside (onnx.save_model(model, path, save_as_external_data=False))");
            }

            long count = tensor.Count;
            switch (tensor.DataType)
            {
                case 1: // FLOAT
                    tensor.Floats = raw != null ? FromRaw(raw, 4, count, tensor.Name, (b, i) => BitConverter.ToSingle(b, i)) : floats.ToArray();
                    break;
                case 11: // DOUBLE
                    tensor.Floats = raw != null ? FromRaw(raw, 8, count, tensor.Name, (b, i) => (float)BitConverter.ToDouble(b, i)) : doubles.Select(d => (float)d).ToArray();
                    break;
                case 7: // INT64
                    tensor.Longs = raw != null ? FromRaw(raw, 8, count, tensor.Name, (b, i) => BitConverter.ToInt64(b, i)) : longs.ToArray();
                    break;
                case 6: // INT32
                    tensor.Longs = raw != null ? FromRaw(raw, 4, count, tensor.Name, (b, i) => (long)BitConverter.ToInt32(b, i)) : longs.ToArray();
                    break;
                case 9: // BOOL
                    tensor.Longs = raw != null ? raw.Select(b => (long)b).ToArray() : longs.ToArray();
                    break;
                default:
                    return tensor; // a type GenNet does not read: the node using it is reported
            }

            int have = tensor.Floats != null ? tensor.Floats.Length : tensor.Longs!.Length;
            if (have != count)
            {
                throw new OnnxFormatException($"tensor '{tensor.Name}' of shape [{string.Join(", ", tensor.Dims)}] holds {have} values, not {count}");
            }

            return tensor;
        }

        private static T[] FromRaw<T>(byte[] raw, int size, long count, string name, Func<byte[], int, T> read)
        {
            if (raw.Length != count * size)
            {
                throw new OnnxFormatException($"tensor '{name}' has {raw.Length} bytes of data, not {count * size}");
            }

            var values = new T[count];
            byte[] word = new byte[size];
            for (int i = 0; i < values.Length; i++)
            {
                Array.Copy(raw, i * size, word, 0, size);
                if (!BitConverter.IsLittleEndian) Array.Reverse(word);
                values[i] = read(word, 0);
            }

            return values;
        }
    }

    internal sealed class OnnxAttribute
    {
        public string Name = "";
        public float F;
        public long I;
        public string S = "";
        public OnnxTensor? T;
        public List<float> Floats = new List<float>();
        public List<long> Ints = new List<long>();
        public bool HasGraph;

        public static OnnxAttribute Read(ProtoReader reader)
        {
            var attribute = new OnnxAttribute();
            while (reader.More)
            {
                reader.Next();
                switch (reader.Field)
                {
                    case 1: attribute.Name = reader.String(); break;
                    case 2: attribute.F = reader.Fixed32(); break;
                    case 3: attribute.I = reader.Int64(); break;
                    case 4: attribute.S = reader.String(); break;
                    case 5: attribute.T = OnnxTensor.Read(reader.Message()); break;
                    case 6: attribute.HasGraph = true; reader.Skip(); break;
                    case 7: reader.Floats(attribute.Floats); break;
                    case 8: reader.Int64s(attribute.Ints); break;
                    default: reader.Skip(); break;
                }
            }

            return attribute;
        }
    }

    internal sealed class OnnxNode
    {
        public List<string> Inputs = new List<string>();
        public List<string> Outputs = new List<string>();
        public string Name = "";
        public string Op = "";
        public string Domain = "";
        public Dictionary<string, OnnxAttribute> Attributes = new Dictionary<string, OnnxAttribute>(StringComparer.Ordinal);

        public string Input(int i) => i < Inputs.Count ? Inputs[i] : "";

        public string Display => Name.Length > 0 ? Name : (Outputs.Count > 0 ? Outputs[0] : "(unnamed)");

        public long Int(string name, long fallback) => Attributes.TryGetValue(name, out OnnxAttribute? a) ? a.I : fallback;

        public float Float(string name, float fallback) => Attributes.TryGetValue(name, out OnnxAttribute? a) ? a.F : fallback;

        public string Text(string name, string fallback) => Attributes.TryGetValue(name, out OnnxAttribute? a) ? a.S : fallback;

        public long[]? Ints(string name) => Attributes.TryGetValue(name, out OnnxAttribute? a) ? a.Ints.ToArray() : null;

        public static OnnxNode Read(ProtoReader reader)
        {
            var node = new OnnxNode();
            while (reader.More)
            {
                reader.Next();
                switch (reader.Field)
                {
                    case 1: node.Inputs.Add(reader.String()); break;
                    case 2: node.Outputs.Add(reader.String()); break;
                    case 3: node.Name = reader.String(); break;
                    case 4: node.Op = reader.String(); break;
                    case 5: { OnnxAttribute a = OnnxAttribute.Read(reader.Message()); node.Attributes[a.Name] = a; break; }
                    case 7: node.Domain = reader.String(); break;
                    default: reader.Skip(); break;
                }
            }

            return node;
        }
    }

    /// <summary>A graph input or output: its name, element type and dims (null for a symbolic one).</summary>
    internal sealed class OnnxValueInfo
    {
        public string Name = "";
        public int ElemType;
        public List<long?> Dims = new List<long?>();
        public bool HasShape;

        public static OnnxValueInfo Read(ProtoReader reader)
        {
            var info = new OnnxValueInfo();
            while (reader.More)
            {
                reader.Next();
                if (reader.Field == 1) info.Name = reader.String();
                else if (reader.Field == 2)
                {
                    ProtoReader type = reader.Message();
                    while (type.More)
                    {
                        type.Next();
                        if (type.Field != 1) { type.Skip(); continue; }
                        ProtoReader tensor = type.Message();
                        while (tensor.More)
                        {
                            tensor.Next();
                            if (tensor.Field == 1) info.ElemType = (int)tensor.Varint();
                            else if (tensor.Field == 2)
                            {
                                info.HasShape = true;
                                ProtoReader shape = tensor.Message();
                                while (shape.More)
                                {
                                    shape.Next();
                                    if (shape.Field != 1) { shape.Skip(); continue; }
                                    ProtoReader dim = shape.Message();
                                    long? value = null;
                                    while (dim.More)
                                    {
                                        dim.Next();
                                        if (dim.Field == 1) value = dim.Int64();
                                        else dim.Skip();
                                    }

                                    info.Dims.Add(value);
                                }
                            }
                            else tensor.Skip();
                        }
                    }
                }
                else reader.Skip();
            }

            return info;
        }
    }

    internal sealed class OnnxModel
    {
        public long IrVersion;
        public long Opset;
        public string Producer = "";
        public List<OnnxNode> Nodes = new List<OnnxNode>();
        public Dictionary<string, OnnxTensor> Initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        public List<OnnxValueInfo> Inputs = new List<OnnxValueInfo>();
        public List<OnnxValueInfo> Outputs = new List<OnnxValueInfo>();
        public bool HasGraph;

        public static OnnxModel Read(byte[] bytes)
        {
            var model = new OnnxModel();
            var reader = new ProtoReader(bytes, 0, bytes.Length);
            while (reader.More)
            {
                reader.Next();
                switch (reader.Field)
                {
                    case 1: model.IrVersion = reader.Int64(); break;
                    case 2: model.Producer = reader.String(); break;
                    case 7: model.HasGraph = true; ReadGraph(reader.Message(), model); break;
                    case 8:
                    {
                        ProtoReader opset = reader.Message();
                        string domain = "";
                        long version = 0;
                        while (opset.More)
                        {
                            opset.Next();
                            if (opset.Field == 1) domain = opset.String();
                            else if (opset.Field == 2) version = opset.Int64();
                            else opset.Skip();
                        }

                        if (domain.Length == 0 || domain == "ai.onnx") model.Opset = version;
                        break;
                    }
                    default: reader.Skip(); break;
                }
            }

            return model;
        }

        private static void ReadGraph(ProtoReader reader, OnnxModel model)
        {
            while (reader.More)
            {
                reader.Next();
                switch (reader.Field)
                {
                    case 1: model.Nodes.Add(OnnxNode.Read(reader.Message())); break;
                    case 5: { OnnxTensor t = OnnxTensor.Read(reader.Message()); model.Initializers[t.Name] = t; break; }
                    case 11: model.Inputs.Add(OnnxValueInfo.Read(reader.Message())); break;
                    case 12: model.Outputs.Add(OnnxValueInfo.Read(reader.Message())); break;
                    default: reader.Skip(); break;
                }
            }
        }
    }

    /// <summary>
    /// ONNX graph → GenNet declarations. Every ONNX value is either a constant (initializers, Constant nodes, shape
    /// arithmetic folded here) or a <see cref="View"/> of a GenNet declaration's output: which of its axes each ONNX axis
    /// is, so that Transpose, Squeeze, Unsqueeze and most Reshapes cost no layer, and a layer can check it reads the layout
    /// it needs (Conv channels-first, Dense a vector, LSTM steps-first). Element-wise chains over one value (GELU written
    /// out) are kept as functions and recognised by their values.
    /// </summary>
    public static class OnnxImporter
    {
        private const long Batch = long.MinValue; // the batch dimension inside folded shape arithmetic

        public static OnnxImport Import(byte[] bytes)
        {
            OnnxModel model;
            try
            {
                model = OnnxModel.Read(bytes);
            }
            catch (OnnxFormatException exception)
            {
                return OnnxImport.Failed("unreadable\tit is not a readable ONNX model: " + exception.Message);
            }

            if (!model.HasGraph || model.Nodes.Count == 0 || model.Outputs.Count == 0)
            {
                return OnnxImport.Failed("unreadable\tit is not an ONNX model (no graph with nodes and an output)" +
                    (bytes.Length < 16 ? $"; it is only {bytes.Length} bytes long" : ""));
            }

            try
            {
                return new Translation(model).Run();
            }
            catch (OnnxFormatException exception)
            {
                return OnnxImport.Failed("unreadable\t" + exception.Message);
            }
            catch (Exception exception) when (exception is InvalidCastException || exception is NullReferenceException || exception is ArgumentException || exception is OverflowException || exception is IndexOutOfRangeException || exception is InvalidOperationException)
            {
                // A model GenNet's importer does not understand must not fail the build with a stack trace.
                return OnnxImport.Failed("unreadable\tGenNet's importer could not follow this model (" + exception.GetType().Name + ": " + exception.Message + "); please report it with the file");
            }
        }

        /// <summary>A GenNet declaration's output as an ONNX value sees it.</summary>
        private sealed class View
        {
            public Declared Source = null!;
            public bool Last;      // a recurrent layer's last state rather than its sequence
            public int[] Axes = new int[0]; // per ONNX axis: 0 the batch, k > 0 GenNet axis k − 1, −1 an axis of size 1 GenNet has not

            public int[] Shape => Last ? Source.LastShape! : Source.Shape;

            public View With(int[] axes) => new View { Source = Source, Last = Last, Axes = axes };

            public bool Is(params int[] axes) => Axes.SequenceEqual(axes);

            /// <summary>[batch, GenNet's shape…] in GenNet's order.</summary>
            public bool IsSame => Axes.Length == Shape.Length + 1 && Axes.Select((a, i) => a == i).All(b => b);

            /// <summary>[batch, channels, …] of GenNet's [… , channels].</summary>
            public bool IsChannelsFirst
            {
                get
                {
                    int r = Shape.Length;
                    if (Axes.Length != r + 1 || Axes[0] != 0 || Axes[1] != r) return false;
                    for (int i = 2; i <= r; i++) if (Axes[i] != i - 1) return false;
                    return true;
                }
            }

            public long[] OnnxShape => Axes.Select(a => a == 0 ? Batch : a < 0 ? 1L : Shape[a - 1]).ToArray();

            /// <summary>The view without its size-1 axes that GenNet does not have.</summary>
            public int[] Essential => Axes.Where(a => a >= 0).ToArray();
        }

        /// <summary>A function of one view built from element-wise nodes (GELU written out), kept until something reads it.</summary>
        private sealed class Chain
        {
            public View X = null!;
            public Func<double, double> F = null!;
            public int Uses; // how many of the chain's inputs read X itself
            public string FirstNode = "";
        }

        /// <summary>x − mean of a Normalization, waiting for its Div.</summary>
        private sealed class Centred
        {
            public View X = null!;
            public OnnxTensor Mean = null!;
        }

        /// <summary>An input or a layer, as it will be written.</summary>
        private sealed class Declared
        {
            public bool IsInput;
            public string Kind = "";
            public string? Name;
            public string BaseName = "";
            public string? From;
            public List<Declared> Joins = new List<Declared>();
            public List<KeyValuePair<string, string>> Args = new List<KeyValuePair<string, string>>();
            public int[] Shape = new int[0];
            public int[]? LastShape;
            public bool TakesActivation;
            public string Activation = "Linear";
            public float Slope = 0.01f;
            public bool SequenceRead;
            public bool LastRead;
            public OnnxNode? Node;
            public List<ImportedTensor> Tensors = new List<ImportedTensor>();
            public Declared? MaxPoolSource; // a max pool's source, to which a ReLU after the pool can move
            public bool BiasPending;       // a MatMul's Dense, waiting for an Add of its bias
            public bool WithoutBias;       // a depthwise Conv without a bias input: a SeparableConv2D's first half if a 1×1 Conv follows
            public int Consumers;

            public void Arg(string key, string value) => Args.Add(new KeyValuePair<string, string>(key, value));
        }

        private sealed class Translation
        {
            private readonly OnnxModel _model;
            private readonly Dictionary<string, object> _values = new Dictionary<string, object>(StringComparer.Ordinal);
            private readonly Dictionary<string, int> _uses = new Dictionary<string, int>(StringComparer.Ordinal);
            private readonly List<Declared> _inputs = new List<Declared>();
            private readonly List<Declared> _layers = new List<Declared>();
            private readonly List<string> _unsupported = new List<string>();
            private readonly List<string> _problems = new List<string>();
            private readonly HashSet<string> _names = new HashSet<string>(StringComparer.Ordinal);

            public Translation(OnnxModel model) => _model = model;

            public OnnxImport Run()
            {
                foreach (OnnxNode node in _model.Nodes)
                {
                    foreach (string input in node.Inputs) Use(input);
                }

                foreach (OnnxValueInfo output in _model.Outputs) Use(output.Name);
                foreach (OnnxTensor initializer in _model.Initializers.Values) _values[initializer.Name] = initializer;
                ReadInputs();
                if (_problems.Count > 0) return Finish();

                foreach (OnnxNode node in _model.Nodes)
                {
                    if (node.Domain.Length > 0 && node.Domain != "ai.onnx")
                    {
                        _unsupported.Add(node.Domain + "." + node.Op + "\t" + node.Display);
                        continue;
                    }

                    if (node.Op != "Constant" && node.Inputs.Any(i => i.Length > 0 && !_values.ContainsKey(i)))
                    {
                        continue; // it reads what an unsupported node makes: that node is the one reported
                    }

                    string? problem;
                    try
                    {
                        problem = Translate(node);
                    }
                    catch (IndexOutOfRangeException)
                    {
                        problem = "";
                    }

                    if (problem == null) continue;
                    if (problem.Length == 0) _unsupported.Add(node.Op + "\t" + node.Display);
                    else _problems.Add("attribute\t" + node.Op + " '" + node.Display + "': " + problem);
                }

                if (_model.Outputs.Count != 1)
                {
                    _problems.Add("attribute\tthe graph has " + _model.Outputs.Count + " outputs; GenNet networks have one");
                }
                else if (_unsupported.Count == 0 && _problems.Count == 0)
                {
                    CheckOutput(_model.Outputs[0]);
                }

                return Finish();
            }

            private void Use(string name)
            {
                if (name.Length == 0) return;
                int count;
                _uses.TryGetValue(name, out count);
                _uses[name] = count + 1;
            }

            private int Uses(string name) { int count; return _uses.TryGetValue(name, out count) ? count : 0; }

            private void ReadInputs()
            {
                foreach (OnnxValueInfo input in _model.Inputs)
                {
                    if (_model.Initializers.ContainsKey(input.Name)) continue; // IR < 4 lists initializers as inputs
                    if (!input.HasShape || input.Dims.Count < 2 || input.Dims.Skip(1).Any(d => d == null || d <= 0))
                    {
                        string dims = input.HasShape ? "[" + string.Join(", ", input.Dims.Select(d => d == null ? "?" : d.Value.ToString(CultureInfo.InvariantCulture))) + "]" : "no shape";
                        _problems.Add("shape\tinput '" + input.Name + "' has " + dims + "; GenNet needs every dimension but the first (the batch) as a number " +
                            "(export with fixed sizes: only the batch axis in dynamic_axes)");
                        continue;
                    }

                    if (input.ElemType != 1 && input.ElemType != 7 && input.ElemType != 6)
                    {
                        _problems.Add("attribute\tinput '" + input.Name + "' has element type " + input.ElemType + "; GenNet reads float inputs (and int64 token ids)");
                        continue;
                    }

                    int[] shape = input.Dims.Skip(1).Select(d => (int)d!.Value).ToArray();
                    var declared = new Declared { IsInput = true, Kind = "input", BaseName = Sanitize(input.Name, "input") };
                    var view = new View { Source = declared };
                    if (shape.Length == 3 && shape[0] == 1)
                    {
                        // [batch, 1, height, width] (PyTorch's one-channel image) is GenNet's [height, width, 1], the same floats.
                        declared.Shape = new[] { shape[1], shape[2], 1 };
                        view.Axes = new[] { 0, 3, 1, 2 };
                    }
                    else
                    {
                        declared.Shape = shape;
                        view.Axes = Enumerable.Range(0, shape.Length + 1).ToArray();
                    }

                    _inputs.Add(declared);
                    _values[input.Name] = view;
                }

                if (_inputs.Count > 1)
                {
                    foreach (Declared input in _inputs) Name(input, input.BaseName); // several inputs: each by its ONNX name
                }

                if (_inputs.Count == 0 && _problems.Count == 0)
                {
                    _problems.Add("shape\tthe graph has no input that is not a constant");
                }
            }

            // ---- values ------------------------------------------------------------------------------------------

            private object? Value(string name) { object? v; return name.Length > 0 && _values.TryGetValue(name, out v) ? v : null; }

            private OnnxTensor? Constant(string name) => Value(name) as OnnxTensor;

            /// <summary>A view read by a layer: a chain is resolved to its activation, or fails.</summary>
            private View? Read(string name, out string? problem)
            {
                problem = null;
                object? value = Value(name);
                if (value is Chain chain)
                {
                    View? resolved = Resolve(chain, out problem);
                    if (resolved != null) _values[name] = resolved;
                    return resolved;
                }

                return value as View;
            }

            private void Set(OnnxNode node, object value, int output = 0)
            {
                if (output < node.Outputs.Count && node.Outputs[output].Length > 0) _values[node.Outputs[output]] = value;
            }

            private static OnnxTensor Longs(long[] values, params long[] dims) =>
                new OnnxTensor { DataType = 7, Longs = values, Dims = dims.ToList() };

            private static OnnxTensor Floats(float[] values, params long[] dims) =>
                new OnnxTensor { DataType = 1, Floats = values, Dims = dims.ToList() };

            // ---- nodes -------------------------------------------------------------------------------------------

            /// <summary>Null when the node was taken in; "" when its op (or its use here) is unsupported; otherwise why its attributes are.</summary>
            private string? Translate(OnnxNode node)
            {
                if (node.Op == "Constant")
                {
                    OnnxAttribute? a;
                    if (node.Attributes.TryGetValue("value", out a) && a.T != null) { Set(node, a.T); return null; }
                    if (node.Attributes.TryGetValue("value_float", out a)) { Set(node, Floats(new[] { a.F })); return null; }
                    if (node.Attributes.TryGetValue("value_int", out a)) { Set(node, Longs(new[] { a.I })); return null; }
                    if (node.Attributes.TryGetValue("value_ints", out a)) { Set(node, Longs(a.Ints.ToArray(), a.Ints.Count)); return null; }
                    if (node.Attributes.TryGetValue("value_floats", out a)) { Set(node, Floats(a.Floats.ToArray(), a.Floats.Count)); return null; }
                    return "";
                }

                if (node.Inputs.Where(i => i.Length > 0).All(i => Value(i) is OnnxTensor))
                {
                    return Fold(node);
                }

                switch (node.Op)
                {
                    case "Identity":
                    case "Dropout":
                        return Alias(node);
                    case "Cast":
                        return Alias(node); // token ids to int64 before a Gather; float to float
                    case "Shape":
                        return ShapeOf(node);
                    case "Transpose":
                        return Transpose(node);
                    case "Squeeze":
                    case "Unsqueeze":
                        return SqueezeOrUnsqueeze(node);
                    case "Flatten":
                        return Flatten(node, node.Int("axis", 1));
                    case "Reshape":
                        return Reshape(node);
                    case "Gemm":
                        return Gemm(node);
                    case "MatMul":
                        return MatMul(node);
                    case "Add":
                    case "Sub":
                    case "Mul":
                    case "Div":
                    case "Pow":
                    case "Sum":
                        return Arithmetic(node);
                    case "Relu":
                    case "Sigmoid":
                    case "Tanh":
                    case "Erf":
                    case "LeakyRelu":
                    case "Softmax":
                        return Activation(node);
                    case "Gelu":
                        return FoldActivation(node, "Gelu");
                    case "Conv":
                        return Conv(node);
                    case "MaxPool":
                    case "AveragePool":
                        return Pool(node);
                    case "GlobalAveragePool":
                    case "GlobalMaxPool":
                        return GlobalPool(node);
                    case "BatchNormalization":
                        return BatchNorm(node);
                    case "LayerNormalization":
                        return LayerNorm(node);
                    case "Concat":
                        return Concat(node);
                    case "LSTM":
                    case "GRU":
                    case "RNN":
                        return Recurrent(node);
                    case "Gather":
                        return Gather(node);
                    default:
                        return "";
                }
            }

            private string? Alias(OnnxNode node)
            {
                object? value = Value(node.Input(0));
                if (value == null) return "";
                Set(node, value);
                return null;
            }

            // Constant folding: shape arithmetic and constants written as nodes.
            private string? Fold(OnnxNode node)
            {
                OnnxTensor? a = Constant(node.Input(0));
                if (a == null) return "";
                switch (node.Op)
                {
                    case "Identity":
                    case "Cast":
                        if (node.Op == "Cast" && node.Int("to", 1) == 1 && a.Longs != null) Set(node, Floats(a.Longs.Select(v => (float)v).ToArray(), a.Dims.ToArray()));
                        else if (node.Op == "Cast" && node.Int("to", 1) == 7 && a.Floats != null) Set(node, Longs(a.Floats.Select(v => (long)v).ToArray(), a.Dims.ToArray()));
                        else Set(node, a);
                        return null;
                    case "Unsqueeze":
                    case "Squeeze":
                    {
                        long[] axes = node.Ints("axes") ?? Constant(node.Input(1))?.Longs ?? new long[0];
                        var dims = a.Dims.ToList();
                        if (node.Op == "Unsqueeze") foreach (long axis in axes.Select(x => x < 0 ? x + dims.Count + axes.Length : x).OrderBy(x => x)) dims.Insert((int)axis, 1);
                        else dims = axes.Length == 0 ? dims.Where(d => d != 1).ToList() : dims.Where((d, i) => !axes.Any(x => (x < 0 ? x + a.Dims.Count : x) == i)).ToList();
                        Set(node, new OnnxTensor { DataType = a.DataType, Floats = a.Floats, Longs = a.Longs, Dims = dims });
                        return null;
                    }
                    case "Concat":
                    {
                        var parts = node.Inputs.Select(Constant).ToList();
                        if (parts.Any(p => p == null || p.Longs == null || p.Dims.Count > 1)) return "";
                        long[] joined = parts.SelectMany(p => p!.Longs!).ToArray();
                        Set(node, Longs(joined, joined.Length));
                        return null;
                    }
                    case "Gather":
                    {
                        OnnxTensor? indices = Constant(node.Input(1));
                        if (indices?.Longs == null || a.Dims.Count != 1 || node.Int("axis", 0) != 0) return "";
                        long[] picked = indices.Longs.Select(i => a.Longs != null ? a.Longs[(int)(i < 0 ? i + a.Longs.Length : i)] : (long)a.Floats![(int)(i < 0 ? i + a.Floats.Length : i)]).ToArray();
                        Set(node, a.Longs != null ? Longs(picked, indices.Dims.ToArray()) : Floats(picked.Select(v => (float)v).ToArray(), indices.Dims.ToArray()));
                        return null;
                    }
                    case "Mul":
                    case "Add":
                    case "Sub":
                    case "Div":
                    {
                        OnnxTensor? b = Constant(node.Input(1));
                        if (a.Longs == null || b?.Longs == null || b.Longs.Length != 1) return "";
                        long y = b.Longs[0];
                        Func<long, long> f = node.Op == "Mul" ? x => x * y : node.Op == "Add" ? x => x + y : node.Op == "Sub" ? x => x - y : (Func<long, long>)(x => x / y);
                        Set(node, Longs(a.Longs.Select(x => x == Batch ? Batch : f(x)).ToArray(), a.Dims.ToArray()));
                        return null;
                    }
                    case "Sqrt":
                    {
                        if (a.Floats == null) return "";
                        Set(node, new OnnxTensor { DataType = 1, Floats = a.Floats.Select(v => (float)Math.Sqrt(v)).ToArray(), Dims = a.Dims.ToList(), SquareRootOf = a });
                        return null;
                    }
                    case "Max":
                    {
                        // max(√variance, 1e-7), as GenNet's Normalization export writes it: the variance is kept for the layer.
                        float? floor = Scalar(Constant(node.Input(1)));
                        if (a.Floats == null || node.Inputs.Count != 2 || floor == null) return "";
                        float f = floor.Value;
                        bool normalization = a.SquareRootOf != null && !a.Floored && f == 1e-7f;
                        Set(node, new OnnxTensor { DataType = 1, Floats = a.Floats.Select(v => Math.Max(v, f)).ToArray(), Dims = a.Dims.ToList(), SquareRootOf = normalization ? a.SquareRootOf : null, Floored = normalization });
                        return null;
                    }
                    case "ConstantOfShape":
                    {
                        OnnxAttribute? value;
                        // A shape with the batch in it (PyTorch's zero LSTM state [1, batch, units]): one sample's worth stands for it.
                        if (a.Longs == null || a.Longs.Any(d => d < 0 && d != Batch)) return "";
                        long count = a.Longs.Aggregate(1L, (x, y) => x * (y == Batch ? 1 : y));
                        float fill = node.Attributes.TryGetValue("value", out value) && value.T?.Floats != null && value.T.Floats.Length > 0 ? value.T.Floats[0] : 0f;
                        Set(node, Floats(Enumerable.Repeat(fill, (int)count).ToArray(), a.Longs.Select(d => d == Batch ? 1 : d).ToArray()));
                        return null;
                    }
                    default:
                        return "";
                }
            }

            private string? ShapeOf(OnnxNode node)
            {
                View? x = Read(node.Input(0), out string? problem);
                if (x == null) return problem ?? "";
                long[] shape = x.OnnxShape;
                long start = node.Int("start", 0), end = node.Int("end", shape.Length);
                if (start < 0) start += shape.Length;
                if (end < 0) end += shape.Length;
                long[] part = shape.Skip((int)start).Take((int)Math.Max(0, Math.Min(end, shape.Length) - start)).ToArray();
                Set(node, Longs(part, part.Length));
                return null;
            }

            private string? Transpose(OnnxNode node)
            {
                View? x = Read(node.Input(0), out string? problem);
                if (x == null) return problem ?? "";
                long[] perm = node.Ints("perm") ?? Enumerable.Range(0, x.Axes.Length).Reverse().Select(i => (long)i).ToArray();
                if (perm.Length != x.Axes.Length) return "perm has " + perm.Length + " axes for a value of " + x.Axes.Length;
                Set(node, x.With(perm.Select(p => x.Axes[(int)p]).ToArray()));
                return null;
            }

            private string? SqueezeOrUnsqueeze(OnnxNode node)
            {
                View? x = Read(node.Input(0), out string? problem);
                if (x == null) return problem ?? "";
                long[]? axes = node.Ints("axes") ?? Constant(node.Input(1))?.Longs;
                var result = x.Axes.ToList();
                if (node.Op == "Unsqueeze")
                {
                    if (axes == null) return "";
                    int rank = result.Count + axes.Length;
                    foreach (long axis in axes.Select(a => a < 0 ? a + rank : a).OrderBy(a => a)) result.Insert((int)axis, -1);
                }
                else
                {
                    long[] shape = x.OnnxShape;
                    var drop = new HashSet<int>((axes ?? Enumerable.Range(0, shape.Length).Where(i => shape[i] == 1).Select(i => (long)i).ToArray())
                        .Select(a => (int)(a < 0 ? a + shape.Length : a)));
                    foreach (int axis in drop)
                    {
                        if (axis < 0 || axis >= shape.Length || shape[axis] != 1) return "it squeezes axis " + axis + " of a value of shape " + ShapeText(shape);
                        if (x.Axes[axis] > 0) return ""; // a GenNet axis of size 1: would need a reshape layer
                    }

                    result = result.Where((a, i) => !drop.Contains(i)).ToList();
                }

                Set(node, x.With(result.ToArray()));
                return null;
            }

            private string? Reshape(OnnxNode node)
            {
                View? x = Read(node.Input(0), out string? problem);
                if (x == null) return problem ?? "";
                long[]? target = Constant(node.Input(1))?.Longs;
                if (target == null) return "";
                long[] shape = x.OnnxShape;
                long known = shape.Where(d => d != Batch).Aggregate(1L, (a, b) => a * b);
                var dims = new long[target.Length];
                int infer = -1;
                for (int i = 0; i < target.Length; i++)
                {
                    dims[i] = target[i] == 0 && i < shape.Length ? shape[i] : target[i];
                    if (dims[i] == -1) infer = i;
                }

                // The batch: the first dim is it when written as the symbol, as 0, or as −1 with everything else fixed.
                if (dims.Length == 0) return "";
                if (dims[0] == Batch || infer == 0) { dims[0] = Batch; infer = infer == 0 ? -1 : infer; }
                long rest = dims.Skip(1).Where(d => d != -1).Aggregate(1L, (a, b) => a * b);
                if (infer > 0) dims[infer] = rest == 0 ? 0 : known / rest;
                if (dims[0] != Batch || dims.Skip(1).Aggregate(1L, (a, b) => a * b) != known)
                {
                    return "reshapes " + ShapeText(shape) + " to " + ShapeText(dims) + ", which does not keep the batch axis first (GenNet fixes every size but the batch)";
                }

                long[] essentialIn = shape.Skip(1).Where(d => d != 1).ToArray();
                long[] essentialOut = dims.Skip(1).Where(d => d != 1).ToArray();
                if (dims.Length == 2 && shape.Length > 2)
                {
                    return FlattenView(node, x);
                }

                if (essentialIn.SequenceEqual(essentialOut) && x.Essential.Skip(1).SequenceEqual(x.Essential.Skip(1).OrderBy(a => a)))
                {
                    // Only axes of size 1 come or go, GenNet's own axes keep their order.
                    if (x.Shape.Any(s => s == 1)) return "";
                    var axes = new List<int> { 0 };
                    int[] own = x.Axes.Skip(1).Where(a => a > 0).ToArray();
                    int k = 0;
                    foreach (long d in dims.Skip(1)) axes.Add(d == 1 ? -1 : own[k++]);
                    Set(node, x.With(axes.ToArray()));
                    return null;
                }

                // An input read only here can be declared in the shape asked for.
                if (x.Source.IsInput && x.IsSame && Uses(node.Input(0)) == 1 && _layers.Count == 0)
                {
                    int[] sizes = dims.Skip(1).Select(d => (int)d).ToArray();
                    if (sizes.Length == 3 && sizes[0] == 1)
                    {
                        x.Source.Shape = new[] { sizes[1], sizes[2], 1 };
                        Set(node, new View { Source = x.Source, Axes = new[] { 0, 3, 1, 2 } });
                        return null;
                    }

                    x.Source.Shape = sizes;
                    Set(node, new View { Source = x.Source, Axes = Enumerable.Range(0, sizes.Length + 1).ToArray() });
                    return null;
                }

                return "reshapes " + ShapeText(shape) + " to " + ShapeText(dims) + "; GenNet reshapes only by Flatten";
            }

            private string? Flatten(OnnxNode node, long axis)
            {
                View? x = Read(node.Input(0), out string? problem);
                if (x == null) return problem ?? "";
                if (axis != 1) return "axis = " + axis + "; GenNet flattens everything but the batch (axis = 1)";
                return FlattenView(node, x);
            }

            /// <summary>[batch, everything else]: nothing when that is already a vector, otherwise GenNet's Flatten in the order it has.</summary>
            private string? FlattenView(OnnxNode node, View x)
            {
                int[] essential = x.Essential;
                int rank = x.Shape.Length;
                if (rank == 1 && essential.SequenceEqual(new[] { 0, 1 }))
                {
                    Set(node, x.With(new[] { 0, 1 }));
                    return null;
                }

                // GenNet's Flatten: a multi-channel image channel-major (PyTorch's NCHW order), a sequence step-major.
                bool channelsOne = rank >= 2 && x.Shape[rank - 1] == 1;
                View plain = x.With(essential);
                bool fits = rank == 3 ? plain.IsChannelsFirst || (channelsOne && plain.IsSame) : plain.IsSame || (rank == 2 && channelsOne && plain.IsChannelsFirst);
                if (!fits)
                {
                    return "flattens a value of shape " + ShapeText(x.OnnxShape) + " in an order GenNet's Flatten does not give " +
                        "(a multi-channel image flattens channels-first, as PyTorch's NCHW; a sequence step by step)";
                }

                Declared layer = Layer(node, "Flatten", x, new[] { x.Shape.Aggregate(1, (a, b) => a * b) });
                Set(node, Out(layer));
                return null;
            }

            // ---- layers ------------------------------------------------------------------------------------------

            private Declared? _previous => _layers.Count > 0 ? _layers[_layers.Count - 1] : (_inputs.Count > 0 ? _inputs[_inputs.Count - 1] : null);

            /// <summary>Declares a layer reading view <paramref name="x"/> (which must be in a layout the caller checked).</summary>
            private Declared Layer(OnnxNode node, string kind, View x, int[] shape, bool named = false)
            {
                var layer = new Declared { Kind = kind, Shape = shape, Node = node };
                Reads(layer, x);
                if (!ReferenceEquals(x.Source, _previous)) layer.From = NameOf(x.Source);
                if (named) Name(layer, BaseName(node, kind));
                _layers.Add(layer);
                return layer;
            }

            private static void Reads(Declared reader, View x)
            {
                x.Source.Consumers++;
                if (x.Last) x.Source.LastRead = true;
                else x.Source.SequenceRead = true;
            }

            private static View Out(Declared layer) => new View { Source = layer, Axes = Enumerable.Range(0, layer.Shape.Length + 1).ToArray() };

            private static View OutChannelsFirst(Declared layer)
            {
                int r = layer.Shape.Length;
                return new View { Source = layer, Axes = new[] { 0, r }.Concat(Enumerable.Range(1, r - 1)).ToArray() };
            }

            /// <summary>The name another declaration reads this one by, giving it one when it has none.</summary>
            private string NameOf(Declared declared)
            {
                if (declared.Name == null)
                {
                    if (declared.IsInput && _inputs.Count == 1) return "input";
                    Name(declared, declared.IsInput ? declared.BaseName : declared.Node != null ? BaseName(declared.Node, declared.Kind) : declared.Kind.ToLowerInvariant());
                }

                return declared.Name!;
            }

            private void Name(Declared declared, string name)
            {
                string candidate = name;
                for (int i = 1; !_names.Add(candidate); i++) candidate = name + "_" + i;
                declared.Name = candidate;
            }

            /// <summary>
            /// A layer's name: the module path of its weight initializer ("fc1.weight" → fc1, as PyTorch names them), or of its node
            /// ("/layer1/conv1/Conv" → conv1), or its node's output.
            /// </summary>
            private string BaseName(OnnxNode node, string kind)
            {
                foreach (string input in node.Inputs.Skip(1))
                {
                    int dot = input.LastIndexOf('.');
                    if (dot > 0 && _model.Initializers.ContainsKey(input) && !input.StartsWith("onnx::", StringComparison.Ordinal))
                    {
                        string suffix = input.Substring(dot + 1);
                        if (suffix == "weight" || suffix == "bias" || suffix.StartsWith("weight_", StringComparison.Ordinal) || suffix.StartsWith("bias_", StringComparison.Ordinal))
                        {
                            return Sanitize(input.Substring(0, dot), kind.ToLowerInvariant());
                        }
                    }
                }

                // Scopes as PyTorch writes them, "/layer1/layer1.0/conv1/Conv", or GenNet's "lstm/LSTM": the module path without the op.
                string[] parts = node.Name.Trim('/').Split('/');
                if (parts.Length >= 2)
                {
                    // A scope repeats its parent's last name with the child's ("layer1", "layer1.0"): the longer one stands for both.
                    var scopes = new List<string>();
                    foreach (string part in parts.Take(parts.Length - 1))
                    {
                        if (scopes.Count > 0 && part.StartsWith(scopes[scopes.Count - 1] + ".", StringComparison.Ordinal)) scopes[scopes.Count - 1] = part;
                        else scopes.Add(part);
                    }

                    string path = string.Join(".", scopes);

                    bool pytorch = node.Name.StartsWith("/", StringComparison.Ordinal);
                    return Sanitize(pytorch && !IsParameterised(kind) ? path + "_" + kind.ToLowerInvariant() : path, kind.ToLowerInvariant());
                }

                return Sanitize(node.Name.Length > 0 ? node.Name : kind.ToLowerInvariant(), kind.ToLowerInvariant());
            }

            private static bool IsParameterised(string kind) =>
                kind == "Dense" || kind == "Conv2D" || kind == "DepthwiseConv2D" || kind == "LayerNormalization" || kind == "Conv1D" || kind == "BatchNormalization" || kind == "LSTM" || kind == "GRU" || kind == "SimpleRNN" || kind == "Embedding";

            /// <summary>A GenNet name: letters, digits and '_' in parts joined by '.', each starting with a letter or '_'.</summary>
            private static string Sanitize(string name, string fallback)
            {
                var parts = new List<string>();
                foreach (string raw in name.Split('.'))
                {
                    var part = new StringBuilder();
                    foreach (char c in raw) part.Append(c < 128 && (char.IsLetterOrDigit(c) || c == '_') ? c : '_');
                    string p = part.ToString().Trim('_');
                    if (p.Length == 0) continue;
                    if (char.IsDigit(p[0])) p = (parts.Count == 0 ? fallback : "layer") + "_" + p;
                    parts.Add(p);
                }

                return parts.Count == 0 ? fallback : string.Join(".", parts);
            }

            private string? Gemm(OnnxNode node)
            {
                View? x = Read(node.Input(0), out string? problem);
                OnnxTensor? b = Constant(node.Input(1));
                if (x == null || b?.Floats == null || b.Dims.Count != 2) return problem ?? "";
                if (node.Int("transA", 0) != 0 || node.Float("alpha", 1f) != 1f || node.Float("beta", 1f) != 1f) return "transA, alpha or beta other than 0, 1, 1";
                bool transposed = node.Int("transB", 0) != 0;
                int outputs = (int)(transposed ? b.Dims[0] : b.Dims[1]), inputs = (int)(transposed ? b.Dims[1] : b.Dims[0]);
                if (!VectorOf(x, inputs, out problem)) return problem;
                float[] weight = transposed ? b.Floats : TransposeMatrix(b.Floats, inputs, outputs);
                float[]? bias = null;
                if (node.Input(2).Length > 0)
                {
                    OnnxTensor? c = Constant(node.Input(2));
                    if (c?.Floats == null || (c.Floats.Length != outputs && c.Floats.Length != 1)) return "";
                    bias = c.Floats.Length == outputs ? c.Floats : Enumerable.Repeat(c.Floats[0], outputs).ToArray();
                }

                Set(node, Out(Dense(node, x, weight, bias ?? new float[outputs], outputs, inputs)));
                return null;
            }

            private string? MatMul(OnnxNode node)
            {
                View? x = Read(node.Input(0), out string? problem);
                OnnxTensor? b = Constant(node.Input(1));
                if (x == null || b?.Floats == null || b.Dims.Count != 2) return problem ?? "";
                int inputs = (int)b.Dims[0], outputs = (int)b.Dims[1];
                if (!VectorOf(x, inputs, out problem)) return problem;
                Declared dense = Dense(node, x, TransposeMatrix(b.Floats, inputs, outputs), new float[outputs], outputs, inputs);
                dense.BiasPending = true;
                Set(node, Out(dense));
                return null;
            }

            private Declared Dense(OnnxNode node, View x, float[] weight, float[] bias, int outputs, int inputs)
            {
                Declared dense = Layer(node, "Dense", x, new[] { outputs }, named: true);
                dense.Arg("units", outputs.ToString(CultureInfo.InvariantCulture));
                dense.TakesActivation = true;
                dense.Tensors.Add(new ImportedTensor(dense.Name + ".weight", new[] { outputs, inputs }, weight));
                dense.Tensors.Add(new ImportedTensor(dense.Name + ".bias", new[] { outputs }, bias));
                return dense;
            }

            private static bool VectorOf(View x, int size, out string? problem)
            {
                problem = null;
                if (x.Shape.Length == 1 && x.Is(0, 1) && x.Shape[0] == size) return true;
                problem = "multiplies a value of shape " + ShapeText(x.OnnxShape) + " by a weight with " + size + " rows; GenNet's Dense reads [batch, " + size + "] (flatten before it)";
                return false;
            }

            private static float[] TransposeMatrix(float[] m, int rows, int columns)
            {
                var t = new float[m.Length];
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < columns; c++)
                        t[c * rows + r] = m[r * columns + c];
                return t;
            }

            // Add, Sub, Mul, Div, Pow, Sum: a MatMul's bias, a merge of two layers, or a step of an element-wise chain.
            private string? Arithmetic(OnnxNode node)
            {
                object? a = Value(node.Input(0)), b = Value(node.Input(1));
                if (node.Op == "Add" && a is View dense && b is OnnxTensor bias && TakeBias(node, dense, bias)) return null;
                if (node.Op == "Add" && b is View dense2 && a is OnnxTensor bias2 && TakeBias(node, dense2, bias2)) return null;
                if (node.Op == "Sub" && a is View centred && b is OnnxTensor mean && Centres(node, centred, mean)) return null;
                if (node.Op == "Div" && a is Centred c && b is OnnxTensor deviation) return Normalization(node, c, deviation);

                // Element-wise over one value with scalar constants: a chain, judged when something reads it.
                Chain? ca = AsChain(a), cb = AsChain(b);
                float? sa = Scalar(a), sb = Scalar(b);
                if (node.Inputs.Count == 2 && (ca != null || sa != null) && (cb != null || sb != null) && (ca != null || cb != null) &&
                    (ca == null || cb == null || ReferenceEquals(ca.X.Source, cb.X.Source) && ca.X.Axes.SequenceEqual(cb.X.Axes) && ca.X.Last == cb.X.Last))
                {
                    Func<double, double> fa = ca != null ? ca.F : Const(sa!.Value), fb = cb != null ? cb.F : Const(sb!.Value);
                    Func<double, double> f;
                    switch (node.Op)
                    {
                        case "Add": case "Sum": f = v => fa(v) + fb(v); break;
                        case "Sub": f = v => fa(v) - fb(v); break;
                        case "Mul": f = v => fa(v) * fb(v); break;
                        case "Div": f = v => fa(v) / fb(v); break;
                        default: f = v => Math.Pow(fa(v), fb(v)); break;
                    }

                    Chain first = ca ?? cb!;
                    Set(node, new Chain { X = first.X, F = f, Uses = (ca?.Uses ?? 0) + (cb?.Uses ?? 0), FirstNode = first.FirstNode.Length > 0 ? first.FirstNode : node.Display });
                    return null;
                }

                if (node.Op == "Add" || node.Op == "Sum" || node.Op == "Mul")
                {
                    return Merge(node, node.Op == "Mul" ? "Multiply" : "Add", -1);
                }

                return "";
            }

            private static Func<double, double> Const(float value) => v => value;

            /// <summary>x − mean, channels-last, with mean [features], read only by a Div by max(√variance, 1e-7): a Normalization's first half.</summary>
            private bool Centres(OnnxNode node, View x, OnnxTensor mean)
            {
                if (x.Shape.Length == 0 || !x.IsSame || mean.Floats == null || mean.Dims.Count != 1 || mean.Dims[0] != x.Shape[x.Shape.Length - 1]) return false;
                string output = node.Outputs[0];
                if (Uses(output) != 1) return false;
                OnnxNode? div = _model.Nodes.FirstOrDefault(n => n.Op == "Div" && n.Input(0) == output);
                OnnxTensor? deviation = div != null ? Constant(div.Input(1)) : null;
                if (deviation == null || !deviation.Floored || deviation.SquareRootOf!.Floats == null || deviation.SquareRootOf.Count != mean.Count) return false;
                Set(node, new Centred { X = x, Mean = mean });
                return true;
            }

            /// <summary>(x − mean) / max(√variance, 1e-7): GenNet's [Normalization], with its mean and variance buffers.</summary>
            private string? Normalization(OnnxNode node, Centred c, OnnxTensor deviation)
            {
                if (!deviation.Floored || deviation.SquareRootOf!.Count != c.Mean.Count) return "";
                int features = (int)c.Mean.Count;
                Declared normalization = Layer(node, "Normalization", c.X, c.X.Shape.ToArray(), named: true);
                normalization.Tensors.Add(new ImportedTensor(normalization.Name + ".mean", new[] { features }, c.Mean.Floats!));
                normalization.Tensors.Add(new ImportedTensor(normalization.Name + ".variance", new[] { features }, deviation.SquareRootOf.Floats!));
                Set(node, Out(normalization));
                return null;
            }

            private static float? Scalar(object? value) =>
                value is OnnxTensor t && t.Count == 1 ? (t.Floats != null ? t.Floats[0] : t.Longs != null ? (float?)t.Longs[0] : null) : null;

            private static Chain? AsChain(object? value) =>
                value is Chain c ? c : value is View v ? new Chain { X = v, F = x => x, Uses = 1 } : null;

            private bool TakeBias(OnnxNode node, View x, OnnxTensor bias)
            {
                Declared dense = x.Source;
                if (!dense.BiasPending || !x.Is(0, 1) || bias.Floats == null || bias.Count != dense.Shape[0] || Uses(dense.Node!.Outputs[0]) != 1) return false;
                Array.Copy(bias.Floats, dense.Tensors[1].Values, bias.Floats.Length);
                dense.BiasPending = false;
                Set(node, x);
                return true;
            }

            private string? Activation(OnnxNode node)
            {
                object? value = Value(node.Input(0));
                if (value is Chain || (node.Op == "Erf" && value is View))
                {
                    // A step of an element-wise chain (GELU written out), or an Erf that starts one.
                    Chain c = AsChain(value)!;
                    Func<double, double> f = c.F;
                    Func<double, double>? g = node.Op == "Erf" ? v => Erf(f(v)) : node.Op == "Tanh" ? v => Math.Tanh(f(v)) :
                        node.Op == "Sigmoid" ? v => 1 / (1 + Math.Exp(-f(v))) : node.Op == "Relu" ? v => Math.Max(0, f(v)) : (Func<double, double>?)null;
                    if (g == null) return "";
                    Set(node, new Chain { X = c.X, F = g, Uses = c.Uses, FirstNode = c.FirstNode.Length > 0 ? c.FirstNode : node.Display });
                    return null;
                }

                if (node.Op == "Erf") return "";
                if (node.Op == "Softmax")
                {
                    View? x = value as View;
                    if (x == null) return "";
                    long axis = node.Int("axis", -1);
                    int rank = x.Axes.Length;
                    if (axis < 0) axis += rank;
                    if (axis != rank - 1 || x.Axes[rank - 1] != x.Shape.Length) return "softmax over axis " + axis + "; GenNet's softmax is over the last axis of a layer's output";
                }

                string kind = node.Op == "Relu" ? "ReLU" : node.Op == "LeakyRelu" ? "LeakyReLU" : node.Op;
                return FoldActivation(node, kind);
            }

            /// <summary>An activation node after a layer that can take it becomes that layer's activation.</summary>
            private string? FoldActivation(OnnxNode node, string activation)
            {
                View? x = Read(node.Input(0), out string? problem);
                if (x == null) return problem ?? "";
                Declared layer = x.Source;
                if (activation == "ReLU" && layer.MaxPoolSource != null && layer.Activation == "Linear" && Uses(node.Input(0)) == 1 &&
                    layer.MaxPoolSource.TakesActivation && layer.MaxPoolSource.Activation == "Linear" && layer.MaxPoolSource.Consumers == 1 && Uses(layer.MaxPoolSource.Node!.Outputs[0]) == 1)
                {
                    // relu(maxpool(x)) = maxpool(relu(x)): the ReLU moves to the layer before the pool.
                    layer = layer.MaxPoolSource;
                }
                else if (!layer.TakesActivation || layer.Activation != "Linear" || Uses(node.Input(0)) != 1 || layer.Consumers > 0 || x.Last)
                {
                    return "";
                }

                if (layer.Kind == "Dense" && layer.BiasPending && Uses(layer.Node!.Outputs[0]) == 1) layer.BiasPending = false;
                layer.Activation = activation;
                if (activation == "LeakyReLU") layer.Slope = node.Float("alpha", 0.01f);
                Set(node, x);
                return null;
            }

            /// <summary>A chain read by a layer: GELU (either form) folds into the layer it follows; anything else is unsupported.</summary>
            private View? Resolve(Chain chain, out string? problem)
            {
                problem = null;
                double[] points = { -6, -3.5, -2, -1.25, -0.5, -0.1, 0, 0.1, 0.5, 1.25, 2, 3.5, 6 };
                bool tanhGelu = points.All(v => Math.Abs(chain.F(v) - 0.5 * v * (1 + Math.Tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)))) < 1e-5);
                bool erfGelu = points.All(v => Math.Abs(chain.F(v) - 0.5 * v * (1 + Erf(v / Math.Sqrt(2)))) < 1e-5);
                Declared layer = chain.X.Source;
                if (!(tanhGelu || erfGelu) || !layer.TakesActivation || layer.Activation != "Linear" || chain.X.Last ||
                    layer.Node == null || Uses(layer.Node.Outputs[0]) != chain.Uses || layer.Consumers > 0)
                {
                    _unsupported.Add("element-wise arithmetic that is not an activation GenNet has\t" + chain.FirstNode);
                    problem = null;
                    return null;
                }

                if (layer.Kind == "Dense") layer.BiasPending = false;
                layer.Activation = "Gelu"; // GenNet's GELU is the tanh form; the erf form differs from it by under 1e-3
                return chain.X;
            }

            private static double Erf(double x)
            {
                // Abramowitz and Stegun 7.1.26 refined by one Newton step is not needed: only the pattern is judged (to 1e-5).
                double t = 1 / (1 + 0.5 * Math.Abs(x));
                double y = 1 - t * Math.Exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
                    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
                return x >= 0 ? y : -y;
            }

            private string? Merge(OnnxNode node, string kind, int axis)
            {
                var views = new List<View>();
                foreach (string input in node.Inputs)
                {
                    View? v = Read(input, out string? problem);
                    if (v == null) return problem ?? "";
                    views.Add(v);
                }

                View first = views[0];
                if (views.Count < 2) return Alias(node);
                foreach (View v in views.Skip(1))
                {
                    if (!v.Axes.SequenceEqual(first.Axes) || (kind != "Concatenate" && !v.Shape.SequenceEqual(first.Shape)))
                    {
                        return "joins values of shapes " + string.Join(" and ", views.Select(w => ShapeText(w.OnnxShape))) + " held in different layouts";
                    }
                }

                int[] shape = first.Shape.ToArray();
                if (kind == "Concatenate")
                {
                    int r = first.Axes.Length;
                    if (axis < 0) axis += r;
                    if (axis <= 0 || axis >= r || first.Axes[axis] != first.Shape.Length)
                    {
                        return "concatenates along axis " + axis + " of " + ShapeText(first.OnnxShape) + "; GenNet concatenates channels (the last axis of its layout)";
                    }

                    if (views.Any(v => !v.Shape.Take(v.Shape.Length - 1).SequenceEqual(first.Shape.Take(first.Shape.Length - 1)))) return "";
                    shape[shape.Length - 1] = views.Sum(v => v.Shape[v.Shape.Length - 1]);
                }

                var layer = new Declared { Kind = kind, Shape = shape, Node = node, TakesActivation = true };
                foreach (View v in views)
                {
                    Reads(layer, v);
                    layer.Joins.Add(v.Source);
                }

                Name(layer, BaseName(node, kind));
                _layers.Add(layer);
                Set(node, new View { Source = layer, Axes = first.Axes });
                return null;
            }

            private string? Concat(OnnxNode node) => Merge(node, "Concatenate", (int)node.Int("axis", 1));

            /// <summary>Keras's "same" padding as [begin, end] for one axis, or null when it is not symmetric enough to say.</summary>
            private static bool IsSame(int size, int kernel, int stride, long begin, long end)
            {
                int output = (size + stride - 1) / stride;
                int total = Math.Max((output - 1) * stride + kernel - size, 0);
                return begin == total / 2 && end == total - total / 2;
            }

            /// <summary>The padding of a Conv or pool over [spatial…]: Valid, Same, or why neither.</summary>
            private static string Padding(OnnxNode node, int[] spatial, int[] kernel, int stride, out string padding)
            {
                padding = "Valid";
                string autoPad = node.Text("auto_pad", "NOTSET");
                long[] pads = node.Ints("pads") ?? new long[spatial.Length * 2];
                if (autoPad == "VALID" || (autoPad == "NOTSET" && pads.All(p => p == 0))) return "";
                if (autoPad == "SAME_UPPER" || (autoPad == "NOTSET" && pads.Length == spatial.Length * 2 &&
                    Enumerable.Range(0, spatial.Length).All(i => IsSame(spatial[i], kernel[i], stride, pads[i], pads[i + spatial.Length]))))
                {
                    padding = "Same";
                    return "";
                }

                return "pads [" + string.Join(", ", pads) + "] are neither none nor Keras's \"same\" (GenNet pads nothing or, for output ⌈size / stride⌉, half the rows before and the rest after)";
            }

            private static string? Strides(OnnxNode node, int rank, out int stride)
            {
                long[] strides = node.Ints("strides") ?? Enumerable.Repeat(1L, rank).ToArray();
                stride = (int)strides[0];
                if (strides.Any(s => s != strides[0])) return "strides [" + string.Join(", ", strides) + "] differ between axes; GenNet takes one stride";
                long[]? dilations = node.Ints("dilations");
                if (dilations != null && dilations.Any(d => d != 1)) return "dilations [" + string.Join(", ", dilations) + "]; GenNet has no dilated windows";
                return null;
            }

            private string? Conv(OnnxNode node)
            {
                View? x = Read(node.Input(0), out string? problem);
                OnnxTensor? w = Constant(node.Input(1));
                if (x == null || w?.Floats == null) return problem ?? "";
                int spatialRank = w.Dims.Count - 2;
                if (spatialRank < 1 || spatialRank > 2 || x.Shape.Length != spatialRank + 1 || !x.IsChannelsFirst)
                {
                    return "reads " + ShapeText(x.OnnxShape) + "; GenNet's Conv2D reads an image [batch, channels, height, width] and Conv1D a sequence [batch, channels, steps]" +
                        (x.Source.IsInput && x.IsSame && x.Shape.Length >= 2 ? " — this input is read channels-first with several channels, and GenNet reads images channels-last: permute it in the model (x.permute(0, 3, 1, 2) on an NHWC input)" : "");
                }

                int channels = x.Shape[spatialRank], filters = (int)w.Dims[0];
                long group = node.Int("group", 1);
                bool depthwise = group == channels && channels > 1 && spatialRank == 2;
                if (group != 1 && !depthwise) return "group = " + group + "; GenNet imports ungrouped convolutions (group = 1) and depthwise ones (group = channels)";
                if (w.Dims[1] != (depthwise ? 1 : channels)) return "its weight has " + w.Dims[1] + " input channels for an input of " + channels;
                if (depthwise && filters % channels != 0) return "its " + filters + " filters are not a multiple of its " + channels + " channels";
                int[] kernel = w.Dims.Skip(2).Select(d => (int)d).ToArray();
                string? stridesProblem = Strides(node, spatialRank, out int stride);
                if (stridesProblem != null) return stridesProblem;
                int[] spatial = x.Shape.Take(spatialRank).ToArray();
                string paddingProblem = Padding(node, spatial, kernel, stride, out string padding);
                if (paddingProblem.Length > 0) return paddingProblem;
                if (spatial.Where((s, i) => padding == "Valid" && s < kernel[i]).Any()) return "its kernel is larger than its input";
                int[] output = spatial.Select((s, i) => padding == "Same" ? (s + stride - 1) / stride : (s - kernel[i]) / stride + 1).ToArray();
                float[] bias = node.Input(2).Length > 0 ? Constant(node.Input(2))?.Floats ?? new float[0] : new float[filters];
                if (bias.Length != filters) return "";
                if (!depthwise && spatialRank == 2 && kernel.All(k => k == 1) && stride == 1 && Separable(node, x, w, bias)) return null;

                string kind = depthwise ? "DepthwiseConv2D" : spatialRank == 2 ? "Conv2D" : "Conv1D";
                Declared conv = Layer(node, kind, x, output.Concat(new[] { filters }).ToArray(), named: true);
                conv.TakesActivation = true;
                conv.Arg(depthwise ? "multiplier" : "filters", (depthwise ? filters / channels : filters).ToString(CultureInfo.InvariantCulture));
                conv.Arg("kernel", string.Join(",", kernel));
                conv.Arg("stride", stride.ToString(CultureInfo.InvariantCulture));
                conv.Arg("padding", padding);
                conv.Tensors.Add(new ImportedTensor(conv.Name + ".weight", w.Dims.Select(d => (int)d).ToArray(), w.Floats));
                conv.Tensors.Add(new ImportedTensor(conv.Name + ".bias", new[] { filters }, bias));
                conv.WithoutBias = spatialRank == 2 && group == channels && node.Input(2).Length == 0; // depthwise, or from one channel
                Set(node, OutChannelsFirst(conv));
                return null;
            }

            /// <summary>
            /// A 1×1 Conv that is the only reader of a depthwise Conv without bias (SeparableConv2D's export, or PyTorch's
            /// Conv2d(groups = channels, bias = False) then a 1×1 Conv2d): the two become one SeparableConv2D. On one channel the
            /// depthwise Conv was taken as a Conv2D, whose filters are the depth multiplier.
            /// </summary>
            private bool Separable(OnnxNode node, View x, OnnxTensor w, float[] bias)
            {
                Declared depthwise = x.Source;
                if ((depthwise.Kind != "DepthwiseConv2D" && depthwise.Kind != "Conv2D") || !depthwise.WithoutBias || depthwise.Activation != "Linear" || depthwise.Consumers != 0 ||
                    !ReferenceEquals(depthwise, _previous) || !x.IsChannelsFirst || node.Input(0) != depthwise.Node!.Outputs[0] || Uses(node.Input(0)) != 1)
                {
                    return false;
                }

                int filters = (int)w.Dims[0];
                string Arg(string key) => depthwise.Args.First(a => a.Key == key).Value;
                string kernel = Arg("kernel"), multiplier = Arg(depthwise.Kind == "Conv2D" ? "filters" : "multiplier"), stride = Arg("stride"), padding = Arg("padding");
                float[] depthwiseWeight = depthwise.Tensors[0].Values;
                int[] depthwiseShape = depthwise.Tensors[0].Shape;

                // GenNet's export names the depthwise weight NAME.depthwise.weight: the layer is NAME.
                string old = depthwise.Name!;
                _names.Remove(old);
                Name(depthwise, old.EndsWith(".depthwise", StringComparison.Ordinal) ? old.Substring(0, old.Length - ".depthwise".Length) : old);
                string name = depthwise.Name!;
                depthwise.Kind = "SeparableConv2D";
                depthwise.Node = node; // its output is the 1×1 Conv's, which an activation reads
                depthwise.WithoutBias = false;
                depthwise.Shape = depthwise.Shape.Take(2).Concat(new[] { filters }).ToArray();
                depthwise.Args.Clear();
                depthwise.Arg("filters", filters.ToString(CultureInfo.InvariantCulture));
                depthwise.Arg("kernel", kernel);
                depthwise.Arg("multiplier", multiplier);
                depthwise.Arg("stride", stride);
                depthwise.Arg("padding", padding);
                depthwise.Tensors.Clear();
                depthwise.Tensors.Add(new ImportedTensor(name + ".depthwise.weight", depthwiseShape, depthwiseWeight));
                depthwise.Tensors.Add(new ImportedTensor(name + ".pointwise.weight", w.Dims.Select(d => (int)d).ToArray(), w.Floats!));
                depthwise.Tensors.Add(new ImportedTensor(name + ".pointwise.bias", new[] { filters }, bias));
                Set(node, OutChannelsFirst(depthwise));
                return true;
            }

            private string? Pool(OnnxNode node)
            {
                View? x = Read(node.Input(0), out string? problem);
                if (x == null) return problem ?? "";
                long[]? kernelShape = node.Ints("kernel_shape");
                int spatialRank = x.Shape.Length - 1;
                if (kernelShape == null || kernelShape.Length != spatialRank || spatialRank < 1 || spatialRank > 2 || !x.IsChannelsFirst) return "";
                if (kernelShape.Any(k => k != kernelShape[0])) return "kernel_shape [" + string.Join(", ", kernelShape) + "] is not square; GenNet's pools take one size";
                if (node.Int("ceil_mode", 0) != 0) return "ceil_mode = 1; GenNet's pools round the output size down";
                string? stridesProblem = Strides(node, spatialRank, out int stride);
                if (stridesProblem != null) return stridesProblem;
                int size = (int)kernelShape[0];
                int[] spatial = x.Shape.Take(spatialRank).ToArray();
                string paddingProblem = Padding(node, spatial, kernelShape.Select(k => (int)k).ToArray(), stride, out string padding);
                if (paddingProblem.Length > 0) return paddingProblem;
                bool max = node.Op == "MaxPool";
                if (!max && padding == "Same" && node.Int("count_include_pad", 0) != 0) return "count_include_pad = 1; GenNet's average leaves padding out";
                if (node.Outputs.Count > 1 && node.Outputs[1].Length > 0 && Uses(node.Outputs[1]) > 0) return "its Indices output is read";
                int[] output = spatial.Select(s => padding == "Same" ? (s + stride - 1) / stride : (s - size) / stride + 1).ToArray();
                if (output.Any(o => o < 1)) return "its window is larger than its input";
                string kind = (max ? "MaxPool" : "AveragePool") + (spatialRank == 2 ? "2D" : "1D");
                Declared pool = Layer(node, kind, x, output.Concat(new[] { x.Shape[spatialRank] }).ToArray());
                pool.Arg("pool", size.ToString(CultureInfo.InvariantCulture));
                pool.Arg("stride", stride.ToString(CultureInfo.InvariantCulture));
                pool.Arg("padding", padding);
                if (max && x.Source.TakesActivation && !x.Source.IsInput) pool.MaxPoolSource = x.Source;
                Set(node, OutChannelsFirst(pool));
                return null;
            }

            private string? GlobalPool(OnnxNode node)
            {
                View? x = Read(node.Input(0), out string? problem);
                if (x == null) return problem ?? "";
                int spatialRank = x.Shape.Length - 1;
                if (spatialRank < 1 || spatialRank > 2 || !x.IsChannelsFirst) return "";
                string kind = "Global" + (node.Op == "GlobalMaxPool" ? "Max" : "Average") + "Pooling" + (spatialRank == 2 ? "2D" : "1D");
                Declared pool = Layer(node, kind, x, new[] { x.Shape[spatialRank] });
                Set(node, new View { Source = pool, Axes = new[] { 0, 1 }.Concat(Enumerable.Repeat(-1, spatialRank)).ToArray() });
                return null;
            }

            private string? BatchNorm(OnnxNode node)
            {
                View? x = Read(node.Input(0), out string? problem);
                OnnxTensor?[] p = Enumerable.Range(1, 4).Select(i => Constant(node.Input(i))).ToArray();
                if (x == null || p.Any(t => t?.Floats == null)) return problem ?? "";
                if (node.Int("training_mode", 0) != 0 || node.Outputs.Skip(1).Any(o => o.Length > 0 && Uses(o) > 0)) return "training_mode = 1; GenNet imports BatchNormalization's inference form";
                bool fits = x.Shape.Length == 1 ? x.Is(0, 1) : x.IsChannelsFirst;
                if (!fits) return "normalises axis 1 of " + ShapeText(x.OnnxShape) + ", which is not the channels of GenNet's layout";
                int channels = x.Shape[x.Shape.Length - 1];
                if (p.Any(t => t!.Floats!.Length != channels)) return "its statistics do not have " + channels + " channels";
                Declared bn = Layer(node, "BatchNormalization", x, x.Shape.ToArray(), named: true);
                bn.TakesActivation = true;
                bn.Arg("epsilon", node.Float("epsilon", 1e-5f).ToString("R", CultureInfo.InvariantCulture));
                bn.Arg("momentum", (1f - node.Float("momentum", 0.9f)).ToString("R", CultureInfo.InvariantCulture));
                bn.Tensors.Add(new ImportedTensor(bn.Name + ".weight", new[] { channels }, p[0]!.Floats!));
                bn.Tensors.Add(new ImportedTensor(bn.Name + ".bias", new[] { channels }, p[1]!.Floats!));
                bn.Tensors.Add(new ImportedTensor(bn.Name + ".running_mean", new[] { channels }, p[2]!.Floats!));
                bn.Tensors.Add(new ImportedTensor(bn.Name + ".running_var", new[] { channels }, p[3]!.Floats!));
                bn.Tensors.Add(new ImportedTensor(bn.Name + ".num_batches_tracked", new int[0], new[] { 0f }, int64: true));
                Set(node, x.Shape.Length == 1 ? Out(bn) : OutChannelsFirst(bn));
                return null;
            }

            private string? LayerNorm(OnnxNode node)
            {
                View? x = Read(node.Input(0), out string? problem);
                OnnxTensor? scale = Constant(node.Input(1)), bias = node.Input(2).Length > 0 ? Constant(node.Input(2)) : null;
                if (x == null || scale?.Floats == null || (node.Input(2).Length > 0 && bias?.Floats == null)) return problem ?? "";
                long axis = node.Int("axis", -1);
                if (axis != -1 && axis != x.Axes.Length - 1) return "axis = " + axis + "; GenNet's LayerNormalization normalises the last axis";
                if (!x.IsSame) return "normalises the last axis of " + ShapeText(x.OnnxShape) + ", which is not the channels of GenNet's layout";
                if (node.Outputs.Skip(1).Any(o => o.Length > 0 && Uses(o) > 0)) return "its Mean or InvStdDev output is read";
                int channels = x.Shape[x.Shape.Length - 1];
                if (scale.Floats.Length != channels || (bias != null && bias.Floats!.Length != channels)) return "its scale or bias does not have " + channels + " values";
                Declared ln = Layer(node, "LayerNormalization", x, x.Shape.ToArray(), named: true);
                ln.TakesActivation = true;
                ln.Arg("epsilon", node.Float("epsilon", 1e-5f).ToString("R", CultureInfo.InvariantCulture));
                ln.Tensors.Add(new ImportedTensor(ln.Name + ".weight", new[] { channels }, scale.Floats));
                ln.Tensors.Add(new ImportedTensor(ln.Name + ".bias", new[] { channels }, bias?.Floats ?? new float[channels]));
                Set(node, Out(ln));
                return null;
            }

            private string? Recurrent(OnnxNode node)
            {
                View? x = Read(node.Input(0), out string? problem);
                OnnxTensor? w = Constant(node.Input(1)), r = Constant(node.Input(2));
                if (x == null || w?.Floats == null || r?.Floats == null) return problem ?? "";
                if (x.Shape.Length != 2 || !x.Is(1, 0, 2)) return "reads " + ShapeText(x.OnnxShape) + "; GenNet's recurrent layers read a sequence [batch, steps, features] transposed to steps first";
                if (node.Text("direction", "forward") != "forward") return "direction = " + node.Text("direction", "forward") + "; GenNet's recurrent layers run forward";
                if (node.Int("layout", 0) != 0 || node.Attributes.ContainsKey("clip") || node.Attributes.ContainsKey("activations")) return "layout, clip or activations other than ONNX's defaults";
                if (node.Op == "GRU" && node.Int("linear_before_reset", 0) != 1) return "linear_before_reset = 0; GenNet's GRU is PyTorch's (linear_before_reset = 1)";
                if (node.Input(4).Length > 0) return "sequence_lens is given; GenNet runs every step";
                for (int i = 5; i < node.Inputs.Count; i++)
                {
                    if (node.Input(i).Length == 0) continue;
                    OnnxTensor? initial = Constant(node.Input(i));
                    if (initial?.Floats == null || initial.Floats.Any(v => v != 0)) return "its initial state is not zero; GenNet starts from zeros";
                }

                int gates = node.Op == "LSTM" ? 4 : node.Op == "GRU" ? 3 : 1;
                int units = (int)node.Int("hidden_size", w.Dims[1] / gates), features = x.Shape[1], steps = x.Shape[0];
                if (w.Count != gates * units * features || r.Count != gates * units * units) return "its weights do not have the shapes hidden_size = " + units + " implies";
                // ONNX's gate blocks (LSTM i, o, f, c; GRU z, r, h) back into PyTorch's (i, f, g, o; r, z, n): block k of PyTorch's is ONNX's order[k].
                int[] order = node.Op == "LSTM" ? new[] { 0, 2, 3, 1 } : node.Op == "GRU" ? new[] { 1, 0, 2 } : new[] { 0 };
                OnnxTensor? b = node.Input(3).Length > 0 ? Constant(node.Input(3)) : null;
                if (node.Input(3).Length > 0 && (b?.Floats == null || b.Count != 2 * gates * units)) return "";
                float[] biases = b?.Floats ?? new float[2 * gates * units];

                string kind = node.Op == "RNN" ? "SimpleRNN" : node.Op;
                Declared layer = Layer(node, kind, x.With(new[] { 0, 1, 2 }), new[] { steps, units }, named: true);
                layer.LastShape = new[] { units };
                layer.Arg("units", units.ToString(CultureInfo.InvariantCulture));
                int width = gates * units;
                layer.Tensors.Add(new ImportedTensor(layer.Name + ".weight_ih_l0", new[] { width, features }, Blocks(w.Floats, 0, order, units * features)));
                layer.Tensors.Add(new ImportedTensor(layer.Name + ".weight_hh_l0", new[] { width, units }, Blocks(r.Floats, 0, order, units * units)));
                layer.Tensors.Add(new ImportedTensor(layer.Name + ".bias_ih_l0", new[] { width }, Blocks(biases, 0, order, units)));
                layer.Tensors.Add(new ImportedTensor(layer.Name + ".bias_hh_l0", new[] { width }, Blocks(biases, width, order, units)));
                Set(node, new View { Source = layer, Axes = new[] { 1, -1, 0, 2 } }, 0);              // Y [steps, 1, batch, units]
                Set(node, new View { Source = layer, Last = true, Axes = new[] { -1, 0, 1 } }, 1);   // Y_h [1, batch, units]
                if (node.Outputs.Count > 2 && node.Outputs[2].Length > 0 && Uses(node.Outputs[2]) > 0) return "its cell state Y_c is read";
                return null;
            }

            private static float[] Blocks(float[] source, int start, int[] order, int block)
            {
                var result = new float[order.Length * block];
                for (int k = 0; k < order.Length; k++) Array.Copy(source, start + order[k] * block, result, k * block, block);
                return result;
            }

            private string? Gather(OnnxNode node)
            {
                OnnxTensor? table = Constant(node.Input(0));
                if (table != null)
                {
                    // An embedding: the table's rows picked by token ids that come straight from an input.
                    View? ids = Read(node.Input(1), out string? problem);
                    if (ids == null || table.Floats == null || table.Dims.Count != 2 || node.Int("axis", 0) != 0) return problem ?? "";
                    if (!ids.Source.IsInput || !ids.IsSame || ids.Shape.Length != 1) return "its token ids are not a network input of shape [batch, steps]";
                    int vocabulary = (int)table.Dims[0], dimensions = (int)table.Dims[1];
                    Declared embedding = Layer(node, "Embedding", ids, new[] { ids.Shape[0], dimensions }, named: true);
                    embedding.Arg("vocabulary", vocabulary.ToString(CultureInfo.InvariantCulture));
                    embedding.Arg("dimensions", dimensions.ToString(CultureInfo.InvariantCulture));
                    embedding.Tensors.Add(new ImportedTensor(embedding.Name + ".weight", new[] { vocabulary, dimensions }, table.Floats));
                    Set(node, Out(embedding));
                    return null;
                }

                // The last step of a recurrent layer's sequence: that layer's last state.
                View? x = Read(node.Input(0), out string? readProblem);
                long[]? index = Constant(node.Input(1))?.Longs;
                if (x == null || index == null || index.Length != 1) return readProblem ?? "";
                long axis = node.Int("axis", 0);
                if (axis < 0) axis += x.Axes.Length;
                bool recurrent = x.Source.LastShape != null && !x.Last;
                int steps = x.Source.Shape[0];
                long step = index[0] < 0 ? index[0] + steps : index[0];
                if (!recurrent || axis < 0 || axis >= x.Axes.Length || x.Axes[(int)axis] != 1 || step != steps - 1) return "";
                int[] axes = x.Axes.Where((a, i) => i != axis).Select(a => a == 2 ? 1 : a).ToArray();
                if (index.Length == 1 && Constant(node.Input(1))!.Dims.Count == 1) axes = x.Axes.Select(a => a == 1 ? -1 : a == 2 ? 1 : a).ToArray();
                Set(node, new View { Source = x.Source, Last = true, Axes = axes });
                return null;
            }

            private void CheckOutput(OnnxValueInfo output)
            {
                View? x = Read(output.Name, out string? problem);
                if (x == null)
                {
                    if (problem != null) _problems.Add("attribute\t" + problem);
                    else if (_unsupported.Count == 0) _problems.Add("attribute\tthe graph's output '" + output.Name + "' is not computed by a layer GenNet has");
                    return;
                }

                if (x.Source.IsInput || _layers.Count == 0)
                {
                    _problems.Add("attribute\tthe graph's output is its input; there is no layer to generate");
                    return;
                }

                Declared last = _layers[_layers.Count - 1];
                if (!ReferenceEquals(x.Source, last))
                {
                    _problems.Add("attribute\tthe graph's output '" + output.Name + "' is not the last layer's; GenNet's output is its last layer's");
                    return;
                }

                View plain = x.With(x.Essential);
                bool channelsOne = x.Shape.Length >= 2 && x.Shape[x.Shape.Length - 1] == 1;
                if (!plain.IsSame && !(channelsOne && plain.IsChannelsFirst))
                {
                    _problems.Add("attribute\tthe graph's output " + ShapeText(x.OnnxShape) + " is channels-first; GenNet's output is channels-last (add a Flatten, or a Transpose to [batch, …, channels], at the end)");
                    return;
                }

                if (x.Last) x.Source.LastRead = true;
                else x.Source.SequenceRead = true;
            }

            private OnnxImport Finish()
            {
                var import = new OnnxImport();
                if (_unsupported.Count > 0)
                {
                    foreach (string u in _unsupported) import.Lines.Add("unsupported\t" + u);
                    foreach (string p in _problems) import.Lines.Add(p);
                    return import;
                }

                foreach (Declared layer in _layers.Where(l => l.LastShape != null))
                {
                    if (layer.LastRead && layer.SequenceRead)
                    {
                        _problems.Add("attribute\t" + layer.Kind + " '" + layer.Node!.Display + "' is read both as a sequence and as its last state; GenNet's recurrent layers give one of the two");
                    }
                }

                if (_problems.Count > 0)
                {
                    import.Lines.AddRange(_problems);
                    return import;
                }

                var joins = _layers.ToDictionary(l => l, l => l.Joins.Select(NameOf).ToList()); // names first: a join may name an earlier layer
                import.Lines.Add("producer\t" + _model.Producer + "\topset " + _model.Opset.ToString(CultureInfo.InvariantCulture));
                foreach (Declared input in _inputs)
                {
                    import.Lines.Add("input" + (input.Name != null ? "\tname=" + input.Name : "") + "\tshape=" + string.Join(",", input.Shape));
                }

                foreach (Declared layer in _layers)
                {
                    var line = new StringBuilder("layer\t").Append(layer.Kind);
                    if (layer.Name != null) line.Append("\tname=").Append(layer.Name);
                    if (layer.From != null && layer.Joins.Count == 0) line.Append("\tfrom=").Append(layer.From);
                    if (layer.Joins.Count > 0) line.Append("\tjoins=").Append(string.Join(",", joins[layer]));
                    foreach (KeyValuePair<string, string> arg in layer.Args) line.Append('\t').Append(arg.Key).Append('=').Append(arg.Value);
                    if (layer.LastShape != null) line.Append("\tsequences=").Append(layer.SequenceRead ? "true" : "false");
                    if (layer.Activation != "Linear") line.Append("\tactivation=").Append(layer.Activation);
                    if (layer.Activation == "LeakyReLU") line.Append("\tslope=").Append(layer.Slope.ToString("R", CultureInfo.InvariantCulture));
                    import.Lines.Add(line.ToString());
                    import.Tensors.AddRange(layer.Tensors);
                }

                return import;
            }

            private static string ShapeText(long[] shape) => "[" + string.Join(", ", shape.Select(d => d == Batch ? "batch" : d.ToString(CultureInfo.InvariantCulture))) + "]";
        }
    }
}
