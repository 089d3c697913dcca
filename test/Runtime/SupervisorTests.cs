using Edge.Runtime;
using Edge.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Edge.Tests.Runtime;

[TestClass]
public sealed class SupervisorTests
{
    private readonly ManualClock _clock = new();
    private readonly TestLog _log = new();
    private EventLoop _loop = null!;
    private Supervisor _supervisor = null!;
    private readonly CancellationTokenSource _stop = new();

    [TestInitialize]
    public void Setup()
    {
        _loop = new EventLoop(_log.CreateLogger("loop"), _clock);
        _supervisor = new Supervisor(_loop, _log.CreateLogger("supervisor"));
    }

    [TestCleanup]
    public void Cleanup()
    {
        _stop.Cancel();
        _loop.Dispose();
    }

    private Task OnLoop(Action action) => _loop.InvokeAsync(() => { action(); return Task.CompletedTask; });

    private ServiceInfo Status(string name)
        => _loop.InvokeAsync(() => Task.FromResult(_supervisor.GetStatus().Single(s => s.Name == name))).Result;

    private async Task WaitFor(string name, ServiceStatus status, int restarts)
        => await Eventually.True(() => Status(name) is var s && s.Status == status && s.Restarts == restarts,
            $"{name} {status} after {restarts} restarts");

    [TestMethod]
    public async Task AFailedServiceIsRestartedWithExponentialBackoff()
    {
        int starts = 0;
        var policy = new RestartPolicy(10, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));
        await OnLoop(() =>
        {
            _supervisor.Add("camera", async ct =>
            {
                starts++;
                await Task.Yield();
                throw new IOException("device gone");
            }, policy);
            _ = _supervisor.Run(_stop.Token);
        });
        await WaitFor("camera", ServiceStatus.Restarting, 1);
        Assert.AreEqual("device gone", Status("camera").LastError);

        _clock.Advance(TimeSpan.FromMilliseconds(999));
        await Task.Delay(30);
        Assert.AreEqual(1, starts, "back-off not over yet");
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await WaitFor("camera", ServiceStatus.Restarting, 2);
        Assert.AreEqual(2, starts);

        _clock.Advance(TimeSpan.FromMilliseconds(1999));
        await Task.Delay(30);
        Assert.AreEqual(2, starts, "second back-off is 2 s");
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await WaitFor("camera", ServiceStatus.Restarting, 3);

        _clock.Advance(TimeSpan.FromMilliseconds(2999));
        await Task.Delay(30);
        Assert.AreEqual(3, starts, "third back-off is capped at 3 s");
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await WaitFor("camera", ServiceStatus.Restarting, 4);
    }

    [TestMethod]
    public async Task AServiceThatRanStablyBeforeFailingRestartsAfterTheInitialBackoffAgain()
    {
        int starts = 0;
        var policy = new RestartPolicy(100, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30),
            StableAfter: TimeSpan.FromSeconds(10));
        var runs = new List<TaskCompletionSource>();
        await OnLoop(() =>
        {
            _supervisor.Add("camera", async ct =>
            {
                starts++;
                var run = new TaskCompletionSource();
                runs.Add(run);
                await run.Task;
                throw new IOException("the camera command exited with code 137");
            }, policy);
            _ = _supervisor.Run(_stop.Token);
        });
        // Two quick failures: the back-off grows to 2 s.
        await Eventually.True(() => starts == 1, "first start");
        await OnLoop(() => runs[0].SetResult());
        await WaitFor("camera", ServiceStatus.Restarting, 1);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(() => starts == 2, "second start");
        await OnLoop(() => runs[1].SetResult());
        await WaitFor("camera", ServiceStatus.Restarting, 2);
        _clock.Advance(TimeSpan.FromSeconds(2));
        await Eventually.True(() => starts == 3, "third start after 2 s");
        // Then it runs for 20 s before it is killed: the next restart comes after 1 s, not 4 s.
        _clock.Advance(TimeSpan.FromSeconds(20));
        await OnLoop(() => runs[2].SetResult());
        await WaitFor("camera", ServiceStatus.Restarting, 3);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(() => starts == 4, "restarted after the initial back-off");
    }

    [TestMethod]
    public async Task TheSupervisorGivesUpAfterMaxRestartsWithinTheWindowAndReportsIt()
    {
        var changes = new List<ServiceStatus>();
        var policy = new RestartPolicy(2, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        await OnLoop(() =>
        {
            _supervisor.StatusChanged += info => changes.Add(info.Status);
            _supervisor.Add("rtsp", _ => throw new InvalidOperationException("port in use"), policy);
            _ = _supervisor.Run(_stop.Token);
        });
        await WaitFor("rtsp", ServiceStatus.Restarting, 1);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await WaitFor("rtsp", ServiceStatus.Restarting, 2);
        _clock.Advance(TimeSpan.FromSeconds(2));
        await WaitFor("rtsp", ServiceStatus.Failed, 2);
        Assert.AreEqual("port in use", Status("rtsp").LastError);
        Assert.IsTrue(_log.Lines.Any(l => l.StartsWith("Critical") && l.Contains("rtsp") && l.Contains("gave up")),
            string.Join("\n", _log.Lines));
        _clock.Advance(TimeSpan.FromMinutes(10));
        await Task.Delay(30);
        Assert.AreEqual(ServiceStatus.Failed, Status("rtsp").Status, "a failed service stays failed");
        CollectionAssert.Contains(changes, ServiceStatus.Failed);
    }

    [TestMethod]
    public async Task RestartsOutsideTheWindowDoNotCountTowardsGivingUp()
    {
        var policy = new RestartPolicy(1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        await OnLoop(() =>
        {
            _supervisor.Add("flaky", _ => throw new IOException("x"), policy);
            _ = _supervisor.Run(_stop.Token);
        });
        await WaitFor("flaky", ServiceStatus.Restarting, 1);
        _clock.Advance(TimeSpan.FromSeconds(31)); // back-off ends, fails again, but the first restart is outside the window now
        await WaitFor("flaky", ServiceStatus.Restarting, 2);
    }

    [TestMethod]
    public async Task ARunningServiceIsReportedRunningAndStopsOnCancellation()
    {
        Task run = null!;
        await OnLoop(() =>
        {
            _supervisor.Add("discovery", ct => Task.Delay(Timeout.Infinite, ct));
            run = _supervisor.Run(_stop.Token);
        });
        await WaitFor("discovery", ServiceStatus.Running, 0);
        _stop.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.AreEqual(ServiceStatus.Stopped, Status("discovery").Status);
    }
}
