using Edge.Gpio;
using Edge.State;

namespace Edge.Api;

/// <summary><c>gpio.chips</c> and <c>gpio.set</c>.</summary>
public sealed class GpioMethods(GpioService gpio)
{
    public void Register(ApiDispatcher dispatcher)
    {
        dispatcher.Register("gpio.chips", Chips);
        dispatcher.Register("gpio.set", Set);
    }

    private async ValueTask<ApiResult> Chips(ApiCall call) => ApiResult.Of(await gpio.ListChips(), ApiJsonContext.Default.GpioChipList);

    private async ValueTask<ApiResult> Set(ApiCall call)
    {
        string name = call.RequireString("name");
        var value = call.RequireParam("value");
        try
        {
            await gpio.Write(name, value);
        }
        catch (StateException e)
        {
            throw ApiException.From(e);
        }
        return ApiResult.Of(new GpioSetResult(name, value.GetInt32()), ApiJsonContext.Default.GpioSetResult);
    }
}

public sealed record GpioSetResult(string Name, int Value);
