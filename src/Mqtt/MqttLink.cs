namespace Edge.Mqtt;

/// <summary>The broker's packets from its stream, read through a small buffer: one connection's reading side.</summary>
internal sealed class MqttLink
{
    private readonly byte[] _buffer = new byte[4096];
    private readonly MqttFrameReader _reader = new(MqttClient.MaxIncomingBytes);
    private int _start, _end;

    public async Task<MqttFrame> Next(Stream stream, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_start < _end)
            {
                _start += _reader.Read(_buffer.AsSpan(_start, _end - _start), out var frame);
                if (frame != null) return frame;
            }
            int read = await stream.ReadAsync(_buffer, cancellationToken);
            if (read == 0) throw new IOException("the broker closed the connection");
            (_start, _end) = (0, read);
        }
    }
}
