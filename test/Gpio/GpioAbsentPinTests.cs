using System.Net;
using Edge.Api;
using Edge.Gpio;
using Edge.Tests.Support;
using static Edge.Tests.Gpio.GpioFixtures;

namespace Edge.Tests.Gpio;

[TestClass]
public sealed class GpioAbsentPinTests
{
    [TestMethod]
    public async Task WithoutTheirChipPinsAreAbsentOneWarningSaysWhyAndTheRestOfEdgeRuns()
    {
        // The chardev driver, as on a board; no machine has chips this high.
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("""
            "Gpio":{"Pins":[{"Name":"ir_cut","Chip":"gpiochip998","Line":17,"Direction":"output"},
                            {"Name":"button","Chip":"gpiochip999","Line":27,"Edge":"falling"}]},
            """));
        await Eventually.True(async () => await StateOf(server, "gpio.status") != null, "gpio.status");
        var status = (await StateOf(server, "gpio.status"))!.Value;
        Assert.AreEqual("chardev", status.GetProperty("driver").GetString());
        var pins = status.GetProperty("pins");
        Assert.IsFalse(pins[0].GetProperty("open").GetBoolean());
        Assert.AreEqual("gpiochip998 does not exist", pins[0].GetProperty("error").GetString());
        Assert.AreEqual("gpiochip999 does not exist", pins[1].GetProperty("error").GetString());
        Assert.IsNull(await StateOf(server, "gpio.ir_cut"), "an absent pin has no state");

        var set = await server.Call("gpio.set", new { name = "ir_cut", value = 1 });
        Assert.AreEqual(ApiErrorCode.Unavailable, Replies.ErrorCode(set));
        Assert.AreEqual("GPIO pin 'ir_cut' is not available: gpiochip998 does not exist.",
            set.GetProperty("error").GetProperty("message").GetString());

        Assert.AreEqual("running", (await StateOf(server, "service.gpio"))!.Value.GetString());
        Assert.AreEqual(HttpStatusCode.OK, (await server.Http.GetAsync("/readyz")).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await server.Http.GetAsync("/snapshot.jpg")).StatusCode);
        var warnings = server.Log.Lines.Where(line => line.Contains("GPIO pins absent")).ToList();
        Assert.HasCount(1, warnings);
        StringAssert.Contains(warnings[0], "ir_cut: gpiochip998 does not exist; button: gpiochip999 does not exist");
    }

    [TestMethod]
    public async Task AnAbsentPinOpensWhenItsChipAppearsAndItsEdgesArrive()
    {
        var clock = new ManualClock();
        await using var server = await EdgeServer.Start(Config("""
            ,{"name":"late","chip":"gpiochip1","line":3,"direction":"input","edge":"both"}
            """), clock);
        var events = Events(server);
        await WaitForState(server, "gpio.button", 1);
        Assert.AreEqual("gpiochip1 does not exist",
            (await StateOf(server, "gpio.status"))!.Value.GetProperty("pins")[2].GetProperty("error").GetString());

        Memory(server).AddChip("gpiochip1", 8);
        await Eventually.True(async () =>
        {
            clock.Advance(GpioService.RetryInterval);
            return await StateOf(server, "gpio.late") != null;
        }, "the retry opens the pin");
        Assert.IsTrue((await StateOf(server, "gpio.status"))!.Value.GetProperty("pins")[2].GetProperty("open").GetBoolean());

        Memory(server).SetLevel("gpiochip1", 3, 1);
        await Eventually.True(() => events.Any(edge => edge.Pin == "late" && edge.Edge == "rising"), "the new input's edge");
        Assert.IsTrue(server.Log.Lines.Any(line => line.Contains("GPIO pin late (gpiochip1 line 3) is open")));
    }

    [TestMethod]
    public async Task WithoutPinsThereIsNoGpioServiceButChipsCanBeListed()
    {
        await using var server = await EdgeServer.Start();
        var result = (await server.Call("gpio.chips")).GetProperty("result");
        Assert.AreEqual("chardev", result.GetProperty("driver").GetString());
        Assert.AreEqual(Directory.GetFiles("/dev", "gpiochip*").Length, result.GetProperty("chips").GetArrayLength());
        Assert.IsNull(await StateOf(server, "service.gpio"));
        Assert.IsNull(await StateOf(server, "gpio.status"));
    }
}
