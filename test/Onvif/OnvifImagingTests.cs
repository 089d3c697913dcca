using System.Net;
using Edge.Tests.Support;

namespace Edge.Tests.Onvif;

/// <summary>
/// The imaging service's IR-cut filter on a memory GPIO output: set over ONVIF, automatic by a light sensor
/// or the clock.
/// </summary>
[TestClass]
public sealed class OnvifImagingTests
{
    private const string Imaging = "http://www.onvif.org/ver20/imaging/wsdl";
    private const string Source = "<VideoSourceToken>video_source</VideoSourceToken>";

    // ir_cut (line 17, 1 until the IR-cut service sets it) moves the filter; light (line 6) reads 1 in daylight.
    private static string Config(string irCut) => EdgeServer.ConfigWithUsers(Soap.TestPatternCamera + """
        "Gpio":{"Driver":"memory","Pins":[{"name":"ir_cut","line":17,"direction":"output","initial":1},
          {"name":"light","line":6,"direction":"input","edge":"both"}],"IrCut":{
        """ + irCut + "}},", devicePassword: true);

    [TestMethod]
    public async Task IrCutFilterSetOverOnvifMovesThePinIsReadBackAndKeptAcrossARestart()
    {
        string dataDir = Directory.CreateTempSubdirectory("edge-data-").FullName;
        try
        {
            string config = Config("\"Pin\":\"ir_cut\",\"Mode\":\"on\"");
            await using (var server = await EdgeServer.Start(config, null, "--data-dir", dataDir))
            {
                await Eventually.True(async () => await Filter(server) == "in", "mode on puts the filter in (pin 1)");
                Assert.AreEqual(1, await Pin(server));
                var (_, device, _) = await Call(server, Soap.Operation("GetCapabilities", content: "<Category>All</Category>"),
                    "/onvif/device_service");
                StringAssert.Contains(device, $"<tt:Imaging><tt:XAddr>http://{server.BaseUri.Authority}/onvif/imaging_service</tt:XAddr>");
                var (_, options, _) = await Call(server, Soap.Operation("GetOptions", Imaging, Source));
                StringAssert.Contains(options,
                    "<tt:IrCutFilterModes>ON</tt:IrCutFilterModes><tt:IrCutFilterModes>OFF</tt:IrCutFilterModes><tt:IrCutFilterModes>AUTO");

                // Home Assistant's "IR lamp" switch turned on: the filter out.
                var (status, set, _) = await Call(server, Soap.Operation("SetImagingSettings", Imaging,
                    Source + "<ImagingSettings><IrCutFilter xmlns=\"http://www.onvif.org/ver10/schema\">OFF</IrCutFilter>"
                    + "</ImagingSettings>"));
                Assert.AreEqual(HttpStatusCode.OK, status, set);
                Assert.AreEqual(0, await Pin(server), "the answer came once the pin had moved");
                var (_, read, _) = await Call(server, Soap.Operation("GetImagingSettings", Imaging, Source));
                StringAssert.Contains(read, "<tt:IrCutFilter>OFF</tt:IrCutFilter>");
                Assert.AreEqual("out", await Filter(server));

                var (_, wrongSource, _) = await Call(server, Soap.Operation("GetImagingSettings", Imaging,
                    "<VideoSourceToken>other</VideoSourceToken>"));
                StringAssert.Contains(wrongSource, "ter:NoSource");
                var (_, badMode, _) = await Call(server, Soap.Operation("SetImagingSettings", Imaging,
                    Source + "<ImagingSettings><IrCutFilter>HALF</IrCutFilter></ImagingSettings>"));
                StringAssert.Contains(badMode, "ter:SettingsInvalid");
                var (_, brightness, _) = await Call(server, Soap.Operation("SetImagingSettings", Imaging,
                    Source + "<ImagingSettings><Brightness>50</Brightness></ImagingSettings>"));
                StringAssert.Contains(brightness, "ter:SettingsInvalid");
                Assert.AreEqual(0, await Pin(server), "refused settings changed nothing");
            }
            await using var restarted = await EdgeServer.Start(config, null, "--data-dir", dataDir);
            await Eventually.True(async () => await Pin(restarted) == 0, "OFF, as set over ONVIF, not the configured on");
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [TestMethod]
    public async Task InAutoTheLightSensorMovesTheFilter()
    {
        await using var server = await EdgeServer.Start(Config("\"Pin\":\"ir_cut\",\"Mode\":\"auto\",\"LightSensor\":\"light\""));
        await Eventually.True(async () => await Pin(server) == 0, "dark at start: the filter out");
        await server.Call("gpio.simulate", new { line = 6, level = 1 });
        await Eventually.True(async () => await Pin(server) == 1, "daylight: the filter in", 10000);
        await server.Call("gpio.simulate", new { line = 6, level = 0 });
        await Eventually.True(async () => await Pin(server) == 0, "dark again: the filter out (after holding still 3 s)", 10000);
    }

    [TestMethod]
    public async Task InAutoWithoutALightSensorTheScheduleMovesTheFilter()
    {
        var clock = new ManualClock(); // 1 January, midnight, its local time UTC
        await using var server = await EdgeServer.Start(
            Config("\"Pin\":\"ir_cut\",\"Mode\":\"auto\",\"DayStarts\":\"07:00\",\"NightStarts\":\"19:00\""), clock);
        clock.Advance(TimeSpan.FromHours(6));
        await Eventually.True(async () => await Pin(server) == 0, "06:00: the filter out");
        clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(30));
        await Eventually.True(async () => await Pin(server) == 1, "07:00: the filter in");
        clock.Advance(TimeSpan.FromHours(12));
        await Eventually.True(async () => await Pin(server) == 0, "19:00: the filter out");
    }

    [TestMethod]
    public async Task WithoutAnIrCutFilterNoImagingServiceIsOffered()
    {
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers(Soap.TestPatternCamera, devicePassword: true));
        var (_, device, _) = await Call(server, Soap.Operation("GetCapabilities", content: "<Category>All</Category>"),
            "/onvif/device_service");
        Assert.DoesNotContain("Imaging", device);
        var (_, refused, _) = await Call(server, Soap.Operation("GetImagingSettings", Imaging, Source));
        StringAssert.Contains(refused, "ter:ActionNotSupported");
    }

    // The pin's level, or -1 before it was first published.
    private static async Task<int> Pin(EdgeServer server) => (await server.State("gpio.ir_cut"))?.GetInt32() ?? -1;

    private static async Task<string?> Filter(EdgeServer server)
        => (await server.State("ircut")) is { } state && state.TryGetProperty("filter", out var filter) ? filter.GetString() : null;

    private static Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> Call(EdgeServer server, string operation,
        string path = "/onvif/imaging_service")
        => Soap.Post(server, Soap.Envelope(operation, Soap.TextToken(EdgeServer.User, EdgeServer.Password)), path);
}
