using Edge.Api;
using Edge.Tests.Support;
using static Edge.Tests.Gpio.GpioFixtures;

namespace Edge.Tests.Gpio;

[TestClass]
public sealed class GpioOutputTests
{
    private static EdgeServer _server = null!;

    [ClassInitialize]
    public static async Task Start(TestContext _)
    {
        _server = await EdgeServer.Start(Config("""
            ,{"name":"led","line":4,"direction":"output","activeLow":true,"initial":1}
            """));
        await WaitForState(_server, "gpio.ir_cut", 0);
    }

    [ClassCleanup]
    public static async Task Stop() => await _server.DisposeAsync();

    [TestMethod]
    public async Task GpioSetAndStateSetDriveTheLine()
    {
        var memory = Memory(_server);
        var reply = await _server.Call("gpio.set", new { name = "ir_cut", value = 1 });
        Assert.AreEqual(1, reply.GetProperty("result").GetProperty("value").GetInt32(), reply.ToString());
        Assert.AreEqual(1, memory.Level(Chip, IrCut));
        Assert.AreEqual(1, (await StateOf(_server, "gpio.ir_cut"))!.Value.GetInt32());

        using var watcher = await _server.Connect();
        await watcher.Call("state.subscribe", new { prefixes = new[] { "gpio.ir_cut" } });
        var set = await _server.Call("state.set", new { key = "gpio.ir_cut", value = 0 });
        Assert.AreEqual("gpio.ir_cut", set.GetProperty("result").GetProperty("key").GetString(), set.ToString());
        await WaitForPush(watcher, "gpio.ir_cut", 0);
        Assert.AreEqual(0, memory.Level(Chip, IrCut));
    }

    [TestMethod]
    public async Task ActiveLowOutputsDriveTheInvertedLevel()
    {
        var memory = Memory(_server);
        await WaitForState(_server, "gpio.led", 1);
        Assert.AreEqual(0, memory.Level(Chip, 4));
        await _server.Call("gpio.set", new { name = "led", value = 0 });
        Assert.AreEqual(1, memory.Level(Chip, 4));
    }

    [TestMethod]
    public async Task BadWritesAreRefusedClearlyAndChangeNothing()
    {
        var memory = Memory(_server);
        await _server.Call("gpio.set", new { name = "ir_cut", value = 1 });
        (string Method, object Params, int Code, string Message)[] bad =
        [
            ("gpio.set", new { name = "nope", value = 1 }, ApiErrorCode.InvalidParams,
                "No GPIO pin is named 'nope' (pins: ir_cut, button, led)."),
            ("gpio.set", new { name = "button", value = 0 }, ApiErrorCode.Forbidden,
                "GPIO pin 'button' is an input; only outputs can be set."),
            ("gpio.set", new { name = "ir_cut", value = 2 }, ApiErrorCode.InvalidParams, "GPIO pin 'ir_cut' takes 0 or 1 (got 2)."),
            ("gpio.set", new { name = "ir_cut", value = "0" }, ApiErrorCode.InvalidParams, "GPIO pin 'ir_cut' takes 0 or 1 (got string)."),
            ("gpio.set", new { name = "ir_cut", value = 0.5 }, ApiErrorCode.InvalidParams, "GPIO pin 'ir_cut' takes 0 or 1 (got 0.5)."),
            ("gpio.set", new { name = "ir_cut" }, ApiErrorCode.InvalidParams, "params.value is required."),
            ("state.set", new { key = "gpio.button", value = 0 }, ApiErrorCode.Forbidden,
                "GPIO pin 'button' is an input; only outputs can be set."),
            ("state.set", new { key = "gpio.nope", value = 0 }, ApiErrorCode.InvalidParams,
                "No GPIO pin is named 'nope' (pins: ir_cut, button, led)."),
            ("state.set", new { key = "gpio.ir_cut", value = true }, ApiErrorCode.InvalidParams,
                "GPIO pin 'ir_cut' takes 0 or 1 (got true)."),
            ("state.set", new { key = "gpio.status", value = 0 }, ApiErrorCode.InvalidParams,
                "No GPIO pin is named 'status' (pins: ir_cut, button, led)."),
        ];
        foreach (var (method, parameters, code, message) in bad)
        {
            var reply = await _server.Call(method, parameters);
            Assert.AreEqual(code, Replies.ErrorCode(reply), reply.ToString());
            Assert.AreEqual(message, reply.GetProperty("error").GetProperty("message").GetString());
        }
        Assert.AreEqual(1, memory.Level(Chip, IrCut));
        Assert.AreEqual(1, (await StateOf(_server, "gpio.ir_cut"))!.Value.GetInt32());
        Assert.AreEqual(1, (await StateOf(_server, "gpio.button"))!.Value.GetInt32());
    }

    [TestMethod]
    public async Task ChipsListTheLinesWithTheirConsumersAndFlags()
    {
        var result = (await _server.Call("gpio.chips")).GetProperty("result");
        Assert.AreEqual("memory", result.GetProperty("driver").GetString());
        var chip = result.GetProperty("chips")[0];
        Assert.AreEqual(Chip, chip.GetProperty("name").GetString());
        Assert.AreEqual(64, chip.GetProperty("lines").GetArrayLength());
        var irCut = chip.GetProperty("lines")[IrCut];
        Assert.AreEqual("edge:ir_cut", irCut.GetProperty("consumer").GetString());
        CollectionAssert.AreEqual(new[] { "used", "output" },
            irCut.GetProperty("flags").EnumerateArray().Select(f => f.GetString()).ToArray());
        var button = chip.GetProperty("lines")[Button];
        CollectionAssert.AreEqual(new[] { "used", "input", "edge-rising", "edge-falling", "pull-up" },
            button.GetProperty("flags").EnumerateArray().Select(f => f.GetString()).ToArray());
        Assert.AreEqual(20_000, button.GetProperty("debounceUs").GetInt32());
        Assert.AreEqual(0, chip.GetProperty("lines")[0].GetProperty("flags").GetArrayLength());
    }
}
