using System.Collections.Concurrent;
using Edge.Api;
using Edge.Tests.Support;

namespace Edge.Tests.Api;

[TestClass]
public sealed class LoopAffinityTests
{
    [TestMethod]
    public async Task EveryContinuationOfAnApiHandlerRunsOnTheLoopOverBothTransports()
    {
        await using var server = await EdgeServer.Start();
        var loop = server.Host.Loop;
        var offLoop = new ConcurrentQueue<string>();
        void Check(string where) { if (!loop.IsOnLoop) offLoop.Enqueue(where); }
        await loop.InvokeAsync(() =>
        {
            server.Host.Dispatcher.Register("test.affinity", Edge.Auth.UserRole.Viewer, async call =>
            {
                Check("start");
                await Task.Delay(5);
                Check("after timer");
                await Task.Run(() => Thread.Sleep(1));
                Check("after thread-pool work");
                await Task.Yield();
                Check("after yield");
                await loop.Delay(TimeSpan.FromMilliseconds(1));
                Check("after loop delay");
                return ApiResult.Of("ok", ApiJsonContext.Default.String);
            });
            return Task.CompletedTask;
        });
        Assert.AreEqual("ok", (await server.Call("test.affinity")).GetProperty("result").GetString());
        using var socket = await server.Connect();
        for (int i = 0; i < 5; i++)
            Assert.AreEqual("ok", (await socket.Call("test.affinity")).GetProperty("result").GetString());
        Assert.IsEmpty(offLoop, string.Join(", ", offLoop));
    }
}
