using System.Diagnostics;

namespace Edge.Tests.Support;

/// <summary>Runs real command-line tools (ffmpeg, ffprobe, gcc) and returns what they printed.</summary>
public static class Tools
{
    /// <summary>How to start <paramref name="file"/>: every standard stream redirected, no shell.</summary>
    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        return start;
    }

    /// <param name="input">Written to the tool's standard input, which is then closed.</param>
    public static async Task<(int ExitCode, string Output, string Error)> Run(string file, IEnumerable<string> arguments,
        TimeSpan? timeout = null, string? input = null)
    {
        using var process = Process.Start(StartInfo(file, arguments)) ?? throw new InvalidOperationException($"could not start {file}");
        if (input != null) await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish in time; stderr: {await error}");
        }
        return (process.ExitCode, await output, await error);
    }
}
