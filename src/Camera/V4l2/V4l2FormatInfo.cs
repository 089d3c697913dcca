namespace Edge.Camera.V4l2;

/// <summary>One pixel format a capture device offers, with the frame sizes it offers it in.</summary>
/// <param name="SizeRange">
/// Set when the driver takes any size in a range (stepwise or continuous) instead of a list;
/// <paramref name="Sizes"/> then holds the common sizes that fall inside it.
/// </param>
public sealed record V4l2FormatInfo(uint Fourcc, string Description, bool Compressed, IReadOnlyList<V4l2FrameSize> Sizes,
    V4l2SizeRange? SizeRange);

/// <summary>A frame size and its frame rates, fastest first.</summary>
/// <param name="FpsRange">
/// Set when the driver takes any interval in a range; <paramref name="Fps"/> then holds its
/// maximum and the common rates inside it.
/// </param>
public sealed record V4l2FrameSize(int Width, int Height, IReadOnlyList<double> Fps, V4l2FpsRange? FpsRange);

public readonly record struct V4l2SizeRange(int MinWidth, int MaxWidth, int StepWidth, int MinHeight, int MaxHeight, int StepHeight);

public readonly record struct V4l2FpsRange(double Min, double Max);
