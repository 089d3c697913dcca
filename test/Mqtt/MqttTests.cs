using System.Diagnostics;
using System.Text.Json;
using Edge.Onvif;
using Edge.Tests.Camera;
using Edge.Tests.Support;

namespace Edge.Tests.Mqtt;

/// <summary>
/// Edge on a real broker (mosquitto), watched with mosquitto_sub and commanded with mosquitto_pub: Home
/// Assistant's discovery documents, state as it changes, commands, availability, and a broker that is
/// down, hangs or comes back.
/// </summary>
[TestClass]
public sealed class MqttTests
{
    private const string Prefix = "cam1";

    private readonly List<TestLog> _logs = [];

    public TestContext TestContext { get; set; } = null!;

    // A failed test shows what Edge logged: the MQTT session's story is in its log lines.
    [TestCleanup]
    public void ShowLogsOfAFailure()
    {
        if (TestContext.CurrentTestOutcome == UnitTestOutcome.Passed) return;
        foreach (var log in _logs) TestContext.WriteLine(string.Join("\n", log.Lines));
    }

    private async Task<EdgeServer> Start(string config)
    {
        var server = await EdgeServer.Start(config);
        _logs.Add(server.Log);
        return server;
    }

    private static string Config(int port, string mqtt = "", string more = "", string host = "127.0.0.1", int sensorSeconds = 1)
        => EdgeServer.ConfigWithUsers($$"""
        "Camera":{"Source":"testpattern","Width":{{CameraFixtures.Width}},"Height":{{CameraFixtures.Height}},"Fps":{{CameraFixtures.Fps}}},
        "Gpio":{"Driver":"memory","Pins":[{"Name":"door","Line":5,"Direction":"input","Edge":"both"},
          {"Name":"light","Line":6,"Direction":"output"}]},
        "Mqtt":{"Host":"{{host}}","Port":{{port}},"TopicPrefix":"{{Prefix}}","SensorSeconds":{{sensorSeconds}}{{mqtt}}},
        {{more}}
        """);

    [TestMethod]
    public async Task DiscoveryDescribesOneDeviceWithMotionGpioSystemSensorsAndTheCameraAndItsTopicsCarryValues()
    {
        await using var broker = await MosquittoBroker.Start();
        await using var watcher = await broker.Watch("#");
        await using var server = await Start(Config(broker.Port));
        string id = File.ReadAllText(Path.Combine(server.DataDir, DeviceIdentity.FileName)).Trim();
        string node = "edge_" + id;

        // Nine, and a tenth for the temperature where the machine has a thermal zone.
        await Eventually.True(() => watcher.Messages.Count(m => m.Topic.StartsWith("homeassistant/", StringComparison.Ordinal)) >= 9,
            "the discovery documents", 10_000);
        int expected = (await server.State("system.temperatures"))?.GetArrayLength() > 0 ? 10 : 9;
        await Eventually.True(() => watcher.Messages.Count(m => m.Topic.StartsWith("homeassistant/", StringComparison.Ordinal)) == expected,
            $"{expected} discovery documents", 5000);
        var documents = watcher.Messages.Where(m => m.Topic.StartsWith("homeassistant/", StringComparison.Ordinal))
            .ToDictionary(m => m.Topic, m => JsonDocument.Parse(m.Payload).RootElement);
        var motion = documents[$"homeassistant/binary_sensor/{node}/motion/config"];
        Assert.AreEqual("motion", motion.GetProperty("device_class").GetString());
        Assert.AreEqual($"{Prefix}/state/motion.active", motion.GetProperty("state_topic").GetString());
        Assert.AreEqual("true", motion.GetProperty("payload_on").GetString());
        var light = documents[$"homeassistant/switch/{node}/gpio_light/config"];
        Assert.AreEqual($"{Prefix}/set/gpio.light", light.GetProperty("command_topic").GetString());
        Assert.AreEqual($"{Prefix}/state/gpio.light", light.GetProperty("state_topic").GetString());
        var door = documents[$"homeassistant/binary_sensor/{node}/gpio_door/config"];
        Assert.IsFalse(door.TryGetProperty("command_topic", out _), "an input takes no commands");
        var camera = documents[$"homeassistant/camera/{node}/snapshot/config"];
        Assert.AreEqual($"{Prefix}/snapshot", camera.GetProperty("topic").GetString());
        foreach (string sensor in new[] { "cpu", "memory", "edge_memory", "disk_free", "camera" })
            Assert.IsTrue(documents.ContainsKey($"homeassistant/sensor/{node}/{sensor}/config"), sensor);
        // One device, every entity unique, every one offline when Edge is.
        Assert.IsTrue(documents.Values.All(d => d.GetProperty("device").GetProperty("identifiers")[0].GetString() == node));
        Assert.AreEqual(documents.Count, documents.Values.Select(d => d.GetProperty("unique_id").GetString()).Distinct().Count());
        Assert.IsTrue(documents.Values.All(d => d.GetProperty("availability_topic").GetString() == $"{Prefix}/availability"));

        // Each state topic a document names carries a value its template can read.
        Assert.AreEqual("online", await watcher.Latest($"{Prefix}/availability"));
        Assert.AreEqual("false", await watcher.Latest($"{Prefix}/state/motion.active"));
        Assert.AreEqual("0", await watcher.Latest($"{Prefix}/state/gpio.light"));
        Assert.AreEqual("0", await watcher.Latest($"{Prefix}/state/gpio.door"));
        var cpu = JsonDocument.Parse(await watcher.Latest($"{Prefix}/state/system.cpu")).RootElement;
        Assert.AreEqual(JsonValueKind.Number, cpu.GetProperty("total").ValueKind);
        var memory = JsonDocument.Parse(await watcher.Latest($"{Prefix}/state/system.memory")).RootElement;
        Assert.IsGreaterThan(0L, memory.GetProperty("processRssBytes").GetInt64());
        Assert.IsGreaterThan(0L, memory.GetProperty("totalBytes").GetInt64());
        var disk = JsonDocument.Parse(await watcher.Latest($"{Prefix}/state/system.disk")).RootElement;
        Assert.IsGreaterThan(0L, disk.GetProperty("availableBytes").GetInt64());
        var status = JsonDocument.Parse(await watcher.Latest($"{Prefix}/state/camera.status")).RootElement;
        Assert.AreEqual("testpattern", status.GetProperty("source").GetString());
        await Eventually.True(() => watcher.On($"{Prefix}/snapshot").Count > 0, "a snapshot", 10_000);
        var picture = watcher.On($"{Prefix}/snapshot")[0].Payload;
        Assert.AreEqual(0xFF, picture[0]);
        Assert.AreEqual(0xD8, picture[1], "a JPEG");

        // A new subscriber (Home Assistant starting later) finds everything retained.
        await using var late = await broker.Watch("#");
        await Eventually.True(() => late.Messages.Count(m => m.Retained && m.Topic.StartsWith("homeassistant/", StringComparison.Ordinal))
            == documents.Count, "the documents are retained", 5000);
        Assert.IsTrue(late.On($"{Prefix}/availability").Single().Retained);
        Assert.IsTrue(late.On($"{Prefix}/snapshot").Single().Retained);

        var mqtt = (await server.State("mqtt.status"))!.Value;
        Assert.AreEqual("connected", mqtt.GetProperty("state").GetString(), mqtt.ToString());
        Assert.AreEqual($"127.0.0.1:{broker.Port}", mqtt.GetProperty("broker").GetString());
    }

    [TestMethod]
    public async Task MotionAndGpioChangesArePublishedAsTheyHappenAndSystemNumbersAtMostEverySensorSeconds()
    {
        await using var broker = await MosquittoBroker.Start();
        await using var watcher = await broker.Watch($"{Prefix}/state/#");
        // Motion on the test pattern's moving box (its rows on an 8-row grid, as MotionTests has them).
        string motion = """
            "Motion":{"Enabled":true,"Fps":5,"CooldownSeconds":1,"Zones":["....","....","####","####","....","....","....","...."]},
            """;
        await using var server = await Start(Config(broker.Port, more: motion, sensorSeconds: 3));

        Assert.AreEqual("true", await watcher.Latest($"{Prefix}/state/motion.active", m => m == "true"));
        await server.Call("motion.set", new { zones = new[] { "####", "####", "....", "....", "....", "....", "....", "...." } });
        Assert.AreEqual("false", await watcher.Latest($"{Prefix}/state/motion.active", m => m == "false"));

        Assert.IsTrue((await server.Call("gpio.simulate", new { line = 5, level = 1 })).TryGetProperty("result", out _));
        Assert.AreEqual("1", await watcher.Latest($"{Prefix}/state/gpio.door", m => m == "1"));
        await server.Call("gpio.simulate", new { line = 5, level = 0 });
        Assert.AreEqual("0", await watcher.Latest($"{Prefix}/state/gpio.door", m => m == "0"));
        await server.Call("state.set", new { key = "user.mode", value = new { away = true } });
        Assert.AreEqual("{\"away\":true}", await watcher.Latest($"{Prefix}/state/user.mode"));

        // The CPU changes every second; the broker hears of it every 3 s.
        int before = watcher.On($"{Prefix}/state/system.cpu").Count;
        await Task.Delay(7000);
        int published = watcher.On($"{Prefix}/state/system.cpu").Count - before;
        Assert.IsTrue(published is >= 1 and <= 3, $"{published} CPU values in 7 s");
    }

    [TestMethod]
    public async Task CommandsSwitchAnOutputAndSetUserStateWhileBadRetainedAndForeignCommandsChangeNothing()
    {
        await using var broker = await MosquittoBroker.Start();
        // A retained command left on the broker before Edge came is not applied.
        await broker.Publish($"{Prefix}/set/gpio.light", "1", retain: true);
        await using var watcher = await broker.Watch($"{Prefix}/#");
        await using var server = await Start(Config(broker.Port));
        await watcher.Latest($"{Prefix}/availability", m => m == "online");
        await Eventually.True(() => server.Log.Lines.Any(l => l.Contains("retained command", StringComparison.Ordinal)),
            "the retained command is said to be ignored");
        Assert.AreEqual(0, (await server.State("gpio.light"))!.Value.GetInt32());
        await broker.Publish($"{Prefix}/set/gpio.light", "", retain: true); // clears it

        await broker.Publish($"{Prefix}/set/gpio.light", "1");
        Assert.AreEqual("1", await watcher.Latest($"{Prefix}/state/gpio.light", m => m == "1"));
        Assert.AreEqual(1, (await server.State("gpio.light"))!.Value.GetInt32());
        await broker.Publish($"{Prefix}/set/gpio.light", "0");
        Assert.AreEqual("0", await watcher.Latest($"{Prefix}/state/gpio.light", m => m == "0"));

        await broker.Publish($"{Prefix}/set/user.note", "back at 6");
        await Eventually.True(async () => (await server.State("user.note"))?.GetString() == "back at 6", "text is a string");
        await broker.Publish($"{Prefix}/set/user.count", "42");
        await Eventually.True(async () => (await server.State("user.count"))?.ValueKind == JsonValueKind.Number, "JSON is JSON");

        // Refused, each said in the log, nothing changed: not JSON for a pin, a level of 7, an input, a key that is not writable,
        // a payload over 4 KB, one over the 16 KB packet limit.
        await broker.Publish($"{Prefix}/set/gpio.light", "on");
        await broker.Publish($"{Prefix}/set/gpio.light", "7");
        await broker.Publish($"{Prefix}/set/gpio.door", "1");
        await broker.Publish($"{Prefix}/set/camera.status", "{}");
        await broker.Publish($"{Prefix}/set/user.big", $"\"{new string('x', 5000)}\"");
        await broker.Publish($"{Prefix}/set/user.huge", new string('x', 20_000));
        // Oversized QoS 1 messages are acknowledged though skipped: 25 of them, more than mosquitto's 20 unacknowledged
        // messages in flight to a client, and a command after them still arrives.
        var oversized = await Tools.Run("bash", ["-c",
            $"for i in $(seq 25); do head -c 20000 /dev/zero | tr '\\0' x | mosquitto_pub -h 127.0.0.1 -p {broker.Port} -q 1 "
            + $"-t {Prefix}/set/user.huge -s || exit 1; done"]);
        Assert.AreEqual(0, oversized.ExitCode, oversized.Error);
        await broker.Publish($"{Prefix}/set/user.last", "1");
        await Eventually.True(async () => await server.State("user.last") != null, "the command after the bad ones is applied");
        Assert.AreEqual(0, (await server.State("gpio.light"))!.Value.GetInt32());
        Assert.AreEqual(0, (await server.State("gpio.door"))!.Value.GetInt32());
        Assert.IsNull(await server.State("user.big"));
        Assert.IsNull(await server.State("user.huge"));
        string log = string.Join("\n", server.Log.Lines);
        foreach (string said in new[]
            { "payload is not JSON", "takes 0 or 1", "gpio.door", "only GPIO outputs", "larger than 4096", "more than 16384" })
            Assert.Contains(said, log);
        var mqtt = (await server.State("mqtt.status"))!.Value;
        Assert.AreEqual("connected", mqtt.GetProperty("state").GetString(), "a bad command does not cost the session: " + mqtt);
    }

    [TestMethod]
    public async Task AStopSaysOfflineAndHomeAssistantComingBackGetsTheDocumentsAgain()
    {
        await using var broker = await MosquittoBroker.Start();
        await using var watcher = await broker.Watch($"{Prefix}/availability");
        await using var documents = await broker.Watch("homeassistant/+/+/motion/config");
        await using var server = await Start(Config(broker.Port));
        await watcher.Latest($"{Prefix}/availability", m => m == "online");
        await Eventually.True(() => documents.Messages.Count == 1, "the motion document");

        await broker.Publish("homeassistant/status", "online");
        await Eventually.True(() => documents.Messages.Count == 2, "the documents once more after Home Assistant's birth message");

        // A flood of birth messages (anyone on the broker may send them) is answered once a second, the API at once.
        var flood = await Tools.Run("bash", ["-c",
            $"yes online | head -n 2000 | mosquitto_pub -h 127.0.0.1 -p {broker.Port} -V mqttv311 -t homeassistant/status -l"]);
        Assert.AreEqual(0, flood.ExitCode, flood.Error);
        var slowest = TimeSpan.Zero;
        for (int i = 0; i < 20; i++)
        {
            var took = Stopwatch.StartNew();
            await server.Call("ping");
            slowest = took.Elapsed > slowest ? took.Elapsed : slowest;
            await Task.Delay(100);
        }
        Assert.IsLessThan(TimeSpan.FromMilliseconds(500), slowest, "the slowest API call during the flood");
        Assert.IsLessThanOrEqualTo(2 + 3, documents.Messages.Count, "2000 birth messages in 2 s: a few answers, not 2000");

        string id = File.ReadAllText(Path.Combine(server.DataDir, DeviceIdentity.FileName)).Trim();
        await server.Stop();
        await watcher.Latest($"{Prefix}/availability", m => m == "offline", 5000);
        await Eventually.True(() => broker.Output.Contains($"Client edge{id} disconnected", StringComparison.Ordinal),
            "Edge said goodbye with DISCONNECT (mosquitto logs a lost connection otherwise)");
    }

    [TestMethod]
    public async Task ABrokerThatIsDownHangsOrRestartsCostsTheLoopNothingAndEdgeComesBackWithEverything()
    {
        int port = MosquittoBroker.FreePort();
        await using var server = await Start(Config(port));
        await Eventually.True(async () => (await server.State("mqtt.status"))?.GetProperty("error").GetString() is { } error
            && error.Contains("refused", StringComparison.OrdinalIgnoreCase), "the status says why it is not connected", 10_000);
        await Task.Delay(4000); // tries at about 1 and 3 s more
        Assert.AreEqual(1, server.Log.Lines.Count(l => l.Contains("cannot connect to", StringComparison.Ordinal)), "said once");

        await using var broker = await MosquittoBroker.Start(port: port);
        await using var watcher = await broker.Watch($"{Prefix}/#");
        await watcher.Latest($"{Prefix}/availability", m => m == "online", 20_000);
        await watcher.Latest($"{Prefix}/state/gpio.light");

        // A broker that hangs with the connection open: 9.6 MB of state changes (more than the kernel's buffers hold) back up
        // into Edge, which keeps one message per topic and answers the API at once.
        await broker.Signal("STOP");
        try
        {
            var slowest = TimeSpan.Zero;
            for (int round = 0; round < 12; round++)
            {
                for (int k = 0; k < 200; k++)
                {
                    var took = Stopwatch.StartNew();
                    await server.Call("state.set", new { key = $"user.k{k}", value = new string((char)('a' + round), 4000) });
                    slowest = took.Elapsed > slowest ? took.Elapsed : slowest;
                }
            }
            await server.Call("state.set", new { key = "user.counter", value = 199 });
            Assert.IsLessThan(TimeSpan.FromMilliseconds(500), slowest, "the slowest API call while the broker hangs");
            await Eventually.True(async () => (await server.State("mqtt.status"))!.Value.GetProperty("queuedBytes").GetInt64() > 0,
                "messages wait in Edge for the hung broker", 5000);
            var waiting = (await server.State("mqtt.status"))!.Value;
            Assert.IsLessThanOrEqualTo(201 + 10, waiting.GetProperty("queued").GetInt32(), "one message per topic: " + waiting);
            Assert.IsLessThanOrEqualTo(2L << 20, waiting.GetProperty("queuedBytes").GetInt64(), waiting.ToString());
        }
        finally
        {
            await broker.Signal("CONT");
        }
        Assert.AreEqual("199", await watcher.Latest($"{Prefix}/state/user.counter", m => m == "199", 20_000), "the latest value arrives");
        Assert.AreEqual('l', JsonSerializer.Deserialize<string>(await watcher.Latest($"{Prefix}/state/user.k0", m => m.Contains('l')))![0]);

        // Restarted without its retained messages: Edge connects again and tells it everything again.
        await broker.Kill();
        await Eventually.True(async () => (await server.State("mqtt.status"))?.GetProperty("state").GetString() == "connecting",
            "the session ended", 10_000);
        await broker.Run();
        await using var after = await broker.Watch("#");
        await after.Latest($"{Prefix}/availability", m => m == "online", 20_000);
        await after.Latest($"{Prefix}/state/user.counter", m => m == "199");
        await Eventually.True(() => after.Messages.Any(m => m.Topic.StartsWith("homeassistant/", StringComparison.Ordinal)),
            "the documents again");
        Assert.Contains("connection to", string.Join("\n", server.Log.Lines), "the lost session is in the log");
    }

    [TestMethod]
    public async Task AWrongPasswordIsAClearErrorAndAReloadWithTheRightOneConnects()
    {
        using var scratch = new ScratchFolder("edge-mqtt-passwd-");
        string passwords = scratch.PathOf("passwd");
        var made = await Tools.Run("mosquitto_passwd", ["-b", "-c", passwords, "edge", "s3cret"]);
        Assert.AreEqual(0, made.ExitCode, made.Error);
        await using var broker = await MosquittoBroker.Start($"allow_anonymous false\npassword_file {passwords}");
        await using var server = await Start(Config(broker.Port, ",\"Username\":\"edge\",\"Password\":\"wrong\""));
        await Eventually.True(async () => (await server.State("mqtt.status"))?.GetProperty("error").GetString() is { } error
            && error.Contains("not authorized (code 5", StringComparison.Ordinal), "the refusal is named (mosquitto answers 5)", 10_000);

        string config = Config(broker.Port, ",\"Username\":\"edge\",\"Password\":\"s3cret\"");
        using var put = await server.Http.PutAsync("/config", new StringContent(config, System.Text.Encoding.UTF8, "application/json"));
        Assert.IsTrue(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        await Eventually.True(async () => (await server.State("mqtt.status"))?.GetProperty("state").GetString() == "connected",
            "connected with the reloaded password", 15_000);
        // The reload came while Edge waited to try again: the session ended for it, the service did not fail.
        Assert.IsFalse(server.Log.Lines.Any(l => l.Contains("Service mqtt failed", StringComparison.Ordinal)),
            string.Join("\n", server.Log.Lines));
    }

    [TestMethod]
    public async Task TlsToABrokerWhoseCertificateChainsToTheCaFileConnectsAndAnUnknownCaIsRefused()
    {
        using var scratch = new ScratchFolder("edge-mqtt-tls-");
        string Pem(string name) => scratch.PathOf(name);
        foreach (string[] step in new[]
        {
            new[] { "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=Test CA",
                "-keyout", Pem("ca.key"), "-out", Pem("ca.pem") },
            new[] { "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=localhost",
                "-keyout", Pem("broker.key"), "-out", Pem("broker.csr") },
            new[] { "x509", "-req", "-in", Pem("broker.csr"), "-CA", Pem("ca.pem"), "-CAkey", Pem("ca.key"), "-CAcreateserial",
                "-days", "2",
                "-extfile", Pem("san.cnf"), "-out", Pem("broker.pem") },
            new[] { "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=Other CA",
                "-keyout", Pem("other.key"), "-out", Pem("other.pem") },
        })
        {
            await File.WriteAllTextAsync(Pem("san.cnf"), "subjectAltName=DNS:localhost\n");
            var made = await Tools.Run("openssl", step);
            Assert.AreEqual(0, made.ExitCode, made.Error);
        }
        await using var broker = await MosquittoBroker.Start(
            $"allow_anonymous true\ncertfile {Pem("broker.pem")}\nkeyfile {Pem("broker.key")}");
        string Tls(string ca) => $",\"Tls\":true,\"CaFile\":\"{ca}\"";

        await using (var refused = await Start(Config(broker.Port, Tls(Pem("other.pem")), host: "localhost")))
        {
            await Eventually.True(async () => (await refused.State("mqtt.status"))?.GetProperty("error").GetString() is { Length: > 0 },
                "an unknown CA is refused", 10_000);
            Assert.AreEqual("connecting", (await refused.State("mqtt.status"))!.Value.GetProperty("state").GetString());
        }
        // A CaFile that cannot be read (here a folder) is a reason like any other, tried again, not a failed service.
        await using (var unreadable = await Start(Config(broker.Port, Tls(scratch.Root), host: "localhost")))
        {
            await Eventually.True(async () => (await unreadable.State("mqtt.status"))?.GetProperty("error").GetString() is { Length: > 0 },
                "an unreadable CaFile is said", 10_000);
            await Task.Delay(1500);
            Assert.IsFalse(unreadable.Log.Lines.Any(l => l.Contains("Service mqtt failed", StringComparison.Ordinal)),
                string.Join("\n", unreadable.Log.Lines));
        }
        await using var server = await Start(Config(broker.Port, Tls(Pem("ca.pem")), host: "localhost"));
        await Eventually.True(async () => (await server.State("mqtt.status"))?.GetProperty("state").GetString() == "connected",
            "connected over TLS", 10_000);
        Assert.Contains("with TLS", string.Join("\n", server.Log.Lines));
    }
}
