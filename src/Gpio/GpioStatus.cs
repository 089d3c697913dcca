namespace Edge.Gpio;

/// <summary>The state key <c>gpio.status</c>: the driver, each pin and whether it is open, and what floods cost.</summary>
/// <param name="DroppedEdges">Edges lost before Edge handled them (the kernel's or Edge's buffer was full); values still end right.</param>
/// <param name="DroppedEvents">Events not reported because their pin exceeded <see cref="GpioService.MaxEventsPerSecond"/>.</param>
public sealed record GpioStatus(string Driver, IReadOnlyList<GpioPinStatus> Pins, long DroppedEdges, long DroppedEvents);

/// <param name="Error">Why the pin is absent (no such chip, line busy…); null while it is open.</param>
public sealed record GpioPinStatus(string Name, string Chip, int Line, string Direction, bool Open, string? Error);
