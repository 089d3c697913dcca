using System.Text;
using System.Text.Json;
using Edge.Tests.Support;

namespace Edge.Tests.Web;

/// <summary>RFC 6455 rules, driven by a client that breaks them on purpose.</summary>
[TestClass]
public sealed class WebSocketProtocolTests
{
    private static EdgeServer _server = null!;

    [ClassInitialize]
    public static async Task Start(TestContext _) => _server = await EdgeServer.Start();

    [ClassCleanup]
    public static async Task Stop() => await _server.DisposeAsync();

    private static async Task<RawWebSocket> Open()
    {
        var (socket, response) = await RawWebSocket.Connect(_server.BaseUri);
        StringAssert.StartsWith(response, "HTTP/1.1 101");
        // The RFC's own example: key "dGhlIHNhbXBsZSBub25jZQ==" is answered with this accept value.
        StringAssert.Contains(response, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        return socket;
    }

    private static async Task AssertServerStillServes()
    {
        using var client = await _server.Connect();
        Assert.AreEqual("pong", (await client.Call("ping")).GetProperty("result").GetString());
    }

    [TestMethod]
    public async Task AFragmentedMessageIsReassembledAndPingsAreAnsweredBetweenFragments()
    {
        using var socket = await Open();
        await socket.SendText("""{"id":7,"met""", fin: false);
        await socket.SendFrame(0x89, "hi"u8); // ping between fragments
        await socket.SendText("""hod":"ping"}""", fin: true, continuation: true);
        var (opcode, payload) = await socket.ReadFrame();
        Assert.AreEqual(0xA, opcode, "pong first");
        CollectionAssert.AreEqual("hi"u8.ToArray(), payload);
        (opcode, payload) = await socket.ReadFrame();
        Assert.AreEqual(0x1, opcode);
        Assert.AreEqual("pong", JsonDocument.Parse(payload).RootElement.GetProperty("result").GetString());
    }

    [TestMethod]
    [DataRow(false, (byte)0x81, "unmasked")]
    [DataRow(true, (byte)0xC1, "reserved bit")]
    [DataRow(true, (byte)0x83, "unknown opcode")]
    [DataRow(true, (byte)0x80, "continuation without a message")]
    [DataRow(true, (byte)0x09, "fragmented control frame")]
    public async Task ProtocolViolationsCloseWith1002AndOthersAreUnaffected(bool mask, byte firstByte, string what)
    {
        using var socket = await Open();
        await socket.SendFrame(firstByte, "{}"u8, mask);
        Assert.AreEqual(1002, await socket.ReadClose(), what);
        await AssertServerStillServes();
    }

    [TestMethod]
    public async Task AnOversizedControlFrameClosesWith1002()
    {
        using var socket = await Open();
        await socket.SendFrame(0x89, new byte[126]);
        Assert.AreEqual(1002, await socket.ReadClose());
    }

    [TestMethod]
    public async Task InvalidUtf8TextClosesWith1007()
    {
        using var socket = await Open();
        await socket.SendFrame(0x81, new byte[] { 0x7B, 0xC3, 0x28, 0x7D });
        Assert.AreEqual(1007, await socket.ReadClose());
        await AssertServerStillServes();
    }

    [TestMethod]
    [DataRow(new byte[] { 0x03, 0xED }, 1002, "1005 may not be sent")]
    [DataRow(new byte[] { 0x00, 0x10 }, 1002, "16 is no close code")]
    [DataRow(new byte[] { 0x03, 0xE8, 0xC3, 0x28 }, 1007, "reason not UTF-8")]
    public async Task InvalidCloseFramesAreAnsweredWithAnError(byte[] payload, int expected, string what)
    {
        using var socket = await Open();
        await socket.SendFrame(0x88, payload);
        Assert.AreEqual(expected, await socket.ReadClose(), what);
    }

    [TestMethod]
    public async Task ASessionSubscribesToAtMost64PrefixesOfBoundedLength()
    {
        using var client = await _server.Connect();
        var prefixes = Enumerable.Range(0, 64).Select(i => $"user.p{i}.").ToArray();
        Assert.AreEqual(64,
            (await client.Call("state.subscribe", new { prefixes })).GetProperty("result").GetProperty("prefixes").GetArrayLength());
        var tooMany = await client.Call("state.subscribe", new { prefixes = new[] { "user.one-more." } });
        Assert.AreEqual(Edge.Api.ApiErrorCode.LimitExceeded, Replies.ErrorCode(tooMany));
        var fewer = await client.Call("state.unsubscribe", new { prefixes = new[] { "user.p0." } });
        Assert.AreEqual(63, fewer.GetProperty("result").GetProperty("prefixes").GetArrayLength());
        Assert.AreEqual(Edge.Api.ApiErrorCode.InvalidParams,
            Replies.ErrorCode(await client.Call("state.subscribe", new { prefixes = new[] { new string('p', 200) } })));
    }

    [TestMethod]
    public async Task AClientCloseIsAnsweredWithTheSameCode()
    {
        using var socket = await Open();
        await socket.SendFrame(0x88, new byte[] { 0x03, 0xE8 });
        Assert.AreEqual(1000, await socket.ReadClose());
    }

    [TestMethod]
    public async Task BadHandshakesAreRefusedWithAnHttpError()
    {
        var (old, response) = await RawWebSocket.Connect(_server.BaseUri, version: "8");
        using (old) StringAssert.StartsWith(response, "HTTP/1.1 426");
        StringAssert.Contains(response, "Sec-WebSocket-Version: 13");
        var (badKey, response2) = await RawWebSocket.Connect(_server.BaseUri, key: "short");
        using (badKey) StringAssert.StartsWith(response2, "HTTP/1.1 400");
        await AssertServerStillServes();
    }

    [TestMethod]
    public async Task LargeRepliesUseExtendedLengths()
    {
        using var socket = await Open();
        string value = new('v', 3000);
        await socket.SendText(JsonSerializer.Serialize(new { id = 1, method = "state.set", @params = new { key = "user.long", value } }));
        await socket.ReadFrame();
        await socket.SendText("""{"id":2,"method":"state.get","params":{"keys":["user.long"]}}""");
        var (_, payload) = await socket.ReadFrame();
        Assert.AreEqual(value, JsonDocument.Parse(payload).RootElement.GetProperty("result").GetProperty("user.long").GetString());
        Assert.IsGreaterThan(125, Encoding.UTF8.GetString(payload).Length);
    }
}
