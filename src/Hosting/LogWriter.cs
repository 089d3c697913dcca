using Microsoft.Extensions.Logging;

namespace Edge.Hosting;

/// <summary>
/// Writes log text on a thread of its own, so a slow reader of the output (a stalled pipe to an init
/// system's logger, a paused terminal) never blocks the event loop or a request. The queue is bounded:
/// when it is full a line is dropped and counted, and the count is written once there is room.
/// </summary>
internal sealed class LogWriter : IDisposable
{
    private const int Capacity = 1024;
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(1.5);
    private readonly Queue<(bool ToError, string Text)> _queue = new();
    private readonly object _gate = new();
    private readonly TextWriter _output, _error;
    private readonly Thread _thread;
    private long _dropped;
    private bool _stopping, _exited;

    public LogWriter(TextWriter output, TextWriter error)
    {
        _output = output;
        _error = error;
        _thread = new Thread(Run) { Name = "edge-log", IsBackground = true };
        _thread.Start();
    }

    public void Enqueue(bool toError, string text)
    {
        lock (_gate)
        {
            if (_exited)
            {
                // The writer has written out everything and ended (shutdown): this line goes out directly.
                (toError ? _error : _output).Write(text);
                return;
            }
            if (_queue.Count >= Capacity)
            {
                _dropped++;
                return;
            }
            _queue.Enqueue((toError, text));
            if (_queue.Count == 1) Monitor.Pulse(_gate);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.Pulse(_gate);
        }
        _thread.Join(FlushTimeout);
    }

    // Until stopped and drained: lines logged during shutdown still queue behind older ones, and if the
    // output is stalled at the end they are dropped as before instead of blocking whoever logs.
    private void Run()
    {
        var batch = new List<(bool ToError, string Text)>();
        while (true)
        {
            long dropped;
            lock (_gate)
            {
                while (_queue.Count == 0 && _dropped == 0 && !_stopping) Monitor.Wait(_gate);
                if (_queue.Count == 0 && _dropped == 0)
                {
                    _exited = true;
                    return;
                }
                batch.AddRange(_queue);
                _queue.Clear();
                dropped = _dropped;
                _dropped = 0;
            }
            foreach (var (toError, text) in batch) (toError ? _error : _output).Write(text);
            batch.Clear();
            if (dropped > 0)
                EdgeLogFormatter.Write(LogLevel.Warning, "Edge.Hosting.LogWriter",
                    $"{dropped} log lines were dropped: the output was not read fast enough", null, _error);
        }
    }
}
