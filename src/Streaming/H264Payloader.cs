using Edge.Camera;

namespace Edge.Streaming;

/// <summary>
/// Cuts an H.264 access unit (Annex B) into RTP payloads (RFC 6184, packetization-mode 1): a NAL unit
/// that fits goes whole (single NAL unit packet), a larger one as FU-A fragments. Access unit
/// delimiters are dropped: the marker bit and the timestamp delimit units in RTP.
/// </summary>
public sealed class H264Payloader
{
    private const int FuA = 28;
    private const int FuHeaderSize = 2; // FU indicator and FU header

    private static ReadOnlySpan<byte> StartCode => [0, 0, 1];

    /// <summary>
    /// Replaces <paramref name="output"/>'s fragments with <paramref name="accessUnit"/>'s, each payload at
    /// most <paramref name="maxPayload"/> bytes (the room after the RTP header); false, with why, when the
    /// bytes are not an Annex B access unit.
    /// </summary>
    public bool TryFragment(ReadOnlySpan<byte> accessUnit, int maxPayload, RtpFrame output, out string? problem)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayload, FuHeaderSize + 1);
        output.Clear();
        int first = accessUnit.IndexOf(StartCode);
        if (first < 0 || accessUnit[..first].ContainsAnyExcept((byte)0))
        {
            problem = "not an Annex B access unit: it does not begin with a start code";
            return false;
        }
        int position = first;
        while (H264Nal.Next(accessUnit, ref position, out int start, out int length))
        {
            byte header = accessUnit[start];
            int type = header & 0x1F;
            if (type == 9) continue; // access unit delimiter
            if (length <= maxPayload)
            {
                output.Add(0, start, length);
                continue;
            }
            // FU-A: the NAL header's F and NRI go in the FU indicator, its type in the FU header; the header byte itself is not sent.
            int chunk = maxPayload - FuHeaderSize, end = start + length;
            for (int at = start + 1; at < end; at += chunk)
            {
                int size = Math.Min(chunk, end - at);
                var fu = output.Add(FuHeaderSize, at, size);
                fu[0] = (byte)((header & 0xE0) | FuA);
                fu[1] = (byte)((at == start + 1 ? 0x80 : 0) | (at + size == end ? 0x40 : 0) | type);
            }
        }
        if (output.Fragments.Count == 0)
        {
            problem = "the access unit holds no NAL unit to send";
            return false;
        }
        output.MarkLast();
        problem = null;
        return true;
    }

    /// <summary>
    /// The first SPS (NAL type 7) and PPS (type 8) of <paramref name="accessUnit"/>, without start codes;
    /// false unless both are there.
    /// </summary>
    public static bool TryGetParameterSets(ReadOnlySpan<byte> accessUnit, out byte[] sps, out byte[] pps)
    {
        sps = pps = [];
        int position = 0;
        while (H264Nal.Next(accessUnit, ref position, out int start, out int length))
        {
            var nal = accessUnit.Slice(start, length);
            int type = nal[0] & 0x1F;
            if (type == 7 && sps.Length == 0) sps = nal.ToArray();
            else if (type == 8 && pps.Length == 0) pps = nal.ToArray();
        }
        return sps.Length > 0 && pps.Length > 0;
    }

    /// <summary>The SDP <c>a=fmtp</c> parameters of the stream (RFC 6184 8.1), from its SPS and PPS.</summary>
    public static string SdpFormatParameters(byte[] sps, byte[] pps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sps.Length, 4);
        ArgumentOutOfRangeException.ThrowIfZero(pps.Length);
        // profile-level-id: profile_idc, the constraint flags and level_idc, the SPS bytes after its NAL header.
        return $"packetization-mode=1;profile-level-id={Convert.ToHexString(sps, 1, 3)};" +
            $"sprop-parameter-sets={Convert.ToBase64String(sps)},{Convert.ToBase64String(pps)}";
    }
}
