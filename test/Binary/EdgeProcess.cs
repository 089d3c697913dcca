using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Edge.Tests.Binary;

/// <summary>The published native binary, started as a child process on an ephemeral port.</summary>
public sealed partial class EdgeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new(), _stderr = new();

    private EdgeProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data != null) _stdout.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) _stderr.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static string BinaryPath { get; set; } = "";

    public int Pid => _process.Id;

    public Uri BaseUri { get; private set; } = null!;

    public IReadOnlyCollection<string> Stdout => _stdout;

    public IReadOnlyCollection<string> Stderr => _stderr;

    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var info = new ProcessStartInfo(BinaryPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        return info;
    }

    /// <summary>Starts the server and waits for its "listening on" line.</summary>
    public static async Task<EdgeProcess> Start(params string[] args)
    {
        // RTSP on a free port too, so tests never collide on 8554.
        var edge = new EdgeProcess(Process.Start(StartInfo(["--urls", "http://127.0.0.1:0", "--Rtsp:Port", "0", .. args]))!);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var match = edge._stdout.Select(l => ListeningLine().Match(l)).FirstOrDefault(m => m.Success);
            if (match != null)
            {
                edge.BaseUri = new Uri(match.Groups[1].Value);
                return edge;
            }
            if (edge._process.HasExited || DateTime.UtcNow > deadline)
                Assert.Fail($"edge did not start (exit {(edge._process.HasExited ? edge._process.ExitCode : "none")}):\n{string.Join("\n", edge._stdout.Concat(edge._stderr))}");
            await Task.Delay(10);
        }
    }

    /// <summary>Runs the binary to completion; returns its exit code and output.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> Run(string? stdin, params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        if (stdin != null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await stdout, await stderr);
    }

    public async Task Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", Pid.ToString()])!;
        await kill.WaitForExitAsync();
    }

    /// <summary>Waits for the process to exit; its exit code.</summary>
    public async Task<int> WaitForExit(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"listening on (http://[^\s,]+)")]
    private static partial Regex ListeningLine();
}
