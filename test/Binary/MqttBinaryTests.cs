using System.Text.Json;
using Edge.Tests.Support;

namespace Edge.Tests.Binary;

/// <summary>The published binary on a real broker: its documents and state under native AOT, and its will when it is killed.</summary>
[TestClass]
public sealed class MqttBinaryTests
{
    [ClassInitialize]
    public static Task Publish(TestContext _) => PublishedBinary.Ensure();

    [TestMethod]
    public async Task AKilledEdgeIsOfflineByItsWillAndOnlineAgainWhenItComesBack()
    {
        await using var broker = await MosquittoBroker.Start();
        await using var watcher = await broker.Watch("#");
        using var scratch = new ScratchFolder("edge-mqtt-kill-");
        string config = scratch.PathOf("edge.json");
        await File.WriteAllTextAsync(config, EdgeServer.ConfigWithUsers($$"""
            "Camera":{"Width":64,"Height":48,"Fps":5},
            "Gpio":{"Driver":"memory","Pins":[{"Name":"light","Line":6,"Direction":"output"}]},
            "Mqtt":{"Host":"127.0.0.1","Port":{{broker.Port}},"TopicPrefix":"garage/cam"},
            """));
        string data = scratch.PathOf("data");

        await using (var edge = await EdgeProcess.Start("--config", config, "--data-dir", data))
        {
            await watcher.Latest("garage/cam/availability", m => m == "online");
            // The documents and state, as the native binary writes them.
            await Eventually.True(() => watcher.Messages.Any(m => m.Topic.EndsWith("/gpio_light/config", StringComparison.Ordinal)),
                "the switch's document");
            var light = JsonDocument.Parse(watcher.Messages.Last(m => m.Topic.EndsWith("/gpio_light/config", StringComparison.Ordinal))
                .Payload).RootElement;
            Assert.AreEqual("garage/cam/set/gpio.light", light.GetProperty("command_topic").GetString());
            await broker.Publish("garage/cam/set/gpio.light", "1");
            Assert.AreEqual("1", await watcher.Latest("garage/cam/state/gpio.light", m => m == "1"));

            edge.Kill();
            await edge.WaitForExit(TimeSpan.FromSeconds(10));
            Assert.AreEqual("offline", await watcher.Latest("garage/cam/availability", m => m == "offline", 5000),
                "the broker published the will");
        }

        await using var again = await EdgeProcess.Start("--config", config, "--data-dir", data);
        await watcher.Latest("garage/cam/availability", m => m == "online");
        Assert.AreEqual(3, watcher.On("garage/cam/availability").Count, "online, offline (the will), online: " +
            string.Join(", ", watcher.On("garage/cam/availability").Select(m => m.Text)));
    }
}
