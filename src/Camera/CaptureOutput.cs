using System.Threading.Channels;
using Edge.Runtime;
using Microsoft.Extensions.Logging;

namespace Edge.Camera;

/// <summary>
/// Where a capture thread puts its frames: a bounded channel that drops the oldest frame when the
/// pipeline is behind, so capture never waits for encoders or viewers. Also carries the pipeline's
/// demand back to the source and counts what capture had to throw away.
/// </summary>
public sealed partial class CaptureOutput
{
    /// <summary>Frames that may wait between capture and the pipeline.</summary>
    public const int Capacity = 2;

    private readonly Channel<Frame> _channel;
    private readonly ManualResetEventSlim _demandSignal = new(false);
    private readonly RateLimitedLog _problems;
    private readonly ILogger _logger;
    private readonly System.Runtime.CompilerServices.StrongBox<long> _sequence;
    private long _dropped, _invalid;
    private volatile bool _demand;
    private long _lastAlive;

    public CaptureOutput(TimeProvider time, ILogger logger, System.Runtime.CompilerServices.StrongBox<long>? sequence = null)
    {
        _sequence = sequence ?? new();
        _lastAlive = time.GetTimestamp();
        Time = time;
        _logger = logger;
        _problems = new RateLimitedLog(logger, time, perMinute: 10);
        _channel = Channel.CreateBounded<Frame>(new BoundedChannelOptions(Capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = true,
        }, dropped =>
        {
            dropped.Release();
            Interlocked.Increment(ref _dropped);
        });
    }

    public TimeProvider Time { get; }

    public ChannelReader<Frame> Reader => _channel.Reader;

    /// <summary>Frames capture dropped because the pipeline had not taken the previous ones.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Frames rejected as broken (truncated JPEGs, garbage, oversized).</summary>
    public long Invalid => Interlocked.Read(ref _invalid);

    /// <summary>The number of the next frame.</summary>
    public long NextSequence() => Interlocked.Increment(ref _sequence.Value);

    /// <summary>Hands a frame (and its reference) to the pipeline.</summary>
    public void Write(Frame frame)
    {
        Heartbeat();
        if (!_channel.Writer.TryWrite(frame)) frame.Release();
    }

    /// <summary>Says the source is alive without a frame (a test pattern nobody watches draws nothing).</summary>
    public void Heartbeat() => Volatile.Write(ref _lastAlive, Time.GetTimestamp());

    /// <summary>When the source last wrote a frame or a heartbeat (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long LastAlive => Volatile.Read(ref _lastAlive);

    /// <summary>Counts a broken frame and logs why (at most 10 lines a minute).</summary>
    public void Reject(string problem)
    {
        Interlocked.Increment(ref _invalid);
        if (_problems.Admit()) Log.FrameSkipped(_logger, problem);
    }

    /// <summary>Ends the channel: the pipeline sees <paramref name="error"/> (or a clean end) after the frames already in it.</summary>
    public void Complete(Exception? error = null) => _channel.Writer.TryComplete(error);

    /// <summary>Whether anyone wants frames now (set by the pipeline; sources may capture slowly without it).</summary>
    public bool Demand
    {
        get => _demand;
        set
        {
            _demand = value;
            if (value) _demandSignal.Set();
            else _demandSignal.Reset();
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for demand; true when there is some.</summary>
    public bool WaitForDemand(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try { return _demandSignal.Wait(timeout, cancellationToken); }
        catch (OperationCanceledException) { return false; }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Camera frame skipped: {Problem}")]
        public static partial void FrameSkipped(ILogger logger, string problem);
    }
}
