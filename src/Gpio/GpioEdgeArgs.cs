using System.Device.Gpio;

namespace Edge.Gpio;

/// <summary>
/// An edge as Edge's drivers report it: with the kernel's count of the line's edges so far (a gap means
/// edges were lost).
/// </summary>
public sealed class GpioEdgeArgs(PinEventTypes changeType, int pinNumber, uint lineSeqno) : PinValueChangedEventArgs(changeType, pinNumber)
{
    public uint LineSeqno { get; } = lineSeqno;
}
