using System.Runtime.InteropServices;

namespace Edge.Native;

/// <summary>
/// Cisco's OpenH264 (BSD licence), loaded when first asked for, never linked: the binary runs without
/// it and says what is missing. Debian's <c>libopenh264-7</c> is OpenH264 2.3; any 2.x of that soname
/// has these structs (<see cref="OpenH264EncParamExt"/>). The encoder and decoder are C++ objects whose
/// first word points at their vtable; the C API calls its slots with the object as first argument.
/// Calls on one object must not overlap; different objects may be used on different threads.
/// </summary>
internal static unsafe class OpenH264
{
    public const string Library = "libopenh264.so.7";

    // Enumerations and constants of wels/codec_app_def.h and codec_def.h.
    public const int CameraVideoRealTime = 0;
    public const int RcBitrateMode = 1;
    public const int ProfileBaseline = 66, ProfileMain = 77, ProfileHigh = 100;
    public const int VideoFormatI420 = 23;
    public const int FrameTypeInvalid = 0, FrameTypeIdr = 1, FrameTypeSkip = 4;
    public const int ConstantId = 0;
    public const int EncoderOptionTraceLevel = 25, DecoderOptionTraceLevel = 9;
    public const int LogQuiet = 0;
    public const int ErrorConcealmentDisable = 0;
    public const int CmResultSuccess = 0;

    private static readonly Lazy<Functions?> Loaded = new(Load);
    private static string? s_problem;

    private sealed class Functions(IntPtr createEncoder, IntPtr destroyEncoder, IntPtr createDecoder, IntPtr destroyDecoder, string version)
    {
        public readonly delegate* unmanaged<IntPtr*, int> CreateEncoder = (delegate* unmanaged<IntPtr*, int>)createEncoder;
        public readonly delegate* unmanaged<IntPtr, void> DestroyEncoder = (delegate* unmanaged<IntPtr, void>)destroyEncoder;
        public readonly delegate* unmanaged<IntPtr*, int> CreateDecoder = (delegate* unmanaged<IntPtr*, int>)createDecoder;
        public readonly delegate* unmanaged<IntPtr, void> DestroyDecoder = (delegate* unmanaged<IntPtr, void>)destroyDecoder;
        public readonly string Version = version;
    }

    /// <summary>"OpenH264 2.3.1"; null when the library is missing or unusable (see <see cref="Problem"/>). Loads it.</summary>
    public static string? Version => Loaded.Value?.Version;

    /// <summary>Why OpenH264 cannot be used, or null. Loads it.</summary>
    public static string? Problem => Loaded.Value == null ? s_problem : null;

    /// <summary>The version once the library was loaded, else null (does not load it).</summary>
    public static string? LoadedVersion => Loaded.IsValueCreated ? Loaded.Value?.Version : null;

    private static string NotInstalled => $"OpenH264 ({Library}) is not installed (Debian: apt install libopenh264-7)";

    /// <summary>
    /// Why OpenH264 cannot be used, as far as can be told without loading it: loading maps libstdc++
    /// too, 1.4 MB of RSS an idle Edge does without. Until then the library only has to be findable
    /// (<see cref="SharedLibraries.Findable"/>). Null when it looks usable.
    /// </summary>
    public static string? ProblemWithoutLoading()
    {
        if (Loaded.IsValueCreated) return Problem;
        return SharedLibraries.Findable(Library) ? null : NotInstalled;
    }

    private static Functions? Load()
    {
        if (!NativeLibrary.TryLoad(Library, out var handle))
        {
            s_problem = NotInstalled;
            return null;
        }
        if (!NativeLibrary.TryGetExport(handle, "WelsCreateSVCEncoder", out var createEncoder)
            || !NativeLibrary.TryGetExport(handle, "WelsDestroySVCEncoder", out var destroyEncoder)
            || !NativeLibrary.TryGetExport(handle, "WelsCreateDecoder", out var createDecoder)
            || !NativeLibrary.TryGetExport(handle, "WelsDestroyDecoder", out var destroyDecoder)
            || !NativeLibrary.TryGetExport(handle, "WelsGetCodecVersionEx", out var getVersion))
        {
            s_problem = $"{Library} lacks the OpenH264 API";
            return null;
        }
        uint* version = stackalloc uint[4];
        ((delegate* unmanaged<uint*, void>)getVersion)(version);
        if (version[0] != 2)
        {
            s_problem = $"{Library} is OpenH264 {version[0]}.{version[1]}.{version[2]}; Edge knows the structs of 2.x";
            return null;
        }
        return new Functions(createEncoder, destroyEncoder, createDecoder, destroyDecoder,
            $"OpenH264 {version[0]}.{version[1]}.{version[2]}");
    }

    private static Functions Api => Loaded.Value ?? throw new DllNotFoundException(s_problem);

    private static IntPtr Slot(IntPtr instance, int index) => (*(IntPtr**)instance)[index];

    /// <summary>A new encoder (<c>WelsCreateSVCEncoder</c>); throws when the library is missing.</summary>
    public static IntPtr CreateEncoder()
    {
        IntPtr encoder;
        int result = Api.CreateEncoder(&encoder);
        if (result != 0 || encoder == IntPtr.Zero) throw new InvalidOperationException($"WelsCreateSVCEncoder failed ({result})");
        return encoder;
    }

    public static void DestroyEncoder(IntPtr encoder) => Api.DestroyEncoder(encoder);

    // ISVCEncoderVtbl: Initialize, InitializeExt, GetDefaultParams, Uninitialize, EncodeFrame,
    // EncodeParameterSets, ForceIntraFrame, SetOption, GetOption.
    public static int InitializeExt(IntPtr encoder, OpenH264EncParamExt* parameters)
        => ((delegate* unmanaged<IntPtr, OpenH264EncParamExt*, int>)Slot(encoder, 1))(encoder, parameters);

    public static int GetDefaultParams(IntPtr encoder, OpenH264EncParamExt* parameters)
        => ((delegate* unmanaged<IntPtr, OpenH264EncParamExt*, int>)Slot(encoder, 2))(encoder, parameters);

    public static int Uninitialize(IntPtr encoder) => ((delegate* unmanaged<IntPtr, int>)Slot(encoder, 3))(encoder);

    public static int EncodeFrame(IntPtr encoder, OpenH264SourcePicture* picture, OpenH264FrameInfo* info)
        => ((delegate* unmanaged<IntPtr, OpenH264SourcePicture*, OpenH264FrameInfo*, int>)Slot(encoder, 4))(encoder, picture, info);

    // The C header leaves out the C++ method's second parameter, the layer (-1: every layer).
    public static int ForceIntraFrame(IntPtr encoder) => ((delegate* unmanaged<IntPtr, byte, int, int>)Slot(encoder, 6))(encoder, 1, -1);

    public static int SetEncoderOption(IntPtr encoder, int option, void* value)
        => ((delegate* unmanaged<IntPtr, int, void*, int>)Slot(encoder, 7))(encoder, option, value);

    /// <summary>A new decoder (<c>WelsCreateDecoder</c>); throws when the library is missing.</summary>
    public static IntPtr CreateDecoder()
    {
        IntPtr decoder;
        int result = Api.CreateDecoder(&decoder);
        if (result != 0 || decoder == IntPtr.Zero) throw new InvalidOperationException($"WelsCreateDecoder failed ({result})");
        return decoder;
    }

    public static void DestroyDecoder(IntPtr decoder) => Api.DestroyDecoder(decoder);

    // ISVCDecoderVtbl: Initialize, Uninitialize, DecodeFrame, DecodeFrameNoDelay, DecodeFrame2,
    // FlushFrame, DecodeParser, DecodeFrameEx, SetOption, GetOption.
    public static long InitializeDecoder(IntPtr decoder, OpenH264DecodingParam* parameters)
        => ((delegate* unmanaged<IntPtr, OpenH264DecodingParam*, nint>)Slot(decoder, 0))(decoder, parameters);

    public static long UninitializeDecoder(IntPtr decoder) => ((delegate* unmanaged<IntPtr, nint>)Slot(decoder, 1))(decoder);

    /// <summary>Decodes one access unit; a picture, when one is ready, is in <paramref name="info"/>. 0 is success.</summary>
    public static int DecodeFrameNoDelay(IntPtr decoder, byte* data, int length, byte** planes, OpenH264BufferInfo* info)
        => ((delegate* unmanaged<IntPtr, byte*, int, byte**, OpenH264BufferInfo*, int>)Slot(decoder, 3))(decoder, data, length, planes,
            info);

    public static long SetDecoderOption(IntPtr decoder, int option, void* value)
        => ((delegate* unmanaged<IntPtr, int, void*, nint>)Slot(decoder, 8))(decoder, option, value);
}
