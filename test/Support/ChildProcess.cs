using System.Collections.Concurrent;
using System.Diagnostics;

namespace Edge.Tests.Support;

/// <summary>A long-running child process (a server, a listener) whose output lines a test watches; killed on dispose.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new(), _stderr = new();

    private ChildProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data != null) _stdout.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) _stderr.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <param name="environment">Variables to set (null: remove) for the child.</param>
    public static ChildProcess Start(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = Tools.StartInfo(file, arguments);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value == null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }
        return new ChildProcess(Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}"));
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyCollection<string> Stdout => _stdout;

    public IReadOnlyCollection<string> Stderr => _stderr;

    /// <summary>Everything printed so far, for failure messages.</summary>
    public string Output => string.Join("\n", _stdout.Concat(_stderr));

    /// <summary>
    /// The first stdout line (from the start) that <paramref name="match"/> accepts; fails the test if none
    /// comes in time or the process exits.
    /// </summary>
    public async Task<string> WaitForLine(Func<string, bool> match, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            if (_stdout.FirstOrDefault(match) is { } line) return line;
            if (_process.HasExited || DateTime.UtcNow > deadline)
                throw new AssertFailedException($"{what}: not seen (exit {(_process.HasExited ? _process.ExitCode : "none")}):\n{Output}");
            await Task.Delay(10);
        }
    }

    /// <summary>SIGKILL, at once.</summary>
    public void Kill() => _process.Kill();

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
}
