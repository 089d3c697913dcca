using System.Net;
using Edge.Camera;
using Edge.Runtime;

namespace Edge.Streaming.WebRtc;

/// <summary>
/// One WHEP viewer: its ICE credentials and the addresses its checks proved, its DTLS handshake, then
/// the camera's H.264 as SRTP to the nominated address (starting on a key frame, skipping to the next
/// one when it falls behind: the hub viewer is its bounded queue), packets kept for NACKs, key frames
/// on PLI or FIR, a sender report a second; stalled when the handshake or the receiver's reports stop
/// making progress. Loop only.
/// </summary>
internal sealed class WebRtcSession : IDisposable
{
    private static readonly TimeSpan KeyFrameSpacing = TimeSpan.FromSeconds(1);

    private readonly EventLoop _loop;
    private readonly FrameHub _hub;
    private readonly WebRtcServer _port;
    private readonly DtlsTransport _dtls;
    private readonly PacketHistory _history = new();
    private readonly RtcpFeedback _feedback = new();
    private readonly HashSet<IPEndPoint> _proven = [];
    private readonly byte[] _packet = new byte[DtlsTransport.Mtu];
    private readonly CancellationTokenSource _ending = new();
    private SrtpContext? _send, _receive;
    private ushort _sequence = (ushort)Random.Shared.Next();
    private uint _packets, _octets, _packetsAtProgress;
    private long _epoch, _epochUnixMs, _lastKeyFrameRequest, _lastProgress;
    private uint? _highestReported;

    public WebRtcSession(EventLoop loop, FrameHub hub, WebRtcServer port, DtlsContext dtls, string id, IceCredentials ice,
        string peerUfrag, string peerFingerprint, int payloadType)
    {
        (_loop, _hub, _port) = (loop, hub, port);
        (Id, Ice, PeerUfrag, PayloadType) = (id, ice, peerUfrag, payloadType);
        Ssrc = (uint)Random.Shared.Next(1, int.MaxValue);
        LastCheck = _lastProgress = loop.Time.GetTimestamp();
        _dtls = new DtlsTransport(dtls, peerFingerprint, datagram =>
        {
            if (Remote != null) _port.Send(datagram.Span, Remote);
        });
    }

    public string Id { get; }

    public IceCredentials Ice { get; }

    /// <summary>The browser's ice-ufrag: the second half of every STUN USERNAME for this session.</summary>
    public string PeerUfrag { get; }

    public int PayloadType { get; }

    public uint Ssrc { get; }

    /// <summary>Where media goes: the address the browser nominated (the latest, if it moved).</summary>
    public IPEndPoint? Remote { get; private set; }

    /// <summary>When the last valid ICE check came (consent, RFC 7675).</summary>
    public long LastCheck { get; private set; }

    /// <summary>Why the session ended, once it has.</summary>
    public string? Ended { get; private set; }

    public DtlsState DtlsState => _dtls.State;

    /// <summary>Addresses whose checks carried this session's credentials: only they may speak DTLS and SRTCP to it.</summary>
    public IReadOnlyCollection<IPEndPoint> Proven => _proven;

    /// <summary>A valid Binding request came from <paramref name="from"/> (the port answered it).</summary>
    public void Checked(IPEndPoint from, bool nominated)
    {
        LastCheck = _loop.Time.GetTimestamp();
        _proven.Add(from);
        if (nominated || Remote == null) Remote = from;
    }

    public void Dtls(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        Remote ??= from;
        if (!_dtls.Receive(datagram)) return;
        var keys = _dtls.Keys!;
        _send = new SrtpContext(keys.LocalKey, keys.LocalSalt);
        _receive = new SrtpContext(keys.RemoteKey, keys.RemoteSalt);
        _lastProgress = _loop.Time.GetTimestamp();
        _ = Stream(_ending.Token);
    }

    /// <summary>SRTCP from the browser: checked, then what it asks is done.</summary>
    public void Rtcp(Span<byte> datagram)
    {
        if (_receive == null) return;
        int length = _receive.UnprotectRtcp(datagram);
        if (length < 0 || !_feedback.Read(datagram[..length], Ssrc)) return;
        if (_feedback.Reception is { } reception && reception.Highest != _highestReported)
        {
            (_highestReported, _lastProgress, _packetsAtProgress) = (reception.Highest, _loop.Time.GetTimestamp(), _packets);
        }
        foreach (ushort lost in _feedback.Lost)
        {
            var again = _history.Find(lost);
            if (!again.IsEmpty && Remote != null) _port.Send(again, Remote);
        }
        if (_feedback.KeyFrame && _loop.Time.GetElapsedTime(_lastKeyFrameRequest) >= KeyFrameSpacing)
        {
            _lastKeyFrameRequest = _loop.Time.GetTimestamp();
            _hub.RequestKeyFrame();
        }
        if (_feedback.Bye) End("the browser said goodbye");
    }

    /// <summary>Once a second: the DTLS retransmission timer, and a sender report while streaming.</summary>
    public void Tick()
    {
        if (_dtls.RetransmitIn() is { } due && due <= TimeSpan.Zero) _dtls.Retransmit();
        if (_dtls.State == DtlsState.Failed) End(_dtls.Problem ?? "DTLS failed");
        if (_send == null || _packets == 0 || Remote == null) return;
        Span<byte> report = stackalloc byte[128];
        int length = RtcpSenderReport.Write(report, Ssrc, _loop.Time.GetUtcNow(), RtpTime(_loop.Time.GetTimestamp()), _packets, _octets,
            "edge");
        _port.Send(report[.._send.ProtectRtcp(report, length)], Remote);
    }

    /// <summary>
    /// No progress for <paramref name="limit"/>: the handshake has not ended, or packets went out and no
    /// receiver report has shown a new highest sequence number (a viewer gone quiet, or one whose path broke).
    /// </summary>
    public bool Stalled(TimeSpan limit)
        => _loop.Time.GetElapsedTime(_lastProgress) > limit && (_send == null || _packets != _packetsAtProgress);

    public void End(string why)
    {
        if (Ended != null) return;
        Ended = why;
        _ending.Cancel();
        _dtls.Close();
    }

    public void Dispose()
    {
        End("closed");
        _dtls.Dispose();
        _send?.Dispose();
        _receive?.Dispose();
        _ending.Dispose();
    }

    // The RTP clock is the wall clock's (Unix time at 90 kHz, modulo 2^32) rather than from a random start (RFC 3550's
    // SHOULD): a viewer, who learns the time from the sender reports anyway, can then tell each frame's capture time
    // from its timestamp alone, as the page does for its delay (browsers do not give a WebRTC frame's capture time).
    private uint RtpTime(long timestamp)
        => (uint)(_epochUnixMs * 90 + _loop.Time.GetElapsedTime(_epoch, timestamp).Ticks * 9 / 1000);

    private async Task Stream(CancellationToken cancellationToken)
    {
        _epoch = _loop.Time.GetTimestamp();
        _epochUnixMs = _loop.Time.GetUtcNow().ToUnixTimeMilliseconds();
        using var viewer = _hub.AddViewer(TimeSpan.Zero);
        try
        {
            while (await viewer.NextDecodable(cancellationToken) is { } frame)
            {
                try { Send(frame); }
                finally { frame.Release(); }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
    }

    private void Send(Frame frame)
    {
        if (Remote is not { } remote || _port.Fragment(frame) is not { } fragments) return;
        uint timestamp = RtpTime(frame.Timestamp);
        var data = frame.Data;
        foreach (var fragment in fragments.Fragments)
        {
            int length = RtpHeader.Size + fragment.HeaderLength + fragment.DataLength;
            var packet = _packet.AsSpan();
            ushort sequence = _sequence++;
            RtpHeader.Write(packet, fragment.Marker, (byte)PayloadType, sequence, timestamp, Ssrc);
            fragments.Headers.AsSpan(fragment.HeaderOffset, fragment.HeaderLength).CopyTo(packet[RtpHeader.Size..]);
            data.Slice(fragment.DataOffset, fragment.DataLength).CopyTo(packet[(RtpHeader.Size + fragment.HeaderLength)..]);
            int sent = _send!.ProtectRtp(packet, length);
            _history.Add(sequence, packet[..sent]);
            _port.Send(packet[..sent], remote);
            _packets++;
            _octets += (uint)(length - RtpHeader.Size);
        }
    }
}
