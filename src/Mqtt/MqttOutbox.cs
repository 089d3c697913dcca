namespace Edge.Mqtt;

/// <summary>
/// What waits to be written to the broker, in order, one message per topic: a newer value replaces the
/// one not yet sent (only the latest state matters), so a slow broker costs at most one message per
/// topic and never more than <c>maxBytes</c> of payload. A message that does not fit takes its topic's
/// older one with it (a stale value is worse than none) and its topic is remembered as lost, for the
/// owner to publish again once the outbox has drained. Control packets (acknowledgements, pings) go
/// first. Loop only.
/// </summary>
internal sealed class MqttOutbox(int maxBytes)
{
    /// <summary>
    /// Acknowledgements and pings waiting: a broker that sends more QoS 1 messages than it reads acks breaks the session.
    /// </summary>
    public const int MaxControlPackets = 64;

    private readonly Queue<ReadOnlyMemory<byte>> _control = new();
    private readonly Queue<string> _order = new();
    private readonly HashSet<string> _lost = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private TaskCompletionSource? _waiter;
    private long _bytes;

    /// <summary>Messages refused because the outbox was full.</summary>
    public long Dropped { get; private set; }

    /// <summary>Messages waiting (control packets not counted).</summary>
    public int Count => _pending.Count;

    /// <summary>Their payloads' bytes.</summary>
    public long Bytes => _bytes;

    /// <summary>Queues a message (replacing one for the same topic); false when it does not fit.</summary>
    public bool Add(string topic, ReadOnlyMemory<byte> payload, bool retain)
    {
        bool queued = _pending.TryGetValue(topic, out var old);
        long replaced = queued ? old.Payload.Length : 0;
        if (_bytes - replaced + payload.Length > maxBytes)
        {
            Dropped++;
            if (queued)
            {
                // Kept in place as a marker, so the topic never stands in the order twice.
                _pending[topic] = Pending.TakenBack;
                _bytes -= replaced;
            }
            _lost.Add(topic);
            return false;
        }
        if (!queued) _order.Enqueue(topic);
        _pending[topic] = new Pending(payload, retain);
        _bytes += payload.Length - replaced;
        Wake();
        return true;
    }

    /// <exception cref="MqttException">Too many are waiting.</exception>
    public void AddControl(ReadOnlyMemory<byte> packet)
    {
        if (_control.Count >= MaxControlPackets)
            throw new MqttException($"more than {MaxControlPackets} packets to acknowledge or send waiting");
        _control.Enqueue(packet);
        Wake();
    }

    /// <summary>
    /// The next packet: a control packet (<paramref name="topic"/> null, the packet in <paramref name="payload"/>) or a message.
    /// </summary>
    public bool TryTake(out string? topic, out ReadOnlyMemory<byte> payload, out bool retain)
    {
        retain = false;
        topic = null;
        if (_control.TryDequeue(out payload)) return true;
        while (_order.TryDequeue(out topic))
        {
            _pending.Remove(topic, out var message);
            if (message.Taken) continue; // its message did not fit: nothing to send
            (payload, retain) = (message.Payload, message.Retain);
            _bytes -= payload.Length;
            return true;
        }
        return false;
    }

    /// <summary>Completes when a message is queued (at once when one is waiting).</summary>
    public Task WhenAny()
    {
        if (_pending.Count > 0 || _control.Count > 0) return Task.CompletedTask;
        return (_waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
    }

    /// <summary>The topics whose latest message was left out since the last call.</summary>
    public string[] TakeLost()
    {
        string[] lost = [.. _lost];
        _lost.Clear();
        return lost;
    }

    public bool HasLost => _lost.Count > 0;

    public void Clear()
    {
        _lost.Clear();
        _control.Clear();
        _order.Clear();
        _pending.Clear();
        _bytes = 0;
    }

    private void Wake()
    {
        _waiter?.TrySetResult();
        _waiter = null;
    }

    private readonly struct Pending(ReadOnlyMemory<byte> payload, bool retain, bool taken = false)
    {
        public static Pending TakenBack => new(default, false, taken: true);

        public ReadOnlyMemory<byte> Payload { get; } = payload;

        public bool Retain { get; } = retain;

        /// <summary>A place in the order whose message did not fit and was taken back.</summary>
        public bool Taken { get; } = taken;
    }
}
