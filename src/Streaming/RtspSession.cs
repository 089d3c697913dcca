using System.Net;
using System.Runtime.InteropServices;
using Edge.Camera;
using Microsoft.Extensions.Logging;

namespace Edge.Streaming;

/// <summary>Which stream a session plays.</summary>
public enum RtspTrack { Jpeg, H264 }

/// <summary>
/// One client's stream (after SETUP): a viewer of the camera's hub that sends each frame as RTP
/// packets, interleaved on the RTSP connection or over UDP, plus RTCP sender reports. A frame is
/// sent whole or not at all: while one is being written the viewer keeps only the newest, so a slow
/// client skips frames (for H.264, until the next key frame) and never delays anyone else. Loop only.
/// </summary>
public sealed partial class RtspSession : IDisposable
{
    private readonly RtspServer _server;
    private readonly RtspConnection _connection;
    private readonly FrameHub _hub;
    private readonly uint _timestampBase = (uint)Random.Shared.Next();
    private readonly byte[] _scratch;
    private readonly List<ArraySegment<byte>> _segments = [];
    private byte[] _headers = new byte[4096];
    private CancellationTokenSource? _playing;
    private long _epoch;
    private ushort _sequence = (ushort)Random.Shared.Next();
    private uint _packets, _octets;

    internal RtspSession(RtspServer server, RtspConnection connection, string id, RtspTrack track, RtspTransport transport, FrameHub hub)
    {
        _server = server;
        _connection = connection;
        _hub = hub;
        Id = id;
        Track = track;
        Transport = transport;
        Ssrc = (uint)Random.Shared.Next();
        _scratch = new byte[server.Settings.MaxPacketBytes];
        LastActivity = server.Time.GetTimestamp();
        if (!transport.Tcp && connection.RemoteAddress is { } address)
        {
            RtpTarget = new IPEndPoint(address, transport.ClientRtpPort);
            RtcpTarget = new IPEndPoint(address, transport.ClientRtcpPort);
        }
    }

    public string Id { get; }

    internal RtspConnection Connection => _connection;

    public RtspTrack Track { get; }

    public RtspTransport Transport { get; }

    public uint Ssrc { get; }

    public IPEndPoint? RtpTarget { get; }

    public IPEndPoint? RtcpTarget { get; }

    /// <summary>Last sign of life (a request, or RTCP from a UDP client), for the session timeout.</summary>
    public long LastActivity { get; set; }

    /// <summary>The sequence number and RTP time the next packet will carry (for RTP-Info).</summary>
    public (ushort Sequence, uint Timestamp) Next => (_sequence, _playing == null ? _timestampBase : RtpTime(_server.Time.GetTimestamp()));

    public void Play()
    {
        if (_playing != null) return;
        if (_epoch == 0) _epoch = _server.Time.GetTimestamp();
        _playing = new CancellationTokenSource();
        _ = Stream(_playing.Token);
    }

    public void Pause()
    {
        _playing?.Cancel();
        _playing?.Dispose();
        _playing = null;
    }

    public void Dispose() => Pause();

    private uint RtpTime(long timestamp)
        => _timestampBase + (uint)(long)(_server.Time.GetElapsedTime(_epoch, timestamp).TotalSeconds * 90000);

    private async Task Stream(CancellationToken cancellationToken)
    {
        using var viewer = _hub.AddViewer(TimeSpan.Zero);
        try
        {
            while (true)
            {
                // A new H.264 viewer starts on a key frame the encoder makes at once, and so does one that skipped a frame.
                var frame = Track == RtspTrack.H264 ? await viewer.NextDecodable(cancellationToken) : await viewer.Next(cancellationToken);
                if (frame == null) return;
                try
                {
                    var fragments = _server.Fragment(frame, Track);
                    if (fragments == null) continue;
                    if (Transport.Tcp) await SendInterleaved(frame, fragments, RtpTime(frame.Timestamp));
                    else SendUdp(frame, fragments, RtpTime(frame.Timestamp));
                    _server.FrameSent(frame.Timestamp);
                }
                finally
                {
                    frame.Release();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException or IOException)
        {
            _connection.Close($"sending failed: {e.Message}");
        }
    }

    // One gathered write per frame: for each packet its 4-byte interleave header, RTP header and
    // payload header from this session's buffer, then the frame's own bytes.
    private async Task SendInterleaved(Frame frame, RtpFrame fragments, uint timestamp)
    {
        int perPacket = 4 + RtpHeader.Size;
        int needed = fragments.Fragments.Count * perPacket + fragments.HeaderLength;
        if (_headers.Length < needed) _headers = new byte[Math.Max(needed, _headers.Length * 2)];
        if (!MemoryMarshal.TryGetArray<byte>(frame.Memory, out var data))
            throw new InvalidOperationException("frame memory is not an array");
        _segments.Clear();
        int at = 0;
        byte payloadType = Track == RtspTrack.Jpeg ? (byte)Sdp.JpegPayloadType : (byte)Sdp.H264PayloadType;
        foreach (var fragment in fragments.Fragments)
        {
            int length = RtpHeader.Size + fragment.HeaderLength + fragment.DataLength;
            var head = _headers.AsSpan(at);
            head[0] = (byte)'$';
            head[1] = (byte)Transport.RtpChannel;
            head[2] = (byte)(length >> 8);
            head[3] = (byte)length;
            RtpHeader.Write(head[4..], fragment.Marker, payloadType, _sequence++, timestamp, Ssrc);
            fragments.Headers.AsSpan(fragment.HeaderOffset, fragment.HeaderLength).CopyTo(head[perPacket..]);
            int headLength = perPacket + fragment.HeaderLength;
            _segments.Add(new ArraySegment<byte>(_headers, at, headLength));
            if (fragment.DataLength > 0)
                _segments.Add(new ArraySegment<byte>(data.Array!, data.Offset + fragment.DataOffset, fragment.DataLength));
            at += headLength;
            _packets++;
            _octets += (uint)(length - RtpHeader.Size);
        }
        await _connection.Send(_segments);
    }

    private void SendUdp(Frame frame, RtpFrame fragments, uint timestamp)
    {
        if (RtpTarget == null) return;
        byte payloadType = Track == RtspTrack.Jpeg ? (byte)Sdp.JpegPayloadType : (byte)Sdp.H264PayloadType;
        var data = frame.Data;
        foreach (var fragment in fragments.Fragments)
        {
            int length = RtpHeader.Size + fragment.HeaderLength + fragment.DataLength;
            var packet = _scratch.AsSpan(0, length);
            RtpHeader.Write(packet, fragment.Marker, payloadType, _sequence++, timestamp, Ssrc);
            fragments.Headers.AsSpan(fragment.HeaderOffset, fragment.HeaderLength).CopyTo(packet[RtpHeader.Size..]);
            data.Slice(fragment.DataOffset, fragment.DataLength).CopyTo(packet[(RtpHeader.Size + fragment.HeaderLength)..]);
            _server.SendRtp(packet, RtpTarget);
            _connection.Entry.AddDatagramBytes(length);
            _packets++;
            _octets += (uint)(length - RtpHeader.Size);
        }
    }

    /// <summary>Sends an RTCP sender report (every few seconds while playing).</summary>
    public void SendReport()
    {
        if (_playing == null || _packets == 0) return;
        Span<byte> report = stackalloc byte[128];
        int length = RtcpSenderReport.Write(report, Ssrc, _server.Time.GetUtcNow(), RtpTime(_server.Time.GetTimestamp()), _packets, _octets,
            "edge");
        if (Transport.Tcp) _connection.SendControl(Transport.RtcpChannel, report[..length]);
        else if (RtcpTarget != null) _server.SendRtcp(report[..length], RtcpTarget);
    }

    internal void Report(ILogger logger, string what) => Log.Session(logger, Id, Track, Transport.Tcp ? "TCP" : "UDP", what);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "RTSP session {Session} ({Track}, {Transport}) {What}")]
        public static partial void Session(ILogger logger, string session, RtspTrack track, string transport, string what);
    }
}
