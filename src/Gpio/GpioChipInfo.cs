namespace Edge.Gpio;

/// <summary>A chip as <c>gpio.chips</c> lists it; <paramref name="Error"/> says why its lines are missing.</summary>
public sealed record GpioChipInfo(string Name, string? Label, IReadOnlyList<GpioLineInfo> Lines, string? Error);

/// <summary>One line of a chip: its name on the board, who holds it and its flags (<see cref="GpioLineFlags"/>).</summary>
public sealed record GpioLineInfo(int Line, string? Name, string? Consumer, IReadOnlyList<string> Flags, int? DebounceUs);

/// <summary>The result of <c>gpio.chips</c>.</summary>
public sealed record GpioChipList(string Driver, IReadOnlyList<GpioChipInfo> Chips);
