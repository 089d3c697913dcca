using System.Net;
using System.Text;
using System.Text.Json;
using Edge.Tests.Support;
using Edge.Auth;

namespace Edge.Tests.Web;

/// <summary>
/// <c>GET/PUT /config</c>: export, and an import that is checked, kept atomically with the previous
/// version, and applied.
/// </summary>
[TestClass]
public sealed class ConfigTests
{
    private static string ConfigFile(EdgeServer server) => Path.Combine(Path.GetDirectoryName(server.DataDir)!, "edge.json");

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [TestMethod]
    public async Task TheExportIsTheConfigurationFile()
    {
        await using var server = await EdgeServer.Start();
        string exported = await server.Http.GetStringAsync("/config");
        Assert.AreEqual(File.ReadAllText(ConfigFile(server)), exported);
        using var anonymous = new HttpClient { BaseAddress = server.BaseUri };
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/config")).StatusCode);
    }

    [TestMethod]
    public async Task AnInvalidImportIsRefusedWithTheReasonAndChangesNothing()
    {
        await using var server = await EdgeServer.Start();
        string before = File.ReadAllText(ConfigFile(server));
        foreach (var (json, reason) in new[]
        {
            ("{\"Nonsense\":1}", "unknown setting 'Nonsense'"),
            ("{\"WebSocket\":{\"MaxClients\":0}}", "WebSocket:MaxClients"),
            ("{\"Auth\":", "not valid JSON"),
            ("[1,2]", "JSON object"),
        })
        {
            using var put = await server.Http.PutAsync("/config", Json(json));
            Assert.AreEqual(HttpStatusCode.BadRequest, put.StatusCode, json);
            StringAssert.Contains(await put.Content.ReadAsStringAsync(), reason, json);
        }
        Assert.AreEqual(before, File.ReadAllText(ConfigFile(server)));
        Assert.IsFalse(File.Exists(ConfigFile(server) + ".previous"));
        var crossSite = new HttpRequestMessage(HttpMethod.Put, "/config") { Content = Json(before) };
        crossSite.Headers.Add("Origin", "http://evil.example");
        Assert.AreEqual(HttpStatusCode.Forbidden, (await server.Http.SendAsync(crossSite)).StatusCode);
    }

    [TestMethod]
    public async Task AValidImportIsSavedKeepsThePreviousVersionAndAppliesAtOnce()
    {
        await using var server = await EdgeServer.Start();
        string before = File.ReadAllText(ConfigFile(server));
        var config = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(before)!;
        string users = $$"""{"Users":[{{config["Auth"].GetProperty("Users")[0].GetRawText()}},""" +
            $$"""{"Name":"viewer","PasswordHash":"{{PasswordHash.Create("view only", 1000)}}"}]}""";
        string next = $$"""{"Auth":{{users}}}""";
        using var put = await server.Http.PutAsync("/config", Json(next));
        Assert.AreEqual(HttpStatusCode.OK, put.StatusCode, await put.Content.ReadAsStringAsync());
        Assert.AreEqual(next, File.ReadAllText(ConfigFile(server)));
        Assert.AreEqual(before, File.ReadAllText(ConfigFile(server) + ".previous"));

        using var viewer = new HttpClient { BaseAddress = server.BaseUri };
        viewer.DefaultRequestHeaders.Authorization = EdgeServer.BasicAuth("viewer", "view only");
        Assert.AreEqual("pong", (await server.Call("ping", client: viewer)).GetProperty("result").GetString());
    }

    [TestMethod]
    public async Task AnImportTheFileSystemRefusesIs503WithTheCauseAndChangesNothing()
    {
        await using var server = await EdgeServer.Start();
        string before = File.ReadAllText(ConfigFile(server));
        // A directory where the previous version goes: the rename fails even for root, as on a read-only card.
        Directory.CreateDirectory(Path.Combine(ConfigFile(server) + ".previous", "occupied"));

        using var put = await server.Http.PutAsync("/config", Json("""{"Logging":{"LogLevel":{"Default":"Warning"}}}"""));
        string text = await put.Content.ReadAsStringAsync();

        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, put.StatusCode, text);
        StringAssert.StartsWith(text, "Configuration not saved: ");
        Assert.IsFalse(text.Contains(Path.GetDirectoryName(server.DataDir)!, StringComparison.Ordinal),
            $"the answer names no path: {text}");
        Assert.AreEqual(before, File.ReadAllText(ConfigFile(server)));
        Assert.AreEqual(0, Directory.GetFiles(Path.GetDirectoryName(server.DataDir)!, "*.tmp").Length, "no temporary file is left");
        Assert.IsTrue(server.Log.Lines.Any(l => l.Contains("Cannot save the configuration to")), "the failure is logged, with the path");
        Assert.AreEqual("pong", (await server.Call("ping")).GetProperty("result").GetString());
    }
}
