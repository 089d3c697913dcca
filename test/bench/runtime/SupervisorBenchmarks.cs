using BenchmarkDotNet.Attributes;
using Edge.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Bench;

/// <summary>
/// One supervised restart: the running service fails, the supervisor logs it, waits a zero back-off on
/// the loop's clock and starts the service again; measured until the new run has begun.
/// </summary>
public class SupervisorBenchmarks
{
    private readonly ManualResetEventSlim _started = new();
    private readonly CancellationTokenSource _stop = new();
    private EventLoop _loop = null!;
    private TaskCompletionSource _current = null!;

    [GlobalSetup]
    public void Setup()
    {
        _loop = new EventLoop(NullLogger.Instance, name: "bench-loop");
        var policy = new RestartPolicy(int.MaxValue, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        _loop.Post(() =>
        {
            var supervisor = new Supervisor(_loop, NullLogger.Instance);
            supervisor.Add("service", _ =>
            {
                _current = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _started.Set();
                return _current.Task;
            }, policy);
            _ = supervisor.Run(_stop.Token);
        });
        _started.Wait();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop.Cancel();
        _loop.Dispose();
    }

    [Benchmark(Description = "Supervisor: fail → restarted")]
    public void Restart()
    {
        _started.Reset();
        _current.SetException(new InvalidOperationException("bench"));
        _started.Wait();
    }
}
