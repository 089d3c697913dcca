using Edge.Auth;
using System.Text.Json;
using Edge.Gpio;
using Edge.Gpio.Memory;
using Edge.State;

namespace Edge.Api;

/// <summary><c>gpio.chips</c>, <c>gpio.set</c>, and with the in-memory driver <c>gpio.simulate</c>.</summary>
public sealed class GpioMethods(GpioService gpio)
{
    public void Register(ApiDispatcher dispatcher)
    {
        dispatcher.Register("gpio.chips", UserRole.Viewer, Chips);
        dispatcher.Register("gpio.set", UserRole.Operator, Set);
        // A button or sensor for a machine without GPIO: try a configuration and its actions.
        if (gpio.Chips is MemoryGpioChips memory) dispatcher.Register("gpio.simulate", UserRole.Operator, call => Simulate(memory, call));
    }

    // {chip (default gpiochip0), line, level}: drives the simulated line as the outside world would.
    private static ValueTask<ApiResult> Simulate(MemoryGpioChips memory, ApiCall call)
    {
        string chip = call.TryGetParam("chip", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "gpiochip0";
        if (call.RequireParam("line") is not { ValueKind: JsonValueKind.Number } lineValue || !lineValue.TryGetInt32(out int line))
            throw ApiException.InvalidParams("params.line must be a line number.");
        if (call.RequireParam("level") is not { ValueKind: JsonValueKind.Number } levelValue || !levelValue.TryGetInt32(out int level)
            || level is not (0 or 1))
            throw ApiException.InvalidParams("params.level must be 0 or 1.");
        try
        {
            memory.SetLevel(chip, line, level);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw ApiException.InvalidParams(e.Message);
        }
        return ApiResult.Null;
    }

    private async ValueTask<ApiResult> Chips(ApiCall call) => ApiResult.Of(await gpio.ListChips(), ApiJsonContext.Default.GpioChipList);

    private async ValueTask<ApiResult> Set(ApiCall call)
    {
        string name = call.RequireString("name");
        try
        {
            int level = await Write(name, call.RequireParam("value"));
            return ApiResult.Of(new GpioSetResult(name, level), ApiJsonContext.Default.GpioSetResult);
        }
        catch (StateException e)
        {
            throw ApiException.From(e);
        }
    }

    /// <summary>The <see cref="StateWriter"/> of the <c>gpio.</c> keys: <c>state.set</c> of an output.</summary>
    public async ValueTask WriteState(string key, JsonElement value) => await Write(key[GpioService.StatePrefix.Length..], value);

    // JSON in, the state store's refusals out: what gpio.set and state.set share.
    private async Task<int> Write(string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int level))
            throw new StateException(StateError.InvalidValue, $"GPIO pin '{name}' takes 0 or 1 " +
                $"(got {(value.ValueKind == JsonValueKind.Number ? value.GetRawText() : value.ValueKind.ToString().ToLowerInvariant())}).");
        try
        {
            await gpio.Write(name, level);
            return level;
        }
        catch (GpioWriteException e)
        {
            throw new StateException(e.Error switch
            {
                GpioWriteError.UnknownPin => StateError.InvalidKey,
                GpioWriteError.Input => StateError.NotWritable,
                GpioWriteError.InvalidLevel => StateError.InvalidValue,
                _ => StateError.Unavailable,
            }, e.Message);
        }
    }
}

public sealed record GpioSetResult(string Name, int Value);
