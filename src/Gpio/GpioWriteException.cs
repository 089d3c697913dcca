namespace Edge.Gpio;

/// <summary>Why an output was not set.</summary>
public enum GpioWriteError
{
    /// <summary>No pin has the name.</summary>
    UnknownPin,

    /// <summary>The pin is an input.</summary>
    Input,

    /// <summary>The level is not 0 or 1.</summary>
    InvalidLevel,

    /// <summary>The pin's line is absent, or writing it failed.</summary>
    Unavailable,
}

/// <summary><see cref="GpioService.Write"/> refused or failed; nothing changed. The message names the pin.</summary>
public sealed class GpioWriteException(GpioWriteError error, string message) : Exception(message)
{
    public GpioWriteError Error { get; } = error;
}
