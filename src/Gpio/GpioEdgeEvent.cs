namespace Edge.Gpio;

/// <summary>An edge of an input pin, as its state, its event and its action see it.</summary>
/// <param name="Edge"><c>rising</c> or <c>falling</c>, after active-low.</param>
/// <param name="Value">The pin's value after the edge.</param>
/// <param name="Time">When the edge was read from the line.</param>
public sealed record GpioEdgeEvent(string Pin, string Edge, int Value, DateTimeOffset Time);

/// <summary>What an input pin's <c>Action</c> does with one of its events; runs on the loop.</summary>
public delegate Task GpioActionHandler(GpioEdgeEvent edge, CancellationToken cancellationToken);
