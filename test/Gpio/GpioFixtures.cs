using System.Collections.Concurrent;
using System.Text.Json;
using Edge.Gpio;
using Edge.Gpio.Memory;
using Edge.Tests.Support;

namespace Edge.Tests.Gpio;

/// <summary>Edge servers with GPIO pins on the in-memory driver, and what tests look at in them.</summary>
internal static class GpioFixtures
{
    public const string Chip = "gpiochip0";
    public const int IrCut = 17, Button = 27;

    /// <summary>
    /// The two pins (an IR-cut output, a button that takes snapshots) plus
    /// <paramref name="morePins"/>, on a small test pattern.
    /// </summary>
    public static string Config(string morePins = "", string driver = "memory", string moreSections = "")
        => EdgeServer.ConfigWithUsers($$"""
            "Camera":{"Source":"testpattern","Width":160,"Height":120,"Fps":10},
            "Gpio":{"Driver":"{{driver}}","Pins":[
              {"name":"ir_cut","chip":"gpiochip0","line":17,"direction":"output","activeLow":false,"initial":0},
              {"name":"button","line":27,"direction":"input","edge":"falling","debounceMs":20,"bias":"pull-up",
               "action":"snapshot"}{{morePins}}]},{{moreSections}}
            """);

    public static GpioService Gpio(EdgeServer server) => server.Host.Gpio!;

    public static MemoryGpioChips Memory(EdgeServer server) => (MemoryGpioChips)Gpio(server).Chips;

    /// <summary>Collects the service's events (what the journal will get) from now on.</summary>
    public static ConcurrentQueue<GpioEdgeEvent> Events(EdgeServer server)
    {
        var events = new ConcurrentQueue<GpioEdgeEvent>();
        Gpio(server).Edge += events.Enqueue;
        return events;
    }

    /// <summary>A state value, or null when the key does not exist.</summary>
    public static async Task<JsonElement?> StateOf(EdgeServer server, string key)
    {
        var result = (await server.Call("state.get", new { keys = new[] { key } })).GetProperty("result");
        return result.TryGetProperty(key, out var value) ? value : null;
    }

    public static async Task WaitForState(EdgeServer server, string key, int value)
        => await Eventually.True(async () => (await StateOf(server, key))?.ValueKind == JsonValueKind.Number
                && (await StateOf(server, key))!.Value.GetInt32() == value,
            $"{key} = {value}");

    /// <summary>Reads pushes until <paramref name="key"/> arrives with <paramref name="value"/>.</summary>
    public static async Task WaitForPush(ApiSocket socket, string key, int value)
    {
        while (true)
        {
            var message = await socket.Receive();
            if (message.TryGetProperty("state", out var state) && state.GetString() == key
                && message.GetProperty("value").GetInt32() == value) return;
        }
    }
}
