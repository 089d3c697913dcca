namespace Edge.Streaming;

/// <summary>
/// One frame cut into RTP payloads: the payload headers a payloader wrote and, per packet, which of
/// those header bytes and which slice of the frame it carries, so the frame is never copied per
/// session. A stream reuses one for frame after frame; once its buffers have grown it allocates nothing.
/// </summary>
public sealed class RtpFrame
{
    private byte[] _headers = new byte[1024];

    public List<RtpFragment> Fragments { get; } = [];

    /// <summary>
    /// The fragments' payload headers: the first <see cref="HeaderLength"/> bytes (a larger array replaces
    /// it when it fills).
    /// </summary>
    public byte[] Headers => _headers;

    public int HeaderLength { get; private set; }

    public void Clear()
    {
        Fragments.Clear();
        HeaderLength = 0;
    }

    /// <summary>Appends a fragment (marker unset); returns its payload header for the payloader to fill.</summary>
    internal Span<byte> Add(int headerLength, int dataOffset, int dataLength)
    {
        if (HeaderLength + headerLength > _headers.Length)
            Array.Resize(ref _headers, Math.Max(_headers.Length * 2, HeaderLength + headerLength));
        Fragments.Add(new RtpFragment(HeaderLength, headerLength, dataOffset, dataLength, Marker: false));
        var header = _headers.AsSpan(HeaderLength, headerLength);
        HeaderLength += headerLength;
        return header;
    }

    /// <summary>Sets the marker bit on the last fragment: the frame ends with it.</summary>
    internal void MarkLast() => Fragments[^1] = Fragments[^1] with { Marker = true };
}
