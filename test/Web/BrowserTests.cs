using System.Diagnostics;
using Edge.Tests.Support;

namespace Edge.Tests.Web;

/// <summary>The web UI in a real browser (Debian's Chromium driven by playwright-core; test/run.sh installs both).</summary>
[TestClass]
public sealed class BrowserTests
{
    [TestMethod]
    public async Task TheUiLogsInShowsLiveStateSetsValuesAndLogsOutInChromium()
    {
        string script = Repository.NodeScript("ui", "login-flow.mjs", "playwright-core");
        if (!File.Exists("/usr/bin/chromium")) Assert.Fail("Chromium is missing: run test/run.sh, which installs it.");

        await using var server = await EdgeServer.Start();
        var start = new ProcessStartInfo("node", [script, server.BaseUri.ToString(), EdgeServer.User, EdgeServer.Password])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(script),
        };
        using var browser = Process.Start(start)!;
        var errors = browser.StandardError.ReadToEndAsync();
        var output = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (await browser.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            output.Add(line);
            // A change made elsewhere must show up in the open page without a reload.
            if (line == "READY") await server.Call("state.set", new { key = "user.remote", value = "pushed" });
        }
        await browser.WaitForExitAsync(timeout.Token);
        Assert.AreEqual(0, browser.ExitCode, $"{string.Join("\n", output)}\n{await errors}");
        CollectionAssert.Contains(output, "ok");
    }
}
