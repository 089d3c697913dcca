using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Edge.Runtime;
using Microsoft.Extensions.Logging;

namespace Edge.Mqtt;

/// <summary>What a session with the broker is: who Edge is, its will and what it listens to.</summary>
/// <param name="ClientId">At most 23 characters, as every 3.1.1 broker must accept.</param>
/// <param name="WillTopic">Where the broker says "offline" (retained) when the connection dies without a goodbye.</param>
public sealed record MqttSession(MqttSettings Settings, string ClientId, string WillTopic, IReadOnlyList<string> Subscriptions);

/// <summary>
/// An MQTT 3.1.1 client (MQTTnet would cost 1 MB of the binary, see BENCHMARKS.md): one connection at a
/// time, made again after 1, 2, 4 … 60 s when it fails or ends; a keep-alive ping that also finds a
/// broker gone silent. What it publishes waits in a bounded outbox that keeps one message per topic, so
/// a broker that is slow or down costs neither memory nor the loop's time. Loop only.
/// </summary>
public sealed partial class MqttClient(EventLoop loop, WorkerPool pool, ILogger logger)
{
    public const int MaxIncomingBytes = 16 * 1024;
    public const int MaxOutboxBytes = 2 * 1024 * 1024;
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(60);
    private const int SendBufferBytes = 64 * 1024;
    // Within the 500 ms the host gives each step of its stop.
    private static readonly TimeSpan GoodbyeTimeout = TimeSpan.FromMilliseconds(400);
    private static readonly byte[] Offline = "offline"u8.ToArray();

    private readonly MqttOutbox _outbox = new(MaxOutboxBytes);
    private readonly RateLimitedLog _faults = new(logger, loop.Time, 6);
    // Packets handled between two returns of the loop to its other work.
    private const int YieldEvery = 16;

    private long _lastReceived;
    private ushort _packetId;
    // This session's SUBACK came; the writer is inside a packet.
    private bool _subscribed, _midPacket;

    /// <summary>Connected and subscribed: what is published now is sent.</summary>
    public bool IsConnected { get; private set; }

    /// <summary>Why the last connection failed or ended; null while connected or before the first try.</summary>
    public string? Problem { get; private set; }

    /// <summary>Messages left out because the outbox was full.</summary>
    public long Dropped => _outbox.Dropped;

    /// <summary>Messages waiting for the broker to take them, and their bytes.</summary>
    public (int Messages, long Bytes) Queued => (_outbox.Count, _outbox.Bytes);

    /// <summary>A session started: its subscriptions are asked for and what is published next reaches the broker.</summary>
    public event Action? Connected;

    /// <summary>Connected, or the connection failed or ended.</summary>
    public event Action? StatusChanged;

    /// <summary>A message on a subscribed topic; its payload is valid until the handler returns.</summary>
    public event Action<MqttPublish>? Received;

    /// <summary>The outbox was emptied after messages had been left out: their topics, to publish again.</summary>
    public event Action<string[]>? Drained;

    /// <summary>Queues a QoS 0 message while connected (replacing one for the same topic not sent yet); dropped otherwise.</summary>
    public void Publish(string topic, ReadOnlyMemory<byte> payload, bool retain)
    {
        loop.VerifyAccess();
        if (IsConnected && !_outbox.Add(topic, payload, retain) && _faults.Admit()) Log.OutboxFull(logger, MaxOutboxBytes / 1024, topic);
    }

    /// <summary>Keeps a session with the broker until cancelled, making it again after a pause when it fails.</summary>
    public async Task Run(MqttSession session, CancellationToken cancellationToken)
    {
        loop.VerifyAccess();
        string broker = $"{session.Settings.Host}:{session.Settings.EffectivePort}";
        var retry = FirstRetry;
        string? reported = null;
        while (true)
        {
            long connectedAt = 0;
            string problem;
            try
            {
                await Connect(session, () =>
                {
                    connectedAt = loop.Time.GetTimestamp();
                    Log.Connected(logger, broker, session.Settings.Tls ? " with TLS" : "");
                    reported = null;
                }, cancellationToken);
                problem = "the broker closed the connection";
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                if (connectedAt != 0) StatusChanged?.Invoke();
                return;
            }
            catch (Exception e)
            {
                // Whatever ended it (a refused connection, TLS, an unreadable CaFile …) is said and tried again after a pause.
                problem = e is OperationCanceledException
                    ? $"no answer within {ConnectTimeout.TotalSeconds:0} s"
                    : ErrorText.WithoutPaths(e);
            }
            Problem = problem;
            StatusChanged?.Invoke();
            // A session that lasted starts the pauses over; one the broker ends at once (a duplicate client id) does not.
            if (connectedAt != 0 && loop.Time.GetElapsedTime(connectedAt) >= MaxRetry) retry = FirstRetry;
            double seconds = retry.TotalSeconds * (1 + Random.Shared.NextDouble() / 4);
            if (connectedAt != 0) Log.Lost(logger, broker, problem, seconds);
            else if (problem != reported) Log.CannotConnect(logger, broker, problem, seconds, MaxRetry.TotalSeconds);
            else Log.StillCannotConnect(logger, broker, problem, seconds);
            reported = problem;
            try { await loop.Delay(TimeSpan.FromSeconds(seconds), cancellationToken); }
            catch (OperationCanceledException)
            {
                return; // stopped, or new settings, while waiting
            }
            retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, MaxRetry.Ticks));
        }
    }

    // One connection, from the TCP handshake to its end (returns when the broker closed it).
    private async Task Connect(MqttSession session, Action connected, CancellationToken cancellationToken)
    {
        var settings = session.Settings;
        Stream stream;
        var link = new MqttLink();
        using (var timeout = new CancellationTokenSource(ConnectTimeout, loop.Time))
        using (var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            stream = await Open(settings, connecting.Token);
            try
            {
                await stream.WriteAsync(MqttPackets.Connect(session.ClientId, session.WillTopic, Offline, settings.Username,
                    settings.Password, settings.KeepAliveSeconds), connecting.Token);
                var answer = await link.Next(stream, connecting.Token);
                if (answer.Type != MqttPackets.ConnAck || answer.Body.Length != 2)
                    throw new MqttException($"the broker answered CONNECT with packet type {answer.Type}, not CONNACK");
                byte code = answer.Body.Span[1];
                if (code != 0) throw new MqttException(Refusal(code));
            }
            catch
            {
                await stream.DisposeAsync();
                throw;
            }
        }
        await using var owned = stream;
        using var live = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _outbox.Clear();
        _lastReceived = loop.Time.GetTimestamp();
        IsConnected = true;
        Problem = null;
        var keepAlive = TimeSpan.FromSeconds(settings.KeepAliveSeconds);
        bool ended = false;
        _subscribed = _midPacket = false;
        using var ping = loop.CreateTimer(() =>
        {
            if (ended) return; // a tick posted before the timer was disposed
            // A ping is answered at once: silence for one and a half intervals (found within two) is a broker or a path gone.
            if (loop.Time.GetElapsedTime(_lastReceived) > keepAlive * 1.5)
                End(live, $"no answer from the broker for {keepAlive.TotalSeconds * 1.5:0} s");
            else
            {
                try { _outbox.AddControl(MqttPackets.PingReq); }
                catch (MqttException e) { End(live, e.Message); }
            }
        }, keepAlive, keepAlive);
        Task writing = Task.CompletedTask;
        try
        {
            _outbox.AddControl(MqttPackets.Subscribe(NextPacketId(), session.Subscriptions, qos: 1));
            writing = Write(stream, live);
            connected();
            StatusChanged?.Invoke();
            Connected?.Invoke();
            for (int handled = 1; ; handled++)
            {
                var frame = await link.Next(stream, live.Token);
                _lastReceived = loop.Time.GetTimestamp();
                Handle(frame, session.Subscriptions);
                // Packets already read come without a wait: a broker sending faster than they are handled gets the loop
                // back every few, so the rest of Edge is served meanwhile.
                if (handled % YieldEvery == 0) await Task.Yield();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && Problem != null)
        {
            throw new MqttException(Problem);
        }
        finally
        {
            ended = true;
            IsConnected = false;
            _outbox.Clear();
            live.Cancel();
            await writing;
            // After a packet cut midway a goodbye would land inside it: the broker publishes the will when the socket closes.
            if (cancellationToken.IsCancellationRequested && !_midPacket) await Goodbye(stream, session.WillTopic);
        }
    }

    // A stop says "offline" itself: after DISCONNECT the broker does not publish the will.
    private async Task Goodbye(Stream stream, string availabilityTopic)
    {
        using var timeout = new CancellationTokenSource(GoodbyeTimeout, loop.Time);
        try
        {
            await stream.WriteAsync(MqttPackets.PublishHeader(availabilityTopic, Offline.Length, retain: true), timeout.Token);
            await stream.WriteAsync(Offline, timeout.Token);
            await stream.WriteAsync(MqttPackets.Disconnect, timeout.Token);
        }
        catch (Exception)
        {
            // Whatever went wrong, the broker publishes the will instead.
        }
    }

    private async Task<Stream> Open(MqttSettings settings, CancellationToken cancellationToken)
    {
        X509Certificate2Collection? authorities = null;
        if (settings.Tls && settings.CaFile.Length > 0)
        {
            string caFile = settings.CaFile;
            authorities = await pool.Submit(_ =>
            {
                var certificates = new X509Certificate2Collection();
                certificates.ImportFromPemFile(caFile);
                return certificates.Count > 0 ? certificates : throw new MqttException($"CaFile '{caFile}' holds no certificate");
            }, PoolFullMode.Wait, cancellationToken);
        }
        // A small send buffer (Linux doubles it): for a slow broker the outbox keeps the latest of each topic instead.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendBufferSize = SendBufferBytes };
        try
        {
            await socket.ConnectAsync(settings.Host, settings.EffectivePort, cancellationToken);
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (!settings.Tls) return stream;
            var tls = new SslStream(stream, leaveInnerStreamOpen: false);
            var options = new SslClientAuthenticationOptions { TargetHost = settings.Host };
            if (authorities != null)
            {
                // No revocation check, as without a CaFile (SslStream's default): a private CA has no CRL to ask.
                options.CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    RevocationMode = X509RevocationMode.NoCheck,
                };
                options.CertificateChainPolicy.CustomTrustStore.AddRange(authorities);
            }
            try { await tls.AuthenticateAsClientAsync(options, cancellationToken); }
            catch
            {
                await tls.DisposeAsync();
                throw;
            }
            return tls;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // Drains the outbox into the stream until the session ends; a write that fails ends it.
    private async Task Write(Stream stream, CancellationTokenSource live)
    {
        try
        {
            while (true)
            {
                await _outbox.WhenAny().WaitAsync(live.Token);
                while (_outbox.TryTake(out string? topic, out var payload, out bool retain))
                {
                    _midPacket = true;
                    if (topic != null) await stream.WriteAsync(MqttPackets.PublishHeader(topic, payload.Length, retain), live.Token);
                    await stream.WriteAsync(payload, live.Token);
                    _midPacket = false;
                }
                // Drained: what did not fit while the broker was slow can be published again now.
                if (_outbox.HasLost) Drained?.Invoke(_outbox.TakeLost());
            }
        }
        catch (OperationCanceledException) when (live.IsCancellationRequested) { }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            End(live, ErrorText.WithoutPaths(e));
        }
    }

    // Ends a live session for a reason the read loop then reports.
    private void End(CancellationTokenSource live, string problem)
    {
        Problem ??= problem;
        live.Cancel();
    }

    private void Handle(MqttFrame frame, IReadOnlyList<string> subscriptions)
    {
        switch (frame.Type)
        {
            case MqttPackets.Publish:
                var message = MqttPublish.Parse(frame, out ushort packetId);
                // Acknowledged even when skipped: an unacknowledged message holds one of the broker's in-flight places.
                if (packetId != 0) _outbox.AddControl(MqttPackets.PubAckFor(packetId));
                // A command is a few bytes: this is somebody else's data on Edge's topics, and only its start was kept.
                if (frame.Oversized)
                {
                    if (_faults.Admit()) Log.Oversized(logger, MaxIncomingBytes);
                }
                else
                {
                    Received?.Invoke(message);
                }
                break;
            case MqttPackets.SubAck when !_subscribed:
                _subscribed = true;
                var codes = frame.Body.Span[Math.Min(2, frame.Body.Length)..];
                for (int i = 0; i < codes.Length && i < subscriptions.Count; i++)
                    if (codes[i] == 0x80) Log.SubscriptionRefused(logger, subscriptions[i]);
                break;
            case MqttPackets.SubAck:
                break; // one SUBSCRIBE, one SUBACK: a repeated one says nothing new
            case MqttPackets.PingResp or MqttPackets.PubAck:
                break;
            default:
                throw new MqttException($"the broker sent an unexpected packet of type {frame.Type}");
        }
    }

    private ushort NextPacketId() => _packetId = (ushort)(_packetId % ushort.MaxValue + 1);

    private static string Refusal(byte code) => code switch
    {
        1 => "the broker refused MQTT 3.1.1 (code 1)",
        2 => "the broker refused the client id (code 2)",
        3 => "the broker is unavailable (code 3)",
        4 => "the broker refused the user name or password (code 4)",
        5 => "the broker refused Edge: not authorized (code 5: mosquitto's answer to a wrong user name or password too)",
        _ => $"the broker refused the connection (code {code})",
    };

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "MQTT: connected to {Broker}{Tls}")]
        public static partial void Connected(ILogger logger, string broker, string tls);

        [LoggerMessage(Level = LogLevel.Warning,
            Message = "MQTT: connection to {Broker} lost: {Problem}; connecting again in {Seconds:0.#} s")]
        public static partial void Lost(ILogger logger, string broker, string problem, double seconds);

        [LoggerMessage(Level = LogLevel.Warning,
            Message = "MQTT: cannot connect to {Broker}: {Problem}; trying again in {Seconds:0.#} s, then at most every {Max} s " +
                "(said again when the reason changes)")]
        public static partial void CannotConnect(ILogger logger, string broker, string problem, double seconds, double max);

        [LoggerMessage(Level = LogLevel.Debug,
            Message = "MQTT: still cannot connect to {Broker}: {Problem}; trying again in {Seconds:0.#} s")]
        public static partial void StillCannotConnect(ILogger logger, string broker, string problem, double seconds);

        [LoggerMessage(Level = LogLevel.Warning,
            Message = "MQTT: the broker is slow: {Kilobytes} KB wait for it; {Topic} and what else does not fit is sent again "
                + "once it caught up")]
        public static partial void OutboxFull(ILogger logger, int kilobytes, string topic);

        [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT: a message of more than {Bytes} bytes on Edge's topics was skipped")]
        public static partial void Oversized(ILogger logger, int bytes);

        [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT: the broker refused the subscription to {Topic} (its access list?)")]
        public static partial void SubscriptionRefused(ILogger logger, string topic);
    }
}
