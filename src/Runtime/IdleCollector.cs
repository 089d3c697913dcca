using Microsoft.Extensions.Logging;

namespace Edge.Runtime;

/// <summary>
/// Keeps an idle Edge's memory flat. The GC collects once enough has been allocated since its last
/// collection; an idle board allocates a few KB a second (the per-second reports), so that takes many
/// minutes, and meanwhile that garbage fills freshly committed memory: RSS grew by about 3.5 KB a
/// second. So when a minute has passed without any collection, Edge runs one itself on the worker pool
/// (aggressive: compacting, and giving free memory back to the OS); the first comes 15 s after start,
/// for start-up's garbage (idle RSS on x64 22.5 MB before it, 20.4 MB after). Under load the GC
/// collects on its own and this does nothing. Each pauses every thread for a few milliseconds.
/// </summary>
public sealed class IdleCollector
{
    public static readonly TimeSpan FirstAfter = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly WorkerPool _pool;
    private readonly ILogger _logger;
    private readonly Func<int> _collectionCount;
    private int _collections = -1;
    private bool _running;

    /// <param name="collectionCount">How many collections the GC has run (<c>GC.CollectionCount(0)</c>; tests give their own).</param>
    public IdleCollector(WorkerPool pool, ILogger logger, Func<int>? collectionCount = null)
    {
        _pool = pool;
        _logger = logger;
        _collectionCount = collectionCount ?? (static () => GC.CollectionCount(0));
    }

    /// <summary>Collections this collector ran.</summary>
    public int Runs { get; private set; }

    /// <summary>Starts the checks on the loop's clock; dispose the timer to stop them.</summary>
    public ITimer Start(EventLoop loop) => loop.CreateTimer(() => _ = Check(), FirstAfter, Interval);

    // Loop: collects at the first check, and later when no collection ran since the last one.
    private async Task Check()
    {
        if (_running || (_collections >= 0 && _collectionCount() != _collections))
        {
            _collections = _collectionCount();
            return;
        }
        _running = true;
        bool first = _collections < 0;
        try
        {
            var (before, after, pause) = await _pool.Submit(_ =>
            {
                long heap = GC.GetTotalMemory(false);
                var paused = GC.GetTotalPauseDuration();
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                return (heap, GC.GetTotalMemory(false), GC.GetTotalPauseDuration() - paused);
            }, PoolFullMode.Reject);
            // Before it is counted: whoever sees the run sees the count it left (the finally says it again on failure).
            _collections = _collectionCount();
            Runs++;
            // Once at information level; then once a minute while idle, which is not news.
            _logger.Log(first ? LogLevel.Information : LogLevel.Debug,
                "Idle collection: heap {Before:0.0} MB to {After:0.0} MB, free memory returned ({Pause:0.0} ms)",
                before / 1048576.0, after / 1048576.0, pause.TotalMilliseconds);
        }
        catch (Exception e) when (e is PoolFullException or OperationCanceledException)
        {
            // The pool is busy, so Edge is not idle.
        }
        finally
        {
            _collections = _collectionCount();
            _running = false;
        }
    }
}
