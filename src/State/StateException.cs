namespace Edge.State;

public enum StateError { InvalidKey, NotWritable, TooLarge, TooMany }

/// <summary>A client's write was refused; nothing changed.</summary>
public sealed class StateException(StateError error, string message) : Exception(message)
{
    public StateError Error { get; } = error;
}
