using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Edge.Camera;

/// <summary>
/// Turns what cameras deliver (packed YUYV, NV12) into the planar YUV TurboJPEG encodes from, on the
/// capture thread while copying out of the device's buffer (a copy that is needed anyway), so no RGB
/// pass and no second copy. Vectorized with 128-bit shuffles (SSSE3 / NEON).
/// </summary>
public static class YuvConvert
{
    // One 16-byte YUYV block (8 pixels) → 8 Y, 4 U, 4 V.
    private static readonly Vector128<byte> YuyvSplit = Vector128.Create((byte)0, 2, 4, 6, 8, 10, 12, 14, 1, 5, 9, 13, 3, 7, 11, 15);
    // One 16-byte NV12 chroma block → 8 U, 8 V.
    private static readonly Vector128<byte> UvSplit = Vector128.Create((byte)0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);

    /// <summary>
    /// Packed YUYV (rows of <paramref name="stride"/> bytes) to planar <paramref name="target"/>
    /// (<see cref="PixelFormat.I422"/> keeps every chroma row, <see cref="PixelFormat.I420"/> every other one).
    /// </summary>
    public static void YuyvToPlanar(ReadOnlySpan<byte> source, int width, int height, int stride, PixelFormat target,
        Span<byte> destination)
    {
        CheckSize(width, height);
        if (stride < width * 2 || source.Length < stride * (height - 1) + width * 2)
            throw new ArgumentException("the YUYV frame is shorter than its size says", nameof(source));
        bool halfHeight = target == PixelFormat.I420;
        int chromaWidth = width / 2, chromaHeight = halfHeight ? height / 2 : height;
        if (destination.Length < width * height + 2 * chromaWidth * chromaHeight)
            throw new ArgumentException("destination too small", nameof(destination));
        var y = destination[..(width * height)];
        var u = destination.Slice(width * height, chromaWidth * chromaHeight);
        var v = destination.Slice(width * height + chromaWidth * chromaHeight, chromaWidth * chromaHeight);
        for (int row = 0; row < height; row++)
        {
            var line = source.Slice(row * stride, width * 2);
            var yRow = y.Slice(row * width, width);
            if (halfHeight && (row & 1) == 1)
            {
                LumaOnly(line, yRow);
                continue;
            }
            int chromaRow = halfHeight ? row / 2 : row;
            SplitYuyvRow(line, yRow, u.Slice(chromaRow * chromaWidth, chromaWidth), v.Slice(chromaRow * chromaWidth, chromaWidth));
        }
    }

    /// <summary>NV12 (Y rows, then interleaved UV rows, both of <paramref name="stride"/> bytes) to planar I420.</summary>
    public static void Nv12ToI420(ReadOnlySpan<byte> source, int width, int height, int stride, Span<byte> destination)
    {
        CheckSize(width, height);
        int chromaWidth = width / 2, chromaHeight = height / 2;
        if (stride < width || source.Length < stride * height + stride * (chromaHeight - 1) + width)
            throw new ArgumentException("the NV12 frame is shorter than its size says", nameof(source));
        if (destination.Length < width * height * 3 / 2) throw new ArgumentException("destination too small", nameof(destination));
        for (int row = 0; row < height; row++) source.Slice(row * stride, width).CopyTo(destination.Slice(row * width, width));
        var u = destination.Slice(width * height, chromaWidth * chromaHeight);
        var v = destination.Slice(width * height + chromaWidth * chromaHeight, chromaWidth * chromaHeight);
        var uv = source[(stride * height)..];
        for (int row = 0; row < chromaHeight; row++)
            SplitUvRow(uv.Slice(row * stride, width), u.Slice(row * chromaWidth, chromaWidth), v.Slice(row * chromaWidth, chromaWidth));
    }

    /// <summary>Planar I420 with padded rows (<paramref name="stride"/> for Y, half of it for U and V) to tight planes.</summary>
    public static void CopyI420(ReadOnlySpan<byte> source, int width, int height, int stride, Span<byte> destination)
    {
        CheckSize(width, height);
        int chromaWidth = width / 2, chromaHeight = height / 2, chromaStride = stride / 2;
        if (stride < width || source.Length < stride * height + 2 * chromaStride * chromaHeight)
            throw new ArgumentException("the I420 frame is shorter than its size says", nameof(source));
        if (destination.Length < width * height * 3 / 2) throw new ArgumentException("destination too small", nameof(destination));
        if (stride == width)
        {
            source[..(width * height * 3 / 2)].CopyTo(destination);
            return;
        }
        for (int row = 0; row < height; row++) source.Slice(row * stride, width).CopyTo(destination.Slice(row * width, width));
        int sourceOffset = stride * height, destinationOffset = width * height;
        for (int plane = 0; plane < 2; plane++)
            for (int row = 0; row < chromaHeight; row++)
                source.Slice(sourceOffset + (plane * chromaHeight + row) * chromaStride, chromaWidth)
                    .CopyTo(destination.Slice(destinationOffset + (plane * chromaHeight + row) * chromaWidth, chromaWidth));
    }

    private static bool CanShuffle => Ssse3.IsSupported || AdvSimd.Arm64.IsSupported;

    // The explicit instructions: Vector128.Shuffle is only fast with constant indices.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Shuffle(Vector128<byte> value, Vector128<byte> indices)
        => Ssse3.IsSupported ? Ssse3.Shuffle(value, indices) : AdvSimd.Arm64.VectorTableLookup(value, indices);

    private static void CheckSize(int width, int height)
    {
        if (width < 2 || height < 2 || (width & 1) != 0 || (height & 1) != 0)
            throw new ArgumentException($"YUV frames need an even size of at least 2×2 (got {width}×{height})");
    }

    private static void SplitYuyvRow(ReadOnlySpan<byte> line, Span<byte> y, Span<byte> u, Span<byte> v)
    {
        int pixel = 0;
        ref byte src = ref MemoryMarshal.GetReference(line);
        if (CanShuffle)
        {
            for (; pixel + 8 <= y.Length; pixel += 8)
            {
                var split = Shuffle(Vector128.LoadUnsafe(ref src, (nuint)(pixel * 2)), YuyvSplit).AsUInt32();
                BinaryPrimitives.WriteUInt64LittleEndian(y[pixel..], split.AsUInt64().GetElement(0));
                Unsafe.WriteUnaligned(ref u[pixel / 2], split.GetElement(2));
                Unsafe.WriteUnaligned(ref v[pixel / 2], split.GetElement(3));
            }
        }
        for (; pixel < y.Length; pixel += 2)
        {
            y[pixel] = line[pixel * 2];
            u[pixel / 2] = line[pixel * 2 + 1];
            y[pixel + 1] = line[pixel * 2 + 2];
            v[pixel / 2] = line[pixel * 2 + 3];
        }
    }

    private static void LumaOnly(ReadOnlySpan<byte> line, Span<byte> y)
    {
        int pixel = 0;
        ref byte src = ref MemoryMarshal.GetReference(line);
        if (CanShuffle)
        {
            for (; pixel + 8 <= y.Length; pixel += 8)
                BinaryPrimitives.WriteUInt64LittleEndian(y[pixel..],
                    Shuffle(Vector128.LoadUnsafe(ref src, (nuint)(pixel * 2)), YuyvSplit).AsUInt64().GetElement(0));
        }
        for (; pixel < y.Length; pixel++) y[pixel] = line[pixel * 2];
    }

    private static void SplitUvRow(ReadOnlySpan<byte> line, Span<byte> u, Span<byte> v)
    {
        int sample = 0;
        ref byte src = ref MemoryMarshal.GetReference(line);
        if (CanShuffle)
        {
            for (; sample + 8 <= u.Length; sample += 8)
            {
                var split = Shuffle(Vector128.LoadUnsafe(ref src, (nuint)(sample * 2)), UvSplit).AsUInt64();
                BinaryPrimitives.WriteUInt64LittleEndian(u[sample..], split.GetElement(0));
                BinaryPrimitives.WriteUInt64LittleEndian(v[sample..], split.GetElement(1));
            }
        }
        for (; sample < u.Length; sample++)
        {
            u[sample] = line[sample * 2];
            v[sample] = line[sample * 2 + 1];
        }
    }
}
