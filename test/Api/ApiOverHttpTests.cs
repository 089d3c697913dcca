using System.Net;
using System.Text;
using System.Text.Json;
using Edge.Api;
using Edge.Tests.Support;

namespace Edge.Tests.Api;

[TestClass]
public sealed class ApiOverHttpTests
{
    private static EdgeServer _server = null!;

    [ClassInitialize]
    public static async Task Start(TestContext _) => _server = await EdgeServer.Start();

    [ClassCleanup]
    public static async Task Stop() => await _server.DisposeAsync();

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostRaw(string body, string contentType = "application/json")
    {
        using var response = await _server.Http.PostAsync("/api", new StringContent(body, Encoding.UTF8, contentType));
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    [TestMethod]
    public async Task PingAnswersPongWithTheRequestId()
    {
        var (status, reply) = await PostRaw("""{"id":"abc","method":"ping"}""");
        Assert.AreEqual(HttpStatusCode.OK, status);
        Assert.AreEqual("abc", reply.GetProperty("id").GetString());
        Assert.AreEqual("pong", reply.GetProperty("result").GetString());
    }

    [TestMethod]
    public async Task MalformedJsonGetsAParseErrorAndTheServerKeepsServing()
    {
        var (status, reply) = await PostRaw("""{"id":1,"method":"ping""");
        Assert.AreEqual(HttpStatusCode.OK, status);
        Assert.AreEqual(ApiErrorCode.ParseError, Replies.ErrorCode(reply));
        StringAssert.Contains(reply.GetProperty("error").GetProperty("message").GetString(), "Malformed JSON");
        Assert.AreEqual("pong", (await _server.Call("ping")).GetProperty("result").GetString());
    }

    [TestMethod]
    public async Task InvalidUtf8InsideAStringIsAParseErrorNotAServerError()
    {
        // JsonDocument accepts these bytes until the string is read; found by WireFuzzTests.
        byte[] body = [.. "{\"id\":1,\"method\":\"pi"u8, 0xD8, 0xD8, .. "ng\"}"u8];
        using var response = await _server.Http.PostAsync("/api",
            new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } });
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        var reply = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.AreEqual(ApiErrorCode.ParseError, Replies.ErrorCode(reply));
        StringAssert.Contains(reply.GetProperty("error").GetProperty("message").GetString(), "not valid UTF-8");
    }

    [TestMethod]
    public async Task RequestsThatAreNotEnvelopesGetInvalidRequest()
    {
        foreach (var body in new[] { "[1,2]", "42", """{"id":1}""", """{"id":1,"method":7}""", """{"id":{"a":1},"method":"ping"}""" })
            Assert.AreEqual(ApiErrorCode.InvalidRequest, Replies.ErrorCode((await PostRaw(body)).Body), body);
        Assert.AreEqual(ApiErrorCode.InvalidParams, Replies.ErrorCode((await PostRaw("""{"id":1,"method":"ping","params":[1]}""")).Body));
    }

    [TestMethod]
    public async Task UnknownMethodsAndBadParamsGetErrorsThatNameTheProblem()
    {
        var unknown = await _server.Call("no.such.method");
        Assert.AreEqual(ApiErrorCode.MethodNotFound, Replies.ErrorCode(unknown));
        StringAssert.Contains(unknown.GetProperty("error").GetProperty("message").GetString(), "no.such.method");
        var bad = await _server.Call("state.set", new { key = 5 });
        Assert.AreEqual(ApiErrorCode.InvalidParams, Replies.ErrorCode(bad));
        StringAssert.Contains(bad.GetProperty("error").GetProperty("message").GetString(), "params.key");
    }

    [TestMethod]
    public async Task DeeplyNestedJsonIsRefusedWithoutHarm()
    {
        string deep = """{"id":1,"method":"state.set","params":{"key":"user.deep","value":""" + new string('[', 200) +
            new string(']', 200) + "}}";
        Assert.AreEqual(ApiErrorCode.ParseError, Replies.ErrorCode((await PostRaw(deep)).Body));
        Assert.AreEqual(0,
            (await _server.Call("state.get", new { keys = new[] { "user.deep" } })).GetProperty("result").EnumerateObject().Count());
    }

    [TestMethod]
    public async Task OversizedBodiesGet413AndChangeNothing()
    {
        string value = new('x', Edge.Web.ApiEndpoints.MaxBodyBytes);
        string body = JsonSerializer.Serialize(new { id = 1, method = "state.set", @params = new { key = "user.big", value } });
        var (status, reply) = await PostRaw(body);
        Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.AreEqual(ApiErrorCode.LimitExceeded, Replies.ErrorCode(reply));
        Assert.AreEqual(0,
            (await _server.Call("state.get", new { keys = new[] { "user.big" } })).GetProperty("result").EnumerateObject().Count());
    }

    [TestMethod]
    public async Task OtherHttpMethodsOnApiGet405()
    {
        using var response = await _server.Http.GetAsync("/api");
        Assert.AreEqual(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [TestMethod]
    public async Task SystemInfoReportsVersionUptimeAndRuntimeMetrics()
    {
        var info = (await _server.Call("system.info")).GetProperty("result");
        Assert.AreEqual(Program.Version, info.GetProperty("version").GetString());
        Assert.IsGreaterThanOrEqualTo(0.0, info.GetProperty("uptimeSeconds").GetDouble());
        var loop = info.GetProperty("loop");
        Assert.IsGreaterThan(0L, loop.GetProperty("itemsRun").GetInt64());
        Assert.IsTrue(loop.GetProperty("lag").TryGetProperty("p99Ms", out _));
        Assert.IsTrue(loop.TryGetProperty("busyRatio", out _));
        var pool = info.GetProperty("pool");
        Assert.AreEqual(Environment.ProcessorCount, pool.GetProperty("workers").GetInt32());
        Assert.IsTrue(pool.TryGetProperty("rejected", out _));
        Assert.IsGreaterThan(0L, info.GetProperty("memory").GetProperty("workingSetBytes").GetInt64());
    }

    [TestMethod]
    public async Task SubscribingNeedsAWebSocket()
    {
        var reply = await _server.Call("state.subscribe", new { prefixes = new[] { "" } });
        Assert.AreEqual(ApiErrorCode.Unsupported, Replies.ErrorCode(reply));
    }
}
