namespace Edge.Motion;

/// <summary>
/// A journal record: <c>motion.start</c> with the changed percent of the first picture that showed it,
/// <c>motion.end</c> with the highest percent seen and how long the motion lasted (cool-down included).
/// </summary>
public sealed record MotionEvent(double Level, double? Seconds = null);
