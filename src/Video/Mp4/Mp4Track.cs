using Edge.Camera;

namespace Edge.Video.Mp4;

/// <summary>
/// The one video track of Edge's MP4 streams and files: the H.264 parameter sets of a key frame, the
/// picture size they give, the RFC 6381 codec string (<c>avc1.PPCCLL</c>) and the init segment
/// (<c>ftyp</c> + <c>moov</c>) that announces them. Immutable; a new one is made only when a key
/// frame brings other parameter sets (<see cref="Matches"/> checks without allocating).
/// </summary>
public sealed class Mp4Track
{
    /// <summary>Media time units per second (RTP's 90 kHz: frame times stay whole numbers).</summary>
    public const uint Timescale = 90000;

    private readonly byte[] _sps, _pps;

    private Mp4Track(byte[] sps, byte[] pps, int width, int height)
    {
        _sps = sps;
        _pps = pps;
        Width = width;
        Height = height;
        Codec = $"avc1.{sps[1]:X2}{sps[2]:X2}{sps[3]:X2}";
        InitSegment = Mp4InitSegment.Build(sps, pps, width, height);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>For MediaSource and HLS <c>CODECS</c>, e.g. <c>avc1.42C01F</c>.</summary>
    public string Codec { get; }

    /// <summary><c>ftyp</c> and <c>moov</c>: what a player reads before any fragment.</summary>
    public byte[] InitSegment { get; }

    /// <summary>
    /// The track an access unit's first SPS and PPS describe; null when it lacks either or its SPS gives
    /// no picture size.
    /// </summary>
    public static Mp4Track? From(ReadOnlySpan<byte> accessUnit)
    {
        if (!FindParameterSets(accessUnit, out var sps, out var pps)) return null;
        if (!H264Sps.TryParse(accessUnit.Slice(sps.Start, sps.Length), out int width, out int height)) return null;
        return new Mp4Track(accessUnit.Slice(sps.Start, sps.Length).ToArray(), accessUnit.Slice(pps.Start, pps.Length).ToArray(),
            width, height);
    }

    /// <summary>The access unit carries no parameter sets, or the same ones as this track.</summary>
    public bool Matches(ReadOnlySpan<byte> accessUnit)
    {
        if (!FindParameterSets(accessUnit, out var sps, out var pps)) return true;
        return accessUnit.Slice(sps.Start, sps.Length).SequenceEqual(_sps) && accessUnit.Slice(pps.Start, pps.Length).SequenceEqual(_pps);
    }

    private static bool FindParameterSets(ReadOnlySpan<byte> accessUnit, out (int Start, int Length) sps, out (int Start, int Length) pps)
    {
        sps = pps = default;
        int position = 0;
        while (H264Nal.Next(accessUnit, ref position, out int start, out int length))
        {
            int type = accessUnit[start] & 0x1F;
            if (type == 7 && sps.Length == 0 && length >= 4) sps = (start, length);
            else if (type == 8 && pps.Length == 0) pps = (start, length);
            else if (type is >= 1 and <= 5) break; // parameter sets come before the picture
        }
        return sps.Length > 0 && pps.Length > 0 && sps.Length <= H264Sps.MaxBytes && pps.Length <= H264Sps.MaxBytes;
    }
}
