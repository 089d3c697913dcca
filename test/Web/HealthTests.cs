using System.Net;
using System.Text.Json;
using Edge.Tests.Support;

namespace Edge.Tests.Web;

[TestClass]
public sealed class HealthTests
{
    [TestMethod]
    public async Task ReadyzListsTheServicesThatAreNotRunning()
    {
        await using var server = await EdgeServer.Start();
        using var anonymous = new HttpClient { BaseAddress = server.BaseUri };
        var ready = JsonDocument.Parse(await anonymous.GetStringAsync("/readyz")).RootElement;
        Assert.IsTrue(ready.GetProperty("ready").GetBoolean());

        await server.Host.Loop.InvokeAsync(() =>
        {
            server.Host.Supervisor.Add("sensor", _ => throw new IOException("no such device"),
                new Edge.Runtime.RestartPolicy(0, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
            server.Host.Supervisor.Add("fine", ct => Task.Delay(Timeout.Infinite, ct));
            return Task.CompletedTask;
        });
        using var response = await anonymous.GetAsync("/readyz");
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.IsFalse(body.GetProperty("ready").GetBoolean());
        var failing = body.GetProperty("notRunning").EnumerateArray().Single();
        Assert.AreEqual("sensor", failing.GetProperty("name").GetString());
        Assert.AreEqual("failed", failing.GetProperty("status").GetString()!.ToLowerInvariant());
        Assert.AreEqual("no such device", failing.GetProperty("lastError").GetString());
        var services = (await server.Call("state.get", new { keys = new[] { "service.sensor", "service.fine" } })).GetProperty("result");
        Assert.AreEqual("failed", services.GetProperty("service.sensor").GetString(), "service status is state too");
        Assert.AreEqual("running", services.GetProperty("service.fine").GetString());
    }

    [TestMethod]
    public async Task HealthzFailsWhenTheEventLoopIsHung()
    {
        await using var server = await EdgeServer.Start();
        using var anonymous = new HttpClient { BaseAddress = server.BaseUri };
        Assert.AreEqual(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        using var release = new ManualResetEventSlim();
        server.Host.Loop.Post(() => release.Wait(TimeSpan.FromSeconds(10)));
        try
        {
            using var hung = await anonymous.GetAsync("/healthz");
            Assert.AreEqual(HttpStatusCode.ServiceUnavailable, hung.StatusCode);
            StringAssert.Contains(await hung.Content.ReadAsStringAsync(), "event loop not responding");
        }
        finally
        {
            release.Set();
        }
        Assert.AreEqual(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
    }
}
