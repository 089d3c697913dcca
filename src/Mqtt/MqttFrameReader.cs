namespace Edge.Mqtt;

/// <summary>
/// Cuts the broker's byte stream into MQTT packets (fixed header, remaining length, body), one byte
/// looked at once: linear in its input. Of a body larger than the limit only the first <c>maxBodyBytes</c>
/// are kept (a PUBLISH's topic and packet id, to acknowledge it), the rest skipped as it streams in; it
/// is reported as <see cref="MqttFrame.Oversized"/>.
/// </summary>
internal sealed class MqttFrameReader(int maxBodyBytes)
{
    private byte _first;
    private int _length, _shift, _filled;
    private bool _haveFirst, _haveLength;
    private byte[] _body = new byte[256];

    /// <summary>
    /// Takes bytes from <paramref name="data"/> until a packet is whole (returns how many it took, and the
    /// packet in <paramref name="frame"/>, whose body is valid until the next call) or the data ends.
    /// </summary>
    /// <exception cref="MqttException">The remaining length takes more than 4 bytes.</exception>
    public int Read(ReadOnlySpan<byte> data, out MqttFrame? frame)
    {
        frame = null;
        int at = 0;
        while (at < data.Length)
        {
            if (!_haveFirst)
            {
                _first = data[at++];
                _haveFirst = true;
                (_length, _shift) = (0, 0);
                continue;
            }
            if (!_haveLength)
            {
                byte digit = data[at++];
                _length |= (digit & 0x7F) << _shift;
                _shift += 7;
                if ((digit & 0x80) != 0)
                {
                    if (_shift == 28) throw new MqttException("the broker sent a remaining length of more than 4 bytes");
                    continue;
                }
                _haveLength = true;
                _filled = 0;
                if (_body.Length < Kept) _body = new byte[Math.Max(Kept, Math.Min(maxBodyBytes, _body.Length * 2))];
            }
            int take = Math.Min(_length - _filled, data.Length - at);
            int keep = Math.Clamp(Kept - _filled, 0, take);
            if (keep > 0) data.Slice(at, keep).CopyTo(_body.AsSpan(_filled));
            at += take;
            _filled += take;
            if (_filled < _length) continue;
            frame = new MqttFrame(_first >> 4, _first & 0x0F, _body.AsMemory(0, Kept), _length > maxBodyBytes);
            _haveFirst = _haveLength = false;
            return at;
        }
        return at;
    }

    private int Kept => Math.Min(_length, maxBodyBytes);
}

/// <summary>One packet from the broker: its type, the flags of its first byte and its body (only its start when oversized).</summary>
internal sealed class MqttFrame(int type, int flags, ReadOnlyMemory<byte> body, bool oversized)
{
    public int Type { get; } = type;

    public int Flags { get; } = flags;

    public ReadOnlyMemory<byte> Body { get; } = body;

    public bool Oversized { get; } = oversized;
}
