using System.Buffers;
using System.Buffers.Binary;

namespace Edge.Web.WebSockets;

public enum WebSocketMessageKind { Text, Binary, TooBig, Ping, Pong, Close, ProtocolError, EndOfStream }

/// <summary>
/// One thing read from a client: a whole (reassembled) message or a control frame. The payload is
/// valid until the next <see cref="WebSocketReader.Read"/>.
/// </summary>
public readonly record struct WebSocketMessage(WebSocketMessageKind Kind, ReadOnlyMemory<byte> Payload = default, ushort CloseCode = 0,
    string? Error = null);

/// <summary>
/// Reads RFC 6455 client frames from a stream: checks masking, reserved bits, opcodes and control-frame
/// rules, unmasks, reassembles fragmented messages, and skips (rather than buffers) messages larger than
/// the limit. Owned by one session; not thread-safe.
/// </summary>
public sealed class WebSocketReader(Stream stream, int maxMessageBytes) : IDisposable
{
    private const int InitialBuffer = 4096;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
    private int _start, _end;
    // A fragmented message being reassembled.
    private byte[]? _fragments;
    private int _fragmentLength;
    private byte _messageOpcode;
    private bool _messageTooBig;

    public async ValueTask<WebSocketMessage> Read(CancellationToken cancellationToken)
    {
        ShrinkIfIdle();
        while (true)
        {
            if (!await Ensure(2, cancellationToken)) return End();
            byte b0 = _buffer[_start], b1 = _buffer[_start + 1];
            bool fin = (b0 & 0x80) != 0;
            byte opcode = (byte)(b0 & 0x0F);
            if ((b0 & 0x70) != 0) return Fail("reserved bits set without an extension");
            if ((b1 & 0x80) == 0) return Fail("client frames must be masked");
            int len7 = b1 & 0x7F;
            int header = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
            if (!await Ensure(header, cancellationToken)) return End();
            var head = _buffer.AsSpan(_start, header);
            long length = len7 < 126 ? len7 : len7 == 126
                ? BinaryPrimitives.ReadUInt16BigEndian(head[2..])
                : (long)BinaryPrimitives.ReadUInt64BigEndian(head[2..]);
            if (length < 0) return Fail("frame length out of range");

            bool control = opcode >= 0x8;
            if (control)
            {
                if (opcode is not (WebSocketFrames.Close or WebSocketFrames.Ping or WebSocketFrames.Pong))
                    return Fail($"unknown opcode {opcode}");
                if (!fin || length > 125) return Fail("control frames must be whole and at most 125 bytes");
            }
            else if (opcode is not (WebSocketFrames.Continuation or WebSocketFrames.Text or WebSocketFrames.Binary))
                return Fail($"unknown opcode {opcode}");
            else if (opcode == WebSocketFrames.Continuation && _messageOpcode == 0) return Fail("continuation frame without a message");
            else if (opcode != WebSocketFrames.Continuation && _messageOpcode != 0) return Fail("new message inside a fragmented one");

            if (!control && (_messageTooBig || _fragmentLength + length > maxMessageBytes))
            {
                // Too big to keep: read past it and report it once the message ends.
                _start += header;
                if (!await Skip(length, cancellationToken)) return End();
                _messageTooBig = true;
                if (opcode != WebSocketFrames.Continuation) _messageOpcode = opcode;
                if (!fin) continue;
                ResetMessage();
                return new WebSocketMessage(WebSocketMessageKind.TooBig);
            }

            int total = header + (int)length;
            if (!await Ensure(total, cancellationToken)) return End();
            var payload = _buffer.AsMemory(_start + header, (int)length);
            WebSocketFrames.Unmask(payload.Span, _buffer.AsSpan(_start + header - 4, 4));
            _start += total;

            if (control) return Control(opcode, payload);
            if (fin && opcode != WebSocketFrames.Continuation)
                return new WebSocketMessage(opcode == WebSocketFrames.Text ? WebSocketMessageKind.Text : WebSocketMessageKind.Binary,
                    payload);

            if (opcode != WebSocketFrames.Continuation) _messageOpcode = opcode;
            AppendFragment(payload.Span);
            if (!fin) continue;
            var kind = _messageOpcode == WebSocketFrames.Text ? WebSocketMessageKind.Text : WebSocketMessageKind.Binary;
            var message = new WebSocketMessage(kind, _fragments.AsMemory(0, _fragmentLength));
            _messageOpcode = 0;
            _fragmentLength = 0;
            return message;
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        if (_fragments != null) ArrayPool<byte>.Shared.Return(_fragments);
        _buffer = _fragments = null!;
    }

    private static WebSocketMessage Control(byte opcode, ReadOnlyMemory<byte> payload)
    {
        if (opcode == WebSocketFrames.Ping) return new WebSocketMessage(WebSocketMessageKind.Ping, payload);
        if (opcode == WebSocketFrames.Pong) return new WebSocketMessage(WebSocketMessageKind.Pong, payload);
        if (payload.Length == 1) return Fail("a close frame's payload is empty or starts with a 2-byte code");
        if (payload.Length == 0) return new WebSocketMessage(WebSocketMessageKind.Close, payload, WebSocketFrames.NormalClosure);
        ushort code = BinaryPrimitives.ReadUInt16BigEndian(payload.Span);
        if (!WebSocketFrames.IsValidCloseCode(code)) return Fail($"close code {code} may not be sent");
        if (!System.Text.Unicode.Utf8.IsValid(payload.Span[2..]))
            return new WebSocketMessage(WebSocketMessageKind.ProtocolError, CloseCode: WebSocketFrames.InvalidPayload,
                Error: "close reason is not valid UTF-8");
        return new WebSocketMessage(WebSocketMessageKind.Close, payload, code);
    }

    private static WebSocketMessage Fail(string error)
        => new(WebSocketMessageKind.ProtocolError, CloseCode: WebSocketFrames.ProtocolError, Error: error);

    private static WebSocketMessage End() => new(WebSocketMessageKind.EndOfStream);

    private void ResetMessage()
    {
        _messageOpcode = 0;
        _messageTooBig = false;
        _fragmentLength = 0;
    }

    private void AppendFragment(ReadOnlySpan<byte> data)
    {
        if (_fragments == null || _fragmentLength + data.Length > _fragments.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_fragmentLength + data.Length, InitialBuffer));
            if (_fragments != null)
            {
                _fragments.AsSpan(0, _fragmentLength).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_fragments);
            }
            _fragments = bigger;
        }
        data.CopyTo(_fragments.AsSpan(_fragmentLength));
        _fragmentLength += data.Length;
    }

    // Makes at least `count` bytes available from _start; false when the stream ended first.
    private async ValueTask<bool> Ensure(int count, CancellationToken cancellationToken)
    {
        if (_end - _start >= count) return true;
        if (count > _buffer.Length || _start + count > _buffer.Length)
        {
            var target = count > _buffer.Length ? ArrayPool<byte>.Shared.Rent(count) : _buffer;
            _buffer.AsSpan(_start, _end - _start).CopyTo(target);
            if (target != _buffer) ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = target;
            _end -= _start;
            _start = 0;
        }
        while (_end - _start < count)
        {
            int read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0) return false;
            _end += read;
        }
        return true;
    }

    private async ValueTask<bool> Skip(long count, CancellationToken cancellationToken)
    {
        while (true)
        {
            int buffered = (int)Math.Min(count, _end - _start);
            _start += buffered;
            count -= buffered;
            if (count == 0) return true;
            _start = _end = 0;
            int read = await stream.ReadAsync(_buffer, cancellationToken);
            if (read == 0) return false;
            _end = read;
        }
    }

    // A large message made the buffers grow; give the memory back once nothing is pending.
    private void ShrinkIfIdle()
    {
        if (_start == _end && _buffer.Length > 4 * InitialBuffer)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
            _start = _end = 0;
        }
        if (_fragmentLength == 0 && _fragments is { Length: > 4 * InitialBuffer })
        {
            ArrayPool<byte>.Shared.Return(_fragments);
            _fragments = null;
        }
    }
}
