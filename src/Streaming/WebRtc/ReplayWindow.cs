namespace Edge.Streaming.WebRtc;

/// <summary>The last 64 SRTCP indexes seen (RFC 3711 §3.3.2): older or repeated ones are replays.</summary>
internal sealed class ReplayWindow
{
    private const int Size = 64;
    private ulong _seen;
    private long _highest = -1;

    public bool Accept(uint index)
    {
        if (index > _highest)
        {
            long shift = index - _highest;
            _seen = shift >= Size ? 1UL : (_seen << (int)shift) | 1;
            _highest = index;
            return true;
        }
        long behind = _highest - index;
        if (behind >= Size || (_seen & (1UL << (int)behind)) != 0) return false;
        _seen |= 1UL << (int)behind;
        return true;
    }
}
