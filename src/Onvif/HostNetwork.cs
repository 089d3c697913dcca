using System.Net.NetworkInformation;
using Edge.Runtime;
using Microsoft.Extensions.Logging;

namespace Edge.Onvif;

/// <summary>
/// The host's network as last read (<see cref="Current"/>), read again on the worker pool a second
/// after the kernel reports an address or link change (DHCP, a cable, Wi-Fi), so a burst of changes
/// costs one read. <see cref="Changed"/> is raised on the loop when anything differs. Loop only.
/// </summary>
public sealed partial class HostNetwork(EventLoop loop, WorkerPool pool, ILogger logger) : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);
    private int _generation;
    private bool _scheduled, _started;

    public NetworkSnapshot Current { get; private set; } = NetworkSnapshot.Empty;

    /// <summary>Raised on the loop with the new snapshot.</summary>
    public event Action<NetworkSnapshot>? Changed;

    public void Start()
    {
        loop.VerifyAccess();
        if (_started) return;
        _started = true;
        NetworkChange.NetworkAddressChanged += OnSystemChange;
        NetworkChange.NetworkAvailabilityChanged += OnSystemChange;
        _ = Refresh();
    }

    private void OnSystemChange(object? sender, EventArgs e) => loop.Post(Schedule);

    private void Schedule()
    {
        if (_scheduled || !_started) return;
        _scheduled = true;
        _ = RefreshAfterSettling();
    }

    private async Task RefreshAfterSettling()
    {
        await loop.Delay(Settle);
        _scheduled = false;
        await Refresh();
    }

    private async Task Refresh()
    {
        // A later read wins over an earlier one that finishes after it.
        int generation = ++_generation;
        NetworkSnapshot snapshot;
        try
        {
            snapshot = await pool.Submit(_ => NetworkSnapshot.Read(), PoolFullMode.Wait);
        }
        catch (Exception e) when (e is NetworkInformationException or IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            Log.ReadFailed(logger, e.Message);
            return;
        }
        if (generation != _generation || !_started || snapshot.Summary == Current.Summary) return;
        Current = snapshot;
        Log.Network(logger, snapshot.Summary);
        Changed?.Invoke(snapshot);
    }

    public void Dispose()
    {
        if (!_started) return;
        _started = false;
        NetworkChange.NetworkAddressChanged -= OnSystemChange;
        NetworkChange.NetworkAvailabilityChanged -= OnSystemChange;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read the network interfaces: {Message}")]
        public static partial void ReadFailed(ILogger logger, string message);

        [LoggerMessage(Level = LogLevel.Information, Message = "Network: {Summary}")]
        public static partial void Network(ILogger logger, string summary);
    }
}
