using Edge.Hosting;
using Edge.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace Edge.Tests.Hosting;

[TestClass]
public sealed class ConfigurationTests
{
    private string _dir = null!;

    [TestInitialize]
    public void Setup() => _dir = Directory.CreateTempSubdirectory("edge-config-").FullName;

    [TestCleanup]
    public void Cleanup()
    {
        Environment.SetEnvironmentVariable("EDGE_WebSocket__MaxClients", null);
        Directory.Delete(_dir, recursive: true);
    }

    private string ConfigFile(string json)
    {
        string path = Path.Combine(_dir, "edge.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static EdgeSettings Load(params string[] args)
        => SettingsLoader.Load(EdgeConfiguration.Build(new ConfigurationManager(), CommandLine.Parse(args)));

    private static async Task<(int Code, string Error)> RunMain(params string[] args)
    {
        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        try { return (await Program.Main(args), error.ToString()); }
        finally { Console.SetError(original); }
    }

    [TestMethod]
    [DataRow("""{"WebSocket":{"MaxClients":"lots"}}""", "WebSocket:MaxClients")]
    [DataRow("""{"WebSocket":{"MaxClients":0}}""", "WebSocket:MaxClients")]
    [DataRow("""{"WebSocket":{"MaxClient":5}}""", "MaxClient")]
    [DataRow("""{"Auth":{"Users":[{"Name":"admin","PasswordHash":"plain-text"}]}}""", "Auth:Users:0:PasswordHash")]
    [DataRow("""{"Auth":{"Enabled":"maybe"}}""", "Auth:Enabled")]
    [DataRow("""{"Runtime":{"Workers":-1}}""", "Runtime:Workers")]
    [DataRow("""{"WebSocket": {""", "edge.json")]
    [DataRow("""{"WebSockets":{"MaxClients":5}}""", "WebSockets")]
    [DataRow("""{"Logging":{"LogLevel":{"Default":"Verbose"}}}""", "Logging:LogLevel:Default")]
    [DataRow("""{"urls":"ftp://0.0.0.0:21"}""", "urls")]
    [DataRow("""{"Monitoring":{"IntervalSeconds":0}}""", "Monitoring:IntervalSeconds")]
    [DataRow("""{"Monitoring":{"Interval":5}}""", "Interval")]
    [DataRow("""{"Http":{"HeadersTimeoutSeconds":0}}""", "Http:HeadersTimeoutSeconds")]
    [DataRow("""{"Rtsp":{"MaxSessions":20,"MaxConnections":10}}""", "Rtsp:MaxConnections")]
    [DataRow("""{"Auth":{"Users":[{"Name":"a","PasswordHash":"$pbkdf2-sha256$i=2000000000$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"}]}}""",
        "Auth:Users:0:PasswordHash")]
    public async Task InvalidConfigurationExitsWithCode2AndNamesTheKey(string json, string key)
    {
        var (code, error) = await RunMain("--config", ConfigFile(json), "--data-dir", Path.Combine(_dir, "data"), "--check-config");
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, key);
        StringAssert.StartsWith(error, "edge: invalid configuration: ");
    }

    [TestMethod]
    public async Task AMissingConfigFileGivenOnTheCommandLineIsAnError()
    {
        var (code, error) = await RunMain("--config", Path.Combine(_dir, "absent.json"), "--check-config");
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "absent.json");
    }

    [TestMethod]
    public async Task CheckConfigAcceptsAValidFile()
    {
        var (code, _) = await RunMain("--config", ConfigFile(EdgeServer.DefaultConfig), "--check-config");
        Assert.AreEqual(0, code);
    }

    [TestMethod]
    public void EnvironmentOverridesTheFileAndTheCommandLineOverridesBoth()
    {
        string file = ConfigFile("""{"WebSocket":{"MaxClients":10,"SendTimeoutSeconds":7},"DataDir":"/from/file"}""");
        Assert.AreEqual(10, Load("--config", file).WebSocket.MaxClients);
        Environment.SetEnvironmentVariable("EDGE_WebSocket__MaxClients", "20");
        var fromEnv = Load("--config", file);
        Assert.AreEqual(20, fromEnv.WebSocket.MaxClients);
        Assert.AreEqual(7, fromEnv.WebSocket.SendTimeoutSeconds, "untouched keys keep the file's value");
        var fromArgs = Load("--config", file, "--WebSocket:MaxClients", "30", "--data-dir", "/from/args");
        Assert.AreEqual(30, fromArgs.WebSocket.MaxClients);
        Assert.AreEqual("/from/args", fromArgs.DataDir);
    }

    [TestMethod]
    public void DefaultsApplyWithoutAnyConfiguration()
    {
        var settings = Load("--config", ConfigFile("{}"));
        Assert.AreEqual(EdgeSettings.DefaultDataDir, settings.DataDir);
        Assert.AreEqual(50, settings.WebSocket.MaxClients);
        Assert.IsTrue(settings.Auth.Enabled);
    }

    [TestMethod]
    public void HelpVersionAndPasswdAreCommands()
    {
        Assert.AreEqual(EdgeCommand.Help, CommandLine.Parse(["--help"]).Command);
        Assert.AreEqual(EdgeCommand.Version, CommandLine.Parse(["--version"]).Command);
        Assert.AreEqual(EdgeCommand.Passwd, CommandLine.Parse(["passwd"]).Command);
        var run = CommandLine.Parse(["--config=/x.json", "--urls", "http://127.0.0.1:1"]);
        Assert.AreEqual(EdgeCommand.Run, run.Command);
        Assert.AreEqual("/x.json", run.ConfigPath);
        CollectionAssert.AreEqual(new[] { "--urls", "http://127.0.0.1:1" }, run.ConfigArgs);
    }

    [TestMethod]
    public async Task TheDataDirectoryIsCreatedWhenMissing()
    {
        string dataDir = Path.Combine(_dir, "a", "b");
        await using var server = await EdgeServer.Start(null, null, "--data-dir", dataDir);
        Assert.IsTrue(Directory.Exists(dataDir));
    }
}
