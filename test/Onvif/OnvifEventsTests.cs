using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Edge.Tests.Support;

namespace Edge.Tests.Onvif;

/// <summary>The ONVIF events service: the npm <c>onvif</c> client's pull points, and raw SOAP for each operation and fault.</summary>
[TestClass]
public sealed class OnvifEventsTests
{
    private const string Events = "http://www.onvif.org/ver10/events/wsdl";
    private const string Notification = "http://docs.oasis-open.org/wsn/b-2";

    // The test pattern, and a GPIO input the npm script drives with gpio.simulate.
    private static string Config => EdgeServer.ConfigWithUsers(Soap.TestPatternCamera + """
        "Gpio":{"Driver":"memory","Pins":[{"name":"door","line":5,"direction":"input","edge":"both"}]},
        """, devicePassword: true);

    [TestMethod]
    public async Task TheOnvifClientGetsEachPropertysStateThenMotionAndADigitalInputAndRenewsAndUnsubscribes()
    {
        string script = Repository.NodeScript("Onvif", "events.mjs", "onvif");
        await using var server = await EdgeServer.Start(Config);
        var run = await Tools.Run("node",
            [script, server.BaseUri.Host, server.BaseUri.Port.ToString(), EdgeServer.User, EdgeServer.Password], TimeSpan.FromSeconds(120));
        Assert.AreEqual(0, run.ExitCode, run.Error + run.Output);
        var result = JsonDocument.Parse(run.Output).RootElement;
        Assert.IsTrue(result.GetProperty("capabilities").GetProperty("WSPullPointSupport").GetBoolean(), run.Output);
        Assert.AreEqual(10, result.GetProperty("capabilities").GetProperty("MaxPullPoints").GetInt32());
        foreach (var topic in result.GetProperty("topics").EnumerateObject()) Assert.IsTrue(topic.Value.GetBoolean(), topic.Name);
        StringAssert.StartsWith(result.GetProperty("address").GetString(), $"http://{server.BaseUri.Authority}/onvif/subscription?id=");
        Assert.AreEqual(120, result.GetProperty("leaseSeconds").GetDouble(), 1, "the client asked for PT2M");

        // First each property as it is: no motion, the door closed, all "Initialized".
        var first = result.GetProperty("first").EnumerateArray().ToList();
        Assert.HasCount(3, first, run.Output);
        Assert.IsTrue(first.All(m => m.GetProperty("operation").GetString() == "Initialized"), run.Output);
        var cell = first.Single(m => m.GetProperty("topic").GetString() == "tns1:RuleEngine/CellMotionDetector/Motion");
        Assert.IsFalse(cell.GetProperty("data").GetProperty("IsMotion").GetBoolean());
        Assert.AreEqual("video_source_config", cell.GetProperty("source").GetProperty("VideoSourceConfigurationToken").GetString());
        var alarm = first.Single(m => m.GetProperty("topic").GetString() == "tns1:VideoSource/MotionAlarm");
        Assert.IsFalse(alarm.GetProperty("data").GetProperty("State").GetBoolean());
        var input = first.Single(m => m.GetProperty("topic").GetString() == "tns1:Device/Trigger/DigitalInput");
        Assert.AreEqual("door", input.GetProperty("source").GetProperty("InputToken").GetString());
        Assert.IsFalse(input.GetProperty("data").GetProperty("LogicalState").GetBoolean());

        // Then the changes, each as soon as it happened (the pull was waiting for it).
        Assert.AreEqual("Changed", result.GetProperty("motion").GetProperty("operation").GetString());
        Assert.AreEqual("Changed", result.GetProperty("still").GetProperty("operation").GetString());
        var door = result.GetProperty("door");
        Assert.IsTrue(door.GetProperty("data").GetProperty("LogicalState").GetBoolean(), door.ToString());
        Assert.IsLessThan(2000, door.GetProperty("ms").GetDouble(), "the waiting pull answered when the input changed");
        Assert.AreEqual(120, result.GetProperty("renewedSeconds").GetDouble(), 1, "Renew with PT2M");
        StringAssert.Contains(result.GetProperty("afterUnsubscribe").GetString(), "Unknown or expired subscription");
    }

    [TestMethod]
    public async Task APullWaitsForItsTimeoutWithoutHoldingUpOthersAndAnswersAtOnceWhenAnEventComes()
    {
        await using var server = await EdgeServer.Start(Config);
        string address = await Create(server);
        await Pull(server, address, "PT1S"); // the first answer: each property's state
        var watch = Stopwatch.StartNew();
        var waiting = Pull(server, address, "PT3S");
        await Task.Delay(500);
        Assert.AreEqual("ok\n", await server.Http.GetStringAsync("/healthz"), "others are served while a pull waits");
        Assert.IsFalse(waiting.IsCompleted, "no empty answer before the timeout");
        var (_, empty, _) = await waiting;
        Assert.IsGreaterThanOrEqualTo(2900, watch.ElapsedMilliseconds, "it waited its 3 s");
        Assert.DoesNotContain("NotificationMessage", empty);
        StringAssert.Contains(empty, "PullMessagesResponse");

        watch.Restart();
        var woken = Pull(server, address, "PT30S");
        await Task.Delay(300);
        await server.Call("gpio.simulate", new { line = 5, level = 1 });
        var (_, body, _) = await woken;
        Assert.IsLessThan(2000, watch.ElapsedMilliseconds, "answered when the input changed, not at the timeout");
        StringAssert.Contains(body, ">tns1:Device/Trigger/DigitalInput</wsnt:Topic>");
        StringAssert.Contains(body, """<tt:SimpleItem Name="LogicalState" Value="true"/>""");
        StringAssert.Contains(body, """PropertyOperation="Changed""");
    }

    [TestMethod]
    public async Task AWaitingPullDoesNotHoldUpShutdown()
    {
        await using var server = await EdgeServer.Start(Config);
        string address = await Create(server);
        await Pull(server, address, "PT1S");
        var waiting = Pull(server, address, "PT60S");
        await Task.Delay(500);
        var watch = Stopwatch.StartNew();
        await server.Stop();
        Assert.IsLessThan(5000, watch.ElapsedMilliseconds, "the server stopped without waiting for the pull's minute");
        var (status, body, _) = await waiting;
        Assert.AreEqual(HttpStatusCode.OK, status, "the pull was answered as the server stopped: " + body);
    }

    [TestMethod]
    public async Task EachOperationAnswersAndEachFaultIsTheOneTheStandardNames()
    {
        await using var server = await EdgeServer.Start(Config);
        var (status, capabilities, _) = await Call(server, Soap.Operation("GetServiceCapabilities", Events));
        Assert.AreEqual(HttpStatusCode.OK, status, capabilities);
        StringAssert.Contains(capabilities, """WSPullPointSupport="true""");
        var (_, properties, _) = await Call(server, Soap.Operation("GetEventProperties", Events));
        foreach (string topic in new[] { "<tns1:RuleEngine><CellMotionDetector><Motion wstop:topic=\"true\">",
                     "<tns1:VideoSource><MotionAlarm wstop:topic=\"true\">", "<tns1:Device><Trigger><DigitalInput wstop:topic=\"true\">" })
            StringAssert.Contains(properties, topic);
        var (_, services, _) = await Call(server, Soap.Operation("GetServices", content: "<IncludeCapability>false</IncludeCapability>"));
        StringAssert.Contains(services, $"<tds:XAddr>http://{server.BaseUri.Authority}/onvif/events_service</tds:XAddr>");
        var (_, device, _) = await Call(server, Soap.Operation("GetCapabilities", content: "<Category>All</Category>"));
        StringAssert.Contains(device, $"<tt:Events><tt:XAddr>http://{server.BaseUri.Authority}/onvif/events_service</tt:XAddr>");

        // A lease given as a time, and one beyond the hour allowed.
        string address = await Create(server, DateTimeOffset.UtcNow.AddMinutes(5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"));
        var (_, renewed, _) = await Call(server, Soap.Operation("Renew", Notification, "<TerminationTime>PT48H</TerminationTime>"),
            address);
        var termination = DateTimeOffset.Parse(Regex.Match(renewed, "<wsnt:TerminationTime>([^<]+)<").Groups[1].Value);
        Assert.AreEqual(60, (termination - DateTimeOffset.UtcNow).TotalMinutes, 1, "at most an hour: " + renewed);
        StringAssert.Contains(renewed, "</wsnt:TerminationTime><wsnt:CurrentTime>", "TerminationTime, then CurrentTime");
        var (_, sync, _) = await Call(server, Soap.Operation("SetSynchronizationPoint", Events), address);
        StringAssert.Contains(sync, "SetSynchronizationPointResponse");

        var (tooLong, pullFault, _) = await Call(server, Soap.Operation("PullMessages", Events,
            "<Timeout>PT10M</Timeout><MessageLimit>10</MessageLimit>"), address);
        Assert.AreEqual(HttpStatusCode.BadRequest, tooLong);
        StringAssert.Contains(pullFault, "<tev:PullMessagesFaultResponse><tev:MaxTimeout>PT5M</tev:MaxTimeout>");
        var (_, badLease, _) = await Call(server, Soap.Operation("CreatePullPointSubscription", Events,
            "<InitialTerminationTime>soon</InitialTerminationTime>"));
        StringAssert.Contains(badLease, "wsnt:UnacceptableInitialTerminationTimeFault");
        var (_, hugeLease, _) = await Call(server, Soap.Operation("Renew", Notification, "<TerminationTime>P99999999Y</TerminationTime>"),
            address);
        StringAssert.Contains(hugeLease, "wsnt:UnacceptableTerminationTimeFault", "a duration too long for Edge is a fault, not a 500");
        var (_, hugeTimeout, _) = await Call(server, Soap.Operation("PullMessages", Events, "<Timeout>PT99999999999S</Timeout>"), address);
        StringAssert.Contains(hugeTimeout, "PullMessagesFaultResponse");

        var (gone, unknown, _) = await Call(server, Soap.Operation("PullMessages", Events, "<Timeout>PT1S</Timeout>"),
            "/onvif/subscription?id=0123456789abcdef");
        Assert.AreEqual(HttpStatusCode.BadRequest, gone);
        StringAssert.Contains(unknown, "<s:Value>wsrf-rw:ResourceUnknownFault</s:Value>");
        var (_, unsubscribed, _) = await Call(server, Soap.Operation("Unsubscribe", Notification), address);
        StringAssert.Contains(unsubscribed, "UnsubscribeResponse");
        var (_, afterwards, _) = await Call(server, Soap.Operation("Renew", Notification, "<TerminationTime>PT1M</TerminationTime>"),
            address);
        StringAssert.Contains(afterwards, "wsrf-rw:ResourceUnknownFault");
        var (_, push, _) = await Call(server, Soap.Operation("Subscribe", Notification));
        StringAssert.Contains(push, "ter:ActionNotSupported");

        // Bounded: ten pull points at most; and none without a login.
        for (int i = 0; i < 10; i++) await Create(server);
        var (_, full, _) = await Call(server, Soap.Operation("CreatePullPointSubscription", Events));
        StringAssert.Contains(full, "wsnt:SubscribeCreationFailedFault");
        var (anonymous, refused, _) = await Soap.Post(server, Soap.Envelope(Soap.Operation("CreatePullPointSubscription", Events)),
            "/onvif/events_service");
        Assert.AreNotEqual(HttpStatusCode.OK, anonymous, refused);
        StringAssert.Contains(refused, "ter:NotAuthorized");
    }

    [TestMethod]
    public async Task APullPointThatIsNeitherPulledNorRenewedEndsAtItsTerminationTime()
    {
        var clock = new ManualClock();
        await using var server = await EdgeServer.Start(Config, clock);
        string address = await Create(server, "PT1M");
        clock.Advance(TimeSpan.FromSeconds(50));
        var (_, renewed, _) = await Call(server, Soap.Operation("Renew", Notification, "<TerminationTime>PT1M</TerminationTime>"), address);
        StringAssert.Contains(renewed, "RenewResponse", "alive at 50 s: renewed for a minute from then");
        clock.Advance(TimeSpan.FromSeconds(59));
        StringAssert.Contains((await Call(server, Soap.Operation("SetSynchronizationPoint", Events), address)).Body,
            "SetSynchronizationPointResponse", "alive 59 s after the renewal");
        clock.Advance(TimeSpan.FromSeconds(2));
        StringAssert.Contains((await Call(server, Soap.Operation("SetSynchronizationPoint", Events), address)).Body,
            "wsrf-rw:ResourceUnknownFault", "gone a minute after the renewal");
    }

    private static Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> Call(EdgeServer server, string operation,
        string path = "/onvif/events_service")
        => Soap.Post(server, Soap.Envelope(operation, Soap.TextToken(EdgeServer.User, EdgeServer.Password)), path);

    // A new pull point; its address as a path with the query.
    private static async Task<string> Create(EdgeServer server, string? lease = null)
    {
        var (status, body, _) = await Call(server, Soap.Operation("CreatePullPointSubscription", Events,
            lease == null ? "" : $"<InitialTerminationTime>{lease}</InitialTerminationTime>"));
        Assert.AreEqual(HttpStatusCode.OK, status, body);
        return new Uri(Regex.Match(body, "<wsa:Address>([^<]+)</wsa:Address>").Groups[1].Value).PathAndQuery;
    }

    private static Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> Pull(EdgeServer server, string address,
        string timeout)
        => Call(server, Soap.Operation("PullMessages", Events, $"<Timeout>{timeout}</Timeout><MessageLimit>10</MessageLimit>"), address);
}
