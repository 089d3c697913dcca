using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Edge.Api;
using Edge.Tests.Onvif;
using Edge.Tests.Support;
using Edge.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Tests.Web;

/// <summary>Roles on every route, API method and ONVIF operation: viewer, operator, admin, and the default.</summary>
[TestClass]
public sealed class RoleTests
{
    private const string Password = EdgeServer.Password;
    private static readonly string Hash = PasswordHash.Create(Password, 1000);
    private static readonly string[] Roles = ["viewer", "operator", "admin"];

    // Users named after their roles, and "legacy" without a role (an admin, as before roles).
    private static string Config(string extra = "") => $$$"""
        {{{{extra}}}"Gpio":{"Driver":"memory","Pins":[{"Name":"lamp","Chip":"gpiochip0","Line":1,"Direction":"output"}]},
         "Auth":{"Users":[
           {"Name":"viewer","Role":"viewer","PasswordHash":"{{{Hash}}}","DevicePassword":"{{{Password}}}"},
           {"Name":"operator","Role":"operator","PasswordHash":"{{{Hash}}}","DevicePassword":"{{{Password}}}"},
           {"Name":"admin","Role":"admin","PasswordHash":"{{{Hash}}}","DevicePassword":"{{{Password}}}"},
           {"Name":"legacy","PasswordHash":"{{{Hash}}}"}]}}
        """;

    private static HttpClient Client(EdgeServer server, string user)
    {
        var client = new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = EdgeServer.BasicAuth(user, Password);
        return client;
    }

    private static int Rank(string role) => Array.IndexOf(Roles, role);

    // The least role for each method; every registered method must be here.
    private static readonly Dictionary<string, string> MethodRoles = new()
    {
        ["ping"] = "viewer",
        ["system.info"] = "viewer",
        ["system.history"] = "viewer",
        ["auth.whoami"] = "viewer",
        ["state.get"] = "viewer",
        ["state.subscribe"] = "viewer",
        ["state.unsubscribe"] = "viewer",
        ["events.list"] = "viewer",
        ["camera.list"] = "viewer",
        ["camera.get"] = "viewer",
        ["gpio.chips"] = "viewer",
        ["recordings.list"] = "viewer",
        ["motion.get"] = "viewer",
        ["state.set"] = "operator",
        ["recording.start"] = "operator",
        ["recording.stop"] = "operator",
        ["recordings.delete"] = "operator",
        ["events.add"] = "operator",
        ["camera.set"] = "operator",
        ["motion.set"] = "operator",
        ["gpio.set"] = "operator",
        ["gpio.simulate"] = "operator",
        ["runtime.inspect"] = "admin",
    };

    [TestMethod]
    public async Task EveryApiMethodIsRefusedWithForbiddenBelowItsRoleAndRunsFromIt()
    {
        await using var server = await EdgeServer.Start(Config());
        string metrics = await server.Http.GetStringAsync("/metrics");
        var registered = System.Text.RegularExpressions.Regex.Matches(metrics, "edge_api_failures_total\\{method=\"([^\"]+)\"\\}")
            .Select(m => m.Groups[1].Value).ToList();
        CollectionAssert.AreEquivalent(MethodRoles.Keys.ToList(), registered, "the table names every method");
        var wrong = new List<string>();
        foreach (string role in Roles)
        {
            using var client = Client(server, role);
            foreach (var (method, needed) in MethodRoles)
            {
                var reply = await server.Call(method, null, client);
                bool refused = reply.TryGetProperty("error", out var error)
                    && error.GetProperty("code").GetInt32() == ApiErrorCode.Forbidden;
                if (refused != Rank(role) < Rank(needed)) wrong.Add($"{role} {method}: {reply}");
                if (refused && error.GetProperty("message").GetString() != $"{method} needs the {needed} role.")
                    wrong.Add($"{role} {method} message: {reply}");
            }
        }
        Assert.IsEmpty(wrong, string.Join("\n", wrong));
    }

    [TestMethod]
    public async Task AViewerOverTheWebSocketCanWatchButNotChange()
    {
        await using var server = await EdgeServer.Start(Config());
        using var socket = await server.Connect("viewer", Password);
        Assert.AreEqual("viewer", (await socket.Call("auth.whoami")).GetProperty("result").GetProperty("role").GetString());
        Assert.IsTrue((await socket.Call("state.subscribe", new { prefixes = new[] { "camera." } })).TryGetProperty("result", out _));
        var set = await socket.Call("camera.set", new { quality = 10 });
        Assert.AreEqual(ApiErrorCode.Forbidden, set.GetProperty("error").GetProperty("code").GetInt32(), set.ToString());
        Assert.AreNotEqual(10, (await server.Call("camera.get")).GetProperty("result").GetProperty("quality").GetInt32());
    }

    // Every route the host maps, with a request for it and the least role it needs: "public" answers without a login,
    // "per call" checks the role of each API method or ONVIF operation (the tests above and below).
    private static readonly (string Method, string Pattern, string Path, string Needed)[] Routes =
    [
        ("*", "/api", "/api", "per call"), ("*", "/login", "/login", "public"), ("*", "/logout", "/logout", "public"),
        ("GET", "/healthz", "/healthz", "public"), ("GET", "/readyz", "/readyz", "public"),
        ("GET", "/metrics", "/metrics", "viewer"), ("GET", "/debug/runtime", "/debug/runtime", "admin"),
        ("POST", "/onvif/device_service", "", "per call"), ("POST", "/onvif/media_service", "", "per call"),
        ("POST", "/onvif/events_service", "", "per call"), ("POST", "/onvif/subscription", "", "per call"),
        ("POST", "/onvif/imaging_service", "", "per call"),
        ("GET", "/files", "/files", "operator"), ("POST", "/files", "/files", "operator"),
        ("GET", "/files/{name}", "/files/none.bin", "operator"), ("PUT", "/files/{name}", "/files/role.bin", "operator"),
        ("DELETE", "/files/{name}", "/files/none.bin", "operator"),
        ("GET", "/config", "/config", "admin"), ("PUT", "/config", "/config", "admin"),
        ("GET", "/stream.mjpg", "/stream.mjpg", "viewer"), ("GET", "/snapshot.jpg", "/snapshot.jpg", "viewer"),
        ("GET", "/live.mp4", "/live.mp4", "viewer"), ("GET", "/live", "/live", "viewer"),
        ("GET", "/hls/index.m3u8", "/hls/index.m3u8", "viewer"), ("GET", "/hls/init.mp4", "/hls/init.mp4", "viewer"),
        ("GET", "/hls/{segment}", "/hls/1.m4s", "viewer"),
        ("POST", "/whep", "/whep", "viewer"), ("DELETE", "/whep/{id}", "/whep/none", "viewer"),
        ("PATCH", "/whep/{id}", "/whep/none", "viewer"), ("GET", "/api/ws", "/api/ws?src=camera", "viewer"),
        ("GET", "/recordings/{name}", "/recordings/none.mp4", "viewer"),
        ("DELETE", "/recordings/{name}", "/recordings/none.mp4", "operator"),
        ("GET", "/", "/?action=snapshot", "viewer"), ("GET", "/{**path}", "/index.html", "public"),
    ];

    [TestMethod]
    public async Task EveryHttpRouteIsInTheTableAndAnswers403BelowItsRoleNamingTheRole()
    {
        await using var server = await EdgeServer.Start(Config());
        var mapped = MappedRoutes(server);
        CollectionAssert.AreEquivalent(mapped, Routes.Select(r => $"{r.Method} {r.Pattern}").ToList(), "the table names every route");
        using (var anonymous = new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(30) })
        {
            foreach (var (method, _, path, needed) in Routes.Where(r => r.Needed != "per call"))
            {
                using var response = await Send(server, anonymous, method, path);
                bool refused = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
                Assert.AreEqual(needed != "public", refused, $"{method} {path} without a login: {(int)response.StatusCode}");
            }
        }
        var wrong = new List<string>();
        foreach (string role in Roles.Append("legacy"))
        {
            using var client = Client(server, role);
            foreach (var (method, _, path, needed) in Routes.Where(r => Rank(r.Needed) >= 0))
            {
                using var response = await Send(server, client, method, path);
                bool refused = response.StatusCode == HttpStatusCode.Forbidden;
                bool should = role != "legacy" && Rank(role) < Rank(needed);
                string body = refused || should ? await response.Content.ReadAsStringAsync() : "";
                if (refused != should) wrong.Add($"{role} {method} {path}: {(int)response.StatusCode} {body}");
                if (refused && body != $"{method} {path.Split('?')[0]} needs the {needed} role.")
                    wrong.Add($"{role} {method} {path} says '{body}'");
            }
        }
        Assert.IsEmpty(wrong, string.Join("\n", wrong));
    }

    // "METHOD pattern" of every endpoint the running host maps ("*" for any method; HEAD goes with GET).
    private static List<string> MappedRoutes(EdgeServer server)
    {
        var app = (Microsoft.AspNetCore.Builder.WebApplication)typeof(Edge.Hosting.EdgeHost)
            .GetField("_app", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(server.Host)!;
        var endpoints = app.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints;
        return [.. endpoints.OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>().SelectMany(e =>
            (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Where(m => m != "HEAD").Select(m => $"{m} {e.RoutePattern.RawText}"))];
    }

    // One request; what streams is left once its headers came (a refusal comes before anything streams).
    private static async Task<HttpResponseMessage> Send(EdgeServer server, HttpClient client, string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        // PUT /config gets the configuration it has, so an admin changes nothing.
        if (method is "PUT" or "POST")
            request.Content = path == "/config"
                ? new StringContent(await server.Http.GetStringAsync("/config"), Encoding.UTF8, "application/json")
                : new ByteArrayContent([1]);
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    [TestMethod]
    public async Task OnlyAnAdminMayChangeWhatEdgeRunsOrRebootIt()
    {
        // The attack that was found: any user put a pipe command in the configuration, then rebooted.
        await using var server = await EdgeServer.Start(Config());
        string before = await server.Http.GetStringAsync("/config");
        string hostile = before.Replace("\"Camera\":{", "\"Camera\":{\"Source\":\"pipe\",\"Command\":\"touch /tmp/edge-role-pwned\",",
            StringComparison.Ordinal);
        foreach (string role in new[] { "viewer", "operator" })
        {
            using var client = Client(server, role);
            using var put = await client.PutAsync("/config", new StringContent(hostile, Encoding.UTF8, "application/json"));
            Assert.AreEqual(HttpStatusCode.Forbidden, put.StatusCode, role);
            var (status, body, _) = await Soap.Post(server,
                Soap.Envelope(Soap.Operation("SystemReboot"), Soap.DigestToken(role, Password, DateTimeOffset.UtcNow)));
            Assert.AreEqual(HttpStatusCode.Forbidden, status, body);
            StringAssert.Contains(body, "ter:NotAuthorized");
            StringAssert.Contains(body, "SystemReboot needs the admin role.");
        }
        Assert.AreEqual(before, await server.Http.GetStringAsync("/config"), "nothing changed");
        Assert.AreEqual("ok\n", await server.Http.GetStringAsync("/healthz"), "still running");
    }

    [TestMethod]
    public async Task OnvifMediaReadsAreForViewersAndGetUsersReportsEachRolesLevel()
    {
        await using var server = await EdgeServer.Start(Config());
        var (status, body, _) = await Soap.Post(server,
            Soap.Envelope(Soap.Operation("GetProfiles", Soap.Media), Soap.DigestToken("viewer", Password, DateTimeOffset.UtcNow)),
            "/onvif/media_service");
        Assert.AreEqual(HttpStatusCode.OK, status, body);
        (status, body, _) = await Soap.Post(server,
            Soap.Envelope(Soap.Operation("GetUsers"), Soap.DigestToken("viewer", Password, DateTimeOffset.UtcNow)));
        Assert.AreEqual(HttpStatusCode.Forbidden, status, body);
        (status, body, _) = await Soap.Post(server,
            Soap.Envelope(Soap.Operation("GetUsers"), Soap.DigestToken("admin", Password, DateTimeOffset.UtcNow)));
        Assert.AreEqual(HttpStatusCode.OK, status, body);
        foreach (var (user, level) in new[] { ("viewer", "User"), ("operator", "Operator"), ("admin", "Administrator"),
            ("legacy", "Administrator") })
            StringAssert.Contains(body, $"<tt:Username>{user}</tt:Username><tt:UserLevel>{level}</tt:UserLevel>");
    }

    [TestMethod]
    public async Task OnvifEventsAndImagingReadsAreForViewersAndImagingChangesForOperators()
    {
        // The lamp output moves the IR-cut filter: the imaging service is there.
        await using var server = await EdgeServer.Start(Config().Replace("\"output\"}]", "\"output\"}],\"IrCut\":{\"Pin\":\"lamp\"}",
            StringComparison.Ordinal));
        const string Imaging = "http://www.onvif.org/ver20/imaging/wsdl", Events = "http://www.onvif.org/ver10/events/wsdl";
        const string Source = "<VideoSourceToken>video_source</VideoSourceToken>";
        string set = Soap.Operation("SetImagingSettings", Imaging,
            Source + "<ImagingSettings><IrCutFilter xmlns=\"http://www.onvif.org/ver10/schema\">OFF</IrCutFilter></ImagingSettings>");
        foreach (var (role, operation, path, refused) in new[]
        {
            ("viewer", Soap.Operation("CreatePullPointSubscription", Events), "/onvif/events_service", false),
            ("viewer", Soap.Operation("GetEventProperties", Events), "/onvif/events_service", false),
            ("viewer", Soap.Operation("GetImagingSettings", Imaging, Source), "/onvif/imaging_service", false),
            ("viewer", set, "/onvif/imaging_service", true),
            ("operator", set, "/onvif/imaging_service", false),
        })
        {
            var (status, body, _) = await Soap.Post(server,
                Soap.Envelope(operation, Soap.DigestToken(role, Password, DateTimeOffset.UtcNow)), path);
            Assert.AreEqual(refused, body.Contains("ter:NotAuthorized", StringComparison.Ordinal), $"{role}: {body}");
            if (refused)
            {
                Assert.AreEqual(HttpStatusCode.Forbidden, status);
                StringAssert.Contains(body, "SetImagingSettings needs the operator role.");
            }
        }
    }

    [TestMethod]
    public async Task AnUnknownRoleStopsStartUpNamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<Edge.Hosting.ConfigException>(() => EdgeServer.Start(
            $$$"""{"Auth":{"Users":[{"Name":"x","Role":"root","PasswordHash":"{{{Hash}}}"}]}}"""));
        StringAssert.Contains(error.Message, "Auth:Users:0:Role must be one of viewer, operator, admin (got 'root')");
    }
}
