using System.Net;
using System.Net.Sockets;
using Edge.Runtime;
using Microsoft.Extensions.Logging;

namespace Edge.Onvif.Discovery;

/// <summary>
/// WS-Discovery 2005/04 over UDP 3702 (IPv4), as ONVIF clients and NVRs find cameras: joins
/// 239.255.255.250 on every multicast interface, answers Probes that match its types and scopes
/// and Resolves of its endpoint address, sends Hello on start and whenever the host's addresses
/// change (<see cref="HostNetwork"/>), and Bye on shutdown. Malformed, repeated and excess
/// datagrams are dropped. Supervised; loop only.
/// </summary>
public sealed partial class DiscoveryService(EventLoop loop, HostNetwork network, OnvifScopes scopes, string endpointAddress,
    Func<IEnumerable<string>> listening, int port, ILogger logger)
{
    public static readonly IPAddress Group = IPAddress.Parse("239.255.255.250");
    /// <summary>
    /// Datagrams handled per second (and at once): beyond it they are dropped, which bounds the work and
    /// the replies a flood causes.
    /// </summary>
    public const int MaxDatagramsPerSecond = 50;
    // WS-Discovery's APP_MAX_DELAY: answers to multicast are spread so many devices do not answer at once.
    private static readonly TimeSpan MaxReplyDelay = TimeSpan.FromMilliseconds(500);
    private const int RememberedMessages = 64;

    private readonly long _instanceId = loop.Time.GetUtcNow().ToUnixTimeSeconds();
    private readonly Dictionary<int, Socket> _senders = [];
    private readonly Queue<string> _recentOrder = new();
    private readonly HashSet<string> _recent = new(StringComparer.Ordinal);
    private readonly RateLimitedLog _malformed = new(logger, loop.Time, 5);
    private readonly RateLimitedLog _flood = new(logger, loop.Time, 1);
    private long _messageNumber;
    private double _tokens = MaxDatagramsPerSecond;
    private long _tokensAt = loop.Time.GetTimestamp();
    private Socket? _socket;
    private CancellationToken _stopping;

    /// <summary>The UDP port listened on (the configured one, or the one picked for 0).</summary>
    public int Port { get; private set; }

    public string EndpointAddress => endpointAddress;

    /// <summary>The supervised service: answers until <paramref name="cancellationToken"/> fires, then says Bye.</summary>
    public async Task Run(CancellationToken cancellationToken)
    {
        loop.VerifyAccess();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        // Other discovery software on the board may hold 3702 too; each gets its copy of multicast.
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
        socket.Bind(new IPEndPoint(IPAddress.Any, port));
        Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        _socket = socket;
        _stopping = cancellationToken;
        network.Changed += Announce;
        Log.Listening(logger, Port, endpointAddress);
        try
        {
            Announce(network.Current);
            var buffer = new byte[DiscoveryMessage.MaxBytes];
            var from = new IPEndPoint(IPAddress.Any, 0);
            while (true)
            {
                var result = await socket.ReceiveMessageFromAsync(buffer, SocketFlags.None, from, cancellationToken);
                if (!TakeToken())
                {
                    if (_flood.Admit()) Log.Flood(logger, MaxDatagramsPerSecond);
                    continue;
                }
                // A datagram larger than the buffer arrives cut short: not worth parsing.
                if ((result.SocketFlags & SocketFlags.Truncated) != 0) continue;
                Handle(buffer.AsSpan(0, result.ReceivedBytes), (IPEndPoint)result.RemoteEndPoint, result.PacketInformation);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
        finally
        {
            network.Changed -= Announce;
            SendToGroup((nic, target) => DiscoveryEnvelope.Bye(target, NextSequence()));
            foreach (var sender in _senders.Values) sender.Dispose();
            _senders.Clear();
            _socket = null;
        }
    }

    private void Handle(ReadOnlySpan<byte> datagram, IPEndPoint from, IPPacketInformation packet)
    {
        var message = DiscoveryMessage.TryParse(datagram, out string? problem);
        if (message == null)
        {
            if (_malformed.Admit()) Log.Malformed(logger, from, problem);
            return;
        }
        if (message.Kind == DiscoveryMessageKind.Other || !FirstTime(message.MessageId)) return;
        bool multicast = IsMulticast(packet.Address);
        var target = Target(multicast ? null : packet.Address, packet.Interface);
        if (target.XAddrs.Count == 0) return;
        byte[] reply;
        if (message.Kind == DiscoveryMessageKind.Probe)
        {
            if (!target.Matches(message.Types, message.Scopes, message.MatchBy)) return;
            reply = DiscoveryEnvelope.ProbeMatches(target, message.MessageId, NextSequence());
        }
        else
        {
            if (!string.Equals(message.EndpointAddress, endpointAddress, StringComparison.OrdinalIgnoreCase)) return;
            reply = DiscoveryEnvelope.ResolveMatches(target, message.MessageId, NextSequence());
        }
        var delay = multicast ? TimeSpan.FromMilliseconds(Random.Shared.Next((int)MaxReplyDelay.TotalMilliseconds)) : TimeSpan.Zero;
        _ = Reply(reply, from, delay);
    }

    private async Task Reply(byte[] reply, IPEndPoint to, TimeSpan delay)
    {
        try
        {
            if (delay > TimeSpan.Zero) await loop.Delay(delay, _stopping);
            if (_socket is { } socket) await socket.SendToAsync(reply, SocketFlags.None, to, _stopping);
        }
        catch (OperationCanceledException) { }
        catch (SocketException e)
        {
            if (_malformed.Admit()) Log.CannotAnswer(logger, to, e.Message);
        }
    }

    // Joins the group on each multicast interface (again, for interfaces that came back) and says Hello on it.
    private void Announce(NetworkSnapshot snapshot)
    {
        if (_socket is not { } socket) return;
        var usable = snapshot.Interfaces.Where(i => i.SupportsMulticast && i.Index > 0 && i.IPv4.Count > 0).ToList();
        foreach (var index in _senders.Keys.ToList())
        {
            if (usable.Exists(i => i.Index == index)) continue;
            Membership(socket, SocketOptionName.DropMembership, index);
            _senders.Remove(index, out var gone);
            gone!.Dispose();
        }
        foreach (var nic in usable)
        {
            Membership(socket, SocketOptionName.AddMembership, nic.Index);
            if (_senders.ContainsKey(nic.Index)) continue;
            var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
            sender.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.HostToNetworkOrder(nic.Index));
            _senders.Add(nic.Index, sender);
        }
        SendToGroup((nic, target) => DiscoveryEnvelope.Hello(target, NextSequence()));
    }

    private void Membership(Socket socket, SocketOptionName option, int index)
    {
        try
        {
            socket.SetSocketOption(SocketOptionLevel.IP, option, new MulticastOption(Group, index));
        }
        // Joined already (the interface went down and up), or gone with its interface.
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AddressNotAvailable
            or SocketError.InvalidArgument)
        {
        }
        catch (SocketException e)
        {
            Log.MembershipFailed(logger, option == SocketOptionName.AddMembership ? "join" : "leave", index, e.Message);
        }
    }

    private void SendToGroup(Func<int, DiscoveryTarget, byte[]> message)
    {
        var group = new IPEndPoint(Group, Port);
        foreach (var (index, sender) in _senders)
        {
            var target = Target(null, index);
            if (target.XAddrs.Count == 0) continue;
            try
            {
                sender.SendTo(message(index, target), group);
            }
            catch (SocketException e)
            {
                if (_malformed.Admit()) Log.CannotSend(logger, index, e.Message);
            }
        }
    }

    private DiscoveryTarget Target(IPAddress? reachedAt, int reachedOn)
    {
        var snapshot = network.Current;
        return new DiscoveryTarget(endpointAddress, scopes.For(snapshot).Select(s => s.Uri).ToList(),
            XAddrs.For(snapshot, listening(), reachedAt, reachedOn));
    }

    // 224.0.0.0/4.
    private static bool IsMulticast(IPAddress address)
        => address.AddressFamily == AddressFamily.InterNetwork && (address.GetAddressBytes()[0] & 0xF0) == 0xE0;

    private AppSequence NextSequence() => new(_instanceId, ++_messageNumber);

    // Senders repeat messages over UDP; one answer each is enough.
    private bool FirstTime(string? messageId)
    {
        if (messageId == null) return true;
        if (!_recent.Add(messageId)) return false;
        _recentOrder.Enqueue(messageId);
        if (_recentOrder.Count > RememberedMessages) _recent.Remove(_recentOrder.Dequeue());
        return true;
    }

    private bool TakeToken()
    {
        long now = loop.Time.GetTimestamp();
        _tokens = Math.Min(MaxDatagramsPerSecond, _tokens + loop.Time.GetElapsedTime(_tokensAt, now).TotalSeconds * MaxDatagramsPerSecond);
        _tokensAt = now;
        if (_tokens < 1) return false;
        _tokens--;
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning,
            Message = "WS-Discovery receives more than {Rate} datagrams a second: the excess is dropped")]
        public static partial void Flood(ILogger logger, int rate);

        [LoggerMessage(Level = LogLevel.Warning, Message = "WS-Discovery ignored a malformed datagram from {From}: {Problem}")]
        public static partial void Malformed(ILogger logger, System.Net.EndPoint from, string? problem);

        [LoggerMessage(Level = LogLevel.Warning, Message = "WS-Discovery cannot answer {To}: {Problem}")]
        public static partial void CannotAnswer(ILogger logger, System.Net.EndPoint to, string problem);

        [LoggerMessage(Level = LogLevel.Warning,
            Message = "WS-Discovery cannot send to the multicast group on interface {Index}: {Problem}")]
        public static partial void CannotSend(ILogger logger, int index, string problem);

        [LoggerMessage(Level = LogLevel.Information, Message = "WS-Discovery on UDP port {Port} as {Endpoint}")]
        public static partial void Listening(ILogger logger, int port, string endpoint);

        [LoggerMessage(Level = LogLevel.Warning,
            Message = "WS-Discovery cannot {Change} the multicast group on interface {Index}: {Message}")]
        public static partial void MembershipFailed(ILogger logger, string change, int index, string message);
    }
}
