using System.Reflection;
using System.Runtime.InteropServices;

namespace Edge.Camera;

/// <summary>
/// The TurboJPEG 2 API of libjpeg-turbo. The published binary links <c>libturbojpeg.a</c> statically
/// (DirectPInvoke in Edge.csproj); under the JIT (tests) the board's <c>libturbojpeg.so.0</c> is loaded.
/// </summary>
internal static partial class TurboJpeg
{
    private const string Library = "turbojpeg";

    public const int Samp444 = 0;
    public const int Samp422 = 1;
    public const int Samp420 = 2;
    public const int FlagNoRealloc = 1024;
    public const int FlagFastDct = 2048;
    public const int PixelGray = 6;

    static TurboJpeg()
    {
        // Only the runtime package (libturbojpeg.so.0) is on a board; the unversioned name needs the -dev one.
        NativeLibrary.SetDllImportResolver(typeof(TurboJpeg).Assembly, static (name, assembly, path) =>
            name == Library && NativeLibrary.TryLoad("libturbojpeg.so.0", assembly, path, out var handle) ? handle : IntPtr.Zero);
    }

    [LibraryImport(Library, EntryPoint = "tjInitCompress")]
    public static partial IntPtr InitCompress();

    [LibraryImport(Library, EntryPoint = "tjDestroy")]
    public static partial int Destroy(IntPtr handle);

    [LibraryImport(Library, EntryPoint = "tjBufSize")]
    public static partial nuint BufSize(int width, int height, int subsamp);

    [LibraryImport(Library, EntryPoint = "tjAlloc")]
    public static partial IntPtr Alloc(int bytes);

    [LibraryImport(Library, EntryPoint = "tjFree")]
    public static partial void Free(IntPtr buffer);

    [LibraryImport(Library, EntryPoint = "tjCompressFromYUVPlanes")]
    public static unsafe partial int CompressFromYuvPlanes(IntPtr handle, byte** planes, int width, int* strides, int height, int subsamp,
        byte** jpegBuffer, nuint* jpegSize, int quality, int flags);

    [LibraryImport(Library, EntryPoint = "tjInitDecompress")]
    public static partial IntPtr InitDecompress();

    [LibraryImport(Library, EntryPoint = "tjDecompressHeader3")]
    public static unsafe partial int DecompressHeader3(IntPtr handle, byte* jpeg, nuint size, int* width, int* height, int* subsamp,
        int* colorspace);

    [LibraryImport(Library, EntryPoint = "tjDecompressToYUV2")]
    public static unsafe partial int DecompressToYuv2(IntPtr handle, byte* jpeg, nuint size, byte* output, int width, int pad, int height,
        int flags);

    [LibraryImport(Library, EntryPoint = "tjDecompress2")]
    public static unsafe partial int Decompress2(IntPtr handle, byte* jpeg, nuint size, byte* output, int width, int pitch, int height,
        int pixelFormat, int flags);

    [LibraryImport(Library, EntryPoint = "tjGetErrorStr2")]
    public static partial IntPtr GetErrorStr2(IntPtr handle);

    public static string LastError(IntPtr handle) => Marshal.PtrToStringUTF8(GetErrorStr2(handle)) ?? "unknown TurboJPEG error";
}
