namespace Edge.State;

public enum StateError
{
    InvalidKey,
    NotWritable,
    TooLarge,
    TooMany,
    /// <summary>The writer does not take this value (a GPIO output takes 0 or 1).</summary>
    InvalidValue,
    /// <summary>What the key stands for is missing or failed (a GPIO line that could not be opened or written).</summary>
    Unavailable,
}

/// <summary>A client's write was refused; nothing changed.</summary>
public sealed class StateException(StateError error, string message) : Exception(message)
{
    public StateError Error { get; } = error;
}
