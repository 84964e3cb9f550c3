using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Linq;

namespace GenNet;

/// <summary>The dimensions and bytes of an unsigned-byte IDX file.</summary>
public sealed record IdxData(int[] Dimensions, byte[] Data);

/// <summary>
/// Reads IDX files, the format of MNIST and Fashion-MNIST: a magic number (two zero bytes, an element-type byte,
/// a dimension count), big-endian 32-bit dimensions, then the data. Gzip-compressed files are recognised by their
/// magic bytes, not their name. Every problem is an <see cref="InvalidDataException"/> that names the file;
/// a header that promises more data than the file can hold is rejected before anything large is allocated, and a
/// compressed file can make GenNet allocate no more than about four times the bytes it really decompresses to.
/// </summary>
public static class Idx
{
    private const byte UnsignedByte = 0x08;

    /// <summary>Reads an unsigned-byte IDX file, raw or gzip-compressed.</summary>
    public static IdxData Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using FileStream file = File.OpenRead(path);
        try
        {
            return Read(file, path);
        }
        catch (InvalidDataException exception) when (!exception.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: {exception.Message}", exception);
        }
        catch (EndOfStreamException exception)
        {
            throw new InvalidDataException($"{path}: the file ends early ({exception.Message}).", exception);
        }
    }

    private static IdxData Read(FileStream file, string path)
    {
        Span<byte> start = stackalloc byte[2];
        int got = file.ReadAtLeast(start, 2, throwOnEndOfStream: false);
        file.Position = 0;
        bool gzip = got == 2 && start[0] == 0x1F && start[1] == 0x8B;

        long dataLimit; // gzip: what the trailer records (mod 2^32); raw: the file's length
        Stream stream;
        if (gzip)
        {
            // The gzip trailer's ISIZE is the uncompressed length mod 2^32: what the header promises must match it.
            if (file.Length < 18)
            {
                throw new InvalidDataException($"{path}: too short to be a gzip file ({file.Length} bytes).");
            }

            Span<byte> trailer = stackalloc byte[4];
            file.Position = file.Length - 4;
            file.ReadExactly(trailer);
            file.Position = 0;
            dataLimit = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
            stream = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
        }
        else
        {
            dataLimit = file.Length;
            stream = file;
        }

        using (gzip ? stream : null)
        {
            Span<byte> magic = stackalloc byte[4];
            if (stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4)
            {
                throw new InvalidDataException($"{path}: too short to be an IDX file.");
            }

            if (magic[0] != 0 || magic[1] != 0)
            {
                throw new InvalidDataException($"{path}: not an IDX file (magic bytes 0x{magic[0]:X2} 0x{magic[1]:X2}, expected 0x00 0x00).");
            }

            if (magic[2] != UnsignedByte)
            {
                throw new InvalidDataException($"{path}: element type 0x{magic[2]:X2} ({TypeName(magic[2])}) is not supported; GenNet reads unsigned-byte IDX files (0x08), as MNIST's are.");
            }

            int rank = magic[3];
            if (rank == 0)
            {
                throw new InvalidDataException($"{path}: the header declares no dimensions.");
            }

            byte[] header = new byte[4 * rank];
            if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
            {
                throw new InvalidDataException($"{path}: the file ends inside its header of {rank} dimensions.");
            }

            int[] dimensions = new int[rank];
            long length = 1;
            for (int i = 0; i < rank; i++)
            {
                dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 * i));
                if (dimensions[i] <= 0)
                {
                    throw new InvalidDataException($"{path}: dimension {i + 1} of the header is {dimensions[i]}.");
                }

                const long Saturated = 1L << 53; // far past any file; keeps the product from overflowing
                length = length > Saturated / dimensions[i] ? Saturated : checked(length * dimensions[i]);
            }

            string shape = string.Join(" × ", dimensions);
            long headerLength = 4 + header.Length;
            bool fits = gzip
                ? (checked(headerLength + length) & 0xFFFF_FFFFL) == dataLimit
                : checked(headerLength + length) == dataLimit;
            if (!fits)
            {
                throw new InvalidDataException(gzip
                    ? $"{path}: the header promises {shape} = {length:N0} bytes of data, but the gzip trailer records {dataLimit:N0} bytes in all: the file is truncated or corrupt."
                    : $"{path}: the header promises {shape} = {length:N0} bytes of data, but the file holds {dataLimit - headerLength:N0} after the header.");
            }

            if (length > Array.MaxLength)
            {
                throw new InvalidDataException($"{path}: {shape} = {length:N0} bytes of data is more than GenNet loads into one array.");
            }

            // A raw file's length is real, and was just checked to hold the data. A gzip file's trailer is only what its author
            // wrote (and a gzip bomb's is honest), so its data is read into a buffer that grows only as bytes actually arrive.
            byte[] data;
            int read;
            if (gzip)
            {
                read = UntrustedLength.Read(stream, (int)length, out data);
            }
            else
            {
                data = new byte[length];
                read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
            }

            if (read < length)
            {
                throw new InvalidDataException($"{path}: truncated: {read:N0} of the {length:N0} data bytes ({shape}) are there.");
            }

            if (gzip && stream.ReadByte() != -1)
            {
                throw new InvalidDataException($"{path}: more data follows the {shape} bytes the header declares.");
            }

            return new IdxData(dimensions, data);
        }
    }

    private static string TypeName(byte code) => code switch
    {
        0x09 => "signed byte",
        0x0B => "16-bit integer",
        0x0C => "32-bit integer",
        0x0D => "32-bit float",
        0x0E => "64-bit float",
        _ => "unknown",
    };
}

/// <summary>Loads MNIST-format data sets (MNIST, Fashion-MNIST, KMNIST …) from a directory of IDX files.</summary>
public static class Mnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs Fashion-MNIST.</summary>
    public const string DebianFashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>
    /// Reads <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c> and
    /// <c>t10k-labels-idx1-ubyte</c> (each raw or <c>.gz</c>) from <paramref name="directory"/>. Pixels are kept as bytes
    /// and read as <c>byte / 255</c>, in [0, 1]; the sample shape is [rows, columns].
    /// </summary>
    /// <exception cref="FileNotFoundException">A file is missing; the message says how to get the data.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt, or images and labels disagree.</exception>
    public static (Dataset Train, Dataset Test) Load(string directory) => (LoadTrain(directory), LoadTest(directory));

    /// <summary>Reads only the training set (<c>train-*</c>); see <see cref="Load"/>.</summary>
    public static Dataset LoadTrain(string directory) => LoadPart(directory, "train");

    /// <summary>Reads only the test set (<c>t10k-*</c>); see <see cref="Load"/>.</summary>
    public static Dataset LoadTest(string directory) => LoadPart(directory, "t10k");

    private static Dataset LoadPart(string directory, string prefix)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string imagesPath = Find(directory, $"{prefix}-images-idx3-ubyte");
        string labelsPath = Find(directory, $"{prefix}-labels-idx1-ubyte");
        IdxData images = Idx.Read(imagesPath);
        IdxData labels = Idx.Read(labelsPath);
        if (images.Dimensions.Length != 3)
        {
            throw new InvalidDataException($"{imagesPath}: images need 3 dimensions (count × rows × columns), the file has [{string.Join(", ", images.Dimensions)}].");
        }

        if (labels.Dimensions.Length != 1)
        {
            throw new InvalidDataException($"{labelsPath}: labels need 1 dimension, the file has [{string.Join(", ", labels.Dimensions)}].");
        }

        if (images.Dimensions[0] != labels.Dimensions[0])
        {
            throw new InvalidDataException($"{imagesPath} holds {images.Dimensions[0]:N0} images but {labelsPath} holds {labels.Dimensions[0]:N0} labels.");
        }

        int[] labelValues = labels.Data.Select(b => (int)b).ToArray();
        return Dataset.Create(images.Data, 1f / 255f, labelValues, images.Dimensions[1], images.Dimensions[2]);
    }

    private static string Find(string directory, string name)
    {
        string raw = Path.Combine(directory, name);
        if (File.Exists(raw))
        {
            return raw;
        }

        if (File.Exists(raw + ".gz"))
        {
            return raw + ".gz";
        }

        throw new FileNotFoundException(
            $"No {name} or {name}.gz in {directory}. Install Fashion-MNIST with `sudo apt-get install dataset-fashion-mnist` " +
            $"(it goes to {DebianFashionMnistDirectory}), or point at any directory of MNIST-format IDX files.", raw);
    }
}
