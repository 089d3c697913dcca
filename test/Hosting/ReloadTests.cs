using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using Edge.Hosting;
using Edge.Tests.Support;

namespace Edge.Tests.Hosting;

[TestClass]
public sealed class ReloadTests
{
    [TestMethod]
    public async Task SighupReloadsLimitsAndUsersWhileRunning()
    {
        Signals.MustNotBeIgnored(IgnoredSignals.Hangup, "SIGHUP");
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("\"WebSocket\":{\"MaxClients\":5},"));
        using var first = await server.Connect();
        string configPath = Path.Combine(Path.GetDirectoryName(server.DataDir)!, "edge.json");
        File.WriteAllText(configPath, EdgeServer.ConfigWithUsers("\"WebSocket\":{\"MaxClients\":1},"));

        using (var kill = Process.Start("kill", ["-HUP", Environment.ProcessId.ToString()]))
            await kill.WaitForExitAsync();
        await Eventually.True(() => server.Log.Lines.Any(l => l.Contains("Configuration reloaded")), "the reload was logged");

        var refused = new ClientWebSocket { Options = { CollectHttpResponseDetails = true } };
        refused.Options.SetRequestHeader("Authorization", EdgeServer.BasicAuth(EdgeServer.User, EdgeServer.Password).ToString());
        await Assert.ThrowsAsync<WebSocketException>(() => refused.ConnectAsync(server.ApiSocketUri, CancellationToken.None));
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, refused.HttpStatusCode, "the new limit of 1 applies");
        Assert.AreEqual("pong", (await first.Call("ping")).GetProperty("result").GetString(), "the open session was kept");
    }

    [TestMethod]
    public async Task AnInvalidReloadKeepsTheRunningConfiguration()
    {
        await using var server = await EdgeServer.Start();
        string configPath = Path.Combine(Path.GetDirectoryName(server.DataDir)!, "edge.json");
        File.WriteAllText(configPath, """{"Auth":{"Users":[]},"WebSocket":{"MaxClients":-5}}""");
        await server.Host.Loop.InvokeAsync(() => server.Host.Reload());
        Assert.IsTrue(server.Log.Lines.Any(l => l.StartsWith("Error") && l.Contains("WebSocket:MaxClients")
            && l.Contains("keeping the running one")));
        Assert.AreEqual("pong", (await server.Call("ping")).GetProperty("result").GetString(), "the old users still work");
    }
}
