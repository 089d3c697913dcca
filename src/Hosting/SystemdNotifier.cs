using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Edge.Runtime;
using Microsoft.Extensions.Logging;

namespace Edge.Hosting;

/// <summary>
/// The sd_notify protocol, spoken directly (one datagram on the Unix socket named by
/// <c>$NOTIFY_SOCKET</c>; no libsystemd): READY=1, STATUS=…, RELOADING=1, STOPPING=1, and WATCHDOG=1
/// sent by a timer on the event loop every half <c>WatchdogSec</c>, so a hung loop stops the pings and
/// systemd restarts Edge. Does nothing when Edge was not started by systemd with Type=notify.
/// </summary>
public sealed partial class SystemdNotifier : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _target;
    private readonly TimeSpan _watchdog;
    private readonly ILogger _logger;
    private ITimer? _watchdogTimer;

    /// <summary>
    /// Reads <c>NOTIFY_SOCKET</c>, <c>WATCHDOG_USEC</c> and <c>WATCHDOG_PID</c>, and removes them from the
    /// environment so child processes (a pipe camera) do not notify in Edge's name.
    /// </summary>
    public static SystemdNotifier FromEnvironment(ILogger logger)
    {
        string? socket = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        string? usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        string? pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        foreach (var name in new[] { "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID" }) Environment.SetEnvironmentVariable(name, null);
        var watchdog = TimeSpan.Zero;
        if (long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out long micros) && micros > 0
            && (pid == null || pid == Environment.ProcessId.ToString(CultureInfo.InvariantCulture)))
            watchdog = TimeSpan.FromMicroseconds(micros);
        return new SystemdNotifier(socket, watchdog, logger);
    }

    /// <param name="socketPath">A path, or <c>@name</c> for the abstract namespace; null: not under systemd.</param>
    public SystemdNotifier(string? socketPath, TimeSpan watchdog, ILogger logger)
    {
        _logger = logger;
        _watchdog = watchdog;
        if (string.IsNullOrEmpty(socketPath) || (socketPath[0] != '/' && socketPath[0] != '@')) return;
        _target = new UnixDomainSocketEndPoint(socketPath[0] == '@' ? "\0" + socketPath[1..] : socketPath);
        // Non-blocking: a notification is never worth stalling the loop for.
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
    }

    public bool Enabled => _socket != null;

    /// <summary>Edge serves: READY=1 with a status line; starts the watchdog pings on <paramref name="loop"/>.</summary>
    public void Ready(string status, EventLoop loop)
    {
        Send($"READY=1\nSTATUS={status}");
        if (Enabled && _watchdog > TimeSpan.Zero && _watchdogTimer == null)
            _watchdogTimer = loop.CreateTimer(() => Send("WATCHDOG=1"), TimeSpan.Zero, _watchdog / 2);
    }

    /// <summary>A SIGHUP reload begins (systemd's notify-reload protocol wants the monotonic time).</summary>
    public void Reloading()
        => Send($"RELOADING=1\nMONOTONIC_USEC={Environment.TickCount64 * 1000}\nSTATUS=Reloading the configuration");

    public void Status(string status) => Send($"STATUS={status}");

    public void Stopping()
    {
        _watchdogTimer?.Dispose();
        _watchdogTimer = null;
        Send("STOPPING=1\nSTATUS=Stopping");
    }

    private void Send(string message)
    {
        if (_socket == null) return;
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(message), _target!);
        }
        catch (SocketException e)
        {
            Log.NotifyFailed(_logger, e.Message);
        }
    }

    public void Dispose()
    {
        _watchdogTimer?.Dispose();
        _socket?.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot notify systemd through NOTIFY_SOCKET: {Message}")]
        public static partial void NotifyFailed(ILogger logger, string message);
    }
}
