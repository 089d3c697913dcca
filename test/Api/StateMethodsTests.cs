using System.Text.Json;
using Edge.Api;
using Edge.State;
using Edge.Tests.Support;

namespace Edge.Tests.Api;

[TestClass]
public sealed class StateMethodsTests
{
    private static EdgeServer _server = null!;

    [ClassInitialize]
    public static async Task Start(TestContext _) => _server = await EdgeServer.Start();

    [ClassCleanup]
    public static async Task Stop() => await _server.DisposeAsync();

    [TestMethod]
    public async Task UserValuesRoundTripWithGrowingVersions()
    {
        var first = await _server.Call("state.set",
            new { key = "user.dashboard", value = new { layout = "grid", panes = new[] { 1, 2 } } });
        long v1 = first.GetProperty("result").GetProperty("version").GetInt64();
        var second = await _server.Call("state.set", new { key = "user.dashboard", value = "list" });
        Assert.AreEqual(v1 + 1, second.GetProperty("result").GetProperty("version").GetInt64());
        var got = (await _server.Call("state.get", new { keys = new[] { "user.dashboard", "user.missing" } })).GetProperty("result");
        Assert.AreEqual("list", got.GetProperty("user.dashboard").GetString());
        Assert.IsFalse(got.TryGetProperty("user.missing", out _), "unknown keys are left out");
    }

    [TestMethod]
    public async Task StateGetWithoutKeysReturnsEverything()
    {
        await _server.Call("state.set", new { key = "user.everything", value = 1 });
        var all = (await _server.Call("state.get")).GetProperty("result");
        Assert.AreEqual(1, all.GetProperty("user.everything").GetInt32());
        Assert.IsTrue(all.TryGetProperty("system.websocket_clients", out _));
    }

    [TestMethod]
    public async Task KeysOwnedByAPartCannotBeSetByClients()
    {
        var reply = await _server.Call("state.set", new { key = "system.websocket_clients", value = 99 });
        Assert.AreEqual(ApiErrorCode.Forbidden, Replies.ErrorCode(reply));
        var created = await _server.Call("state.set", new { key = "made.up.key", value = 5 });
        Assert.AreEqual(ApiErrorCode.Forbidden, Replies.ErrorCode(created));
        var got = (await _server.Call("state.get",
            new { keys = new[] { "system.websocket_clients", "made.up.key" } })).GetProperty("result");
        Assert.AreNotEqual(99, got.GetProperty("system.websocket_clients").GetInt32());
        Assert.IsFalse(got.TryGetProperty("made.up.key", out _));
    }

    [TestMethod]
    public async Task ALoneSurrogateInAnyStringIsInvalidParamsWithoutAnErrorLog()
    {
        int errors = _server.Log.Lines.Count(l => l.StartsWith("Error", StringComparison.Ordinal) || l.Contains("failed:"));
        foreach (string body in new[]
        {
            """{"id":1,"method":"state.set","params":{"key":"user.s","value":"\ud800"}}""",
            """{"id":1,"method":"state.set","params":{"key":"user.s","value":{"a":["x\udc00y"]}}}""",
            """{"id":1,"method":"events.add","params":{"kind":"user.s","data":"\ud83d\u0041"}}""",
            """{"id":1,"method":"state.set","params":{"key":"user.\ud800","value":1}}""",
        })
        {
            using var response = await _server.Http.PostAsync("/api",
                new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            var reply = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.AreEqual(ApiErrorCode.InvalidParams, reply.GetProperty("error").GetProperty("code").GetInt32(), body + " → " + reply);
        }
        Assert.AreEqual(errors, _server.Log.Lines.Count(l => l.StartsWith("Error", StringComparison.Ordinal) || l.Contains("failed:")),
            string.Join("\n", _server.Log.Lines));
        // A pair, and an escaped backslash before "ud800", are text.
        var pair = await _server.Call("state.set", new { key = "user.s", value = "\ud83d\ude00 and \\ud800" });
        Assert.IsTrue(pair.TryGetProperty("result", out _), pair.ToString());
    }

    [TestMethod]
    public void LoneSurrogatesAreFoundAndPairsAndEscapedBackslashesAreNot()
    {
        static bool In(string json) => LoneSurrogates.In(System.Text.Encoding.UTF8.GetBytes(json));
        Assert.IsTrue(In("\"\\ud800\""));
        Assert.IsTrue(In("\"\\udfff\""));
        Assert.IsTrue(In("\"\\uD800\\u0041\""));
        Assert.IsTrue(In("\"\\ud800"));
        Assert.IsFalse(In("\"\\ud83d\\ude00\""));
        Assert.IsFalse(In("\"\\\\ud800\""));
        Assert.IsFalse(In("\"\\u0041\\n\\\"\""));
        Assert.IsFalse(In("{}"));
    }

    [TestMethod]
    public async Task InvalidKeysAreRefused()
    {
        foreach (var key in new[] { "user.", "user.a b", "user.<script>", "user." + new string('k', 200) })
            Assert.AreEqual(ApiErrorCode.InvalidParams, Replies.ErrorCode(await _server.Call("state.set", new { key, value = 1 })), key);
    }

    [TestMethod]
    public async Task UserValuesAreLimitedTo4KilobytesOfJson()
    {
        string fits = new('a', StateStore.MaxUserValueBytes - 2);
        Assert.IsTrue((await _server.Call("state.set", new { key = "user.size", value = fits })).TryGetProperty("result", out _));
        var tooBig = await _server.Call("state.set", new { key = "user.size", value = fits + "a" });
        Assert.AreEqual(ApiErrorCode.LimitExceeded, Replies.ErrorCode(tooBig));
        var got = (await _server.Call("state.get", new { keys = new[] { "user.size" } })).GetProperty("result");
        Assert.AreEqual(fits, got.GetProperty("user.size").GetString(), "the refused write changed nothing");
    }

    [TestMethod]
    public async Task AtMost256UserKeysCanExist()
    {
        await using var server = await EdgeServer.Start();
        for (int i = 0; i < StateStore.MaxUserKeys; i++)
            Assert.IsTrue((await server.Call("state.set", new { key = $"user.k{i}", value = i })).TryGetProperty("result", out _),
                $"key {i}");
        Assert.AreEqual(ApiErrorCode.LimitExceeded,
            Replies.ErrorCode(await server.Call("state.set", new { key = "user.one-too-many", value = 1 })));
        Assert.IsTrue((await server.Call("state.set",
            new { key = "user.k0", value = "existing keys stay writable" })).TryGetProperty("result", out _));
    }
}
