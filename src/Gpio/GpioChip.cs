using System.Device.Gpio;

namespace Edge.Gpio;

/// <summary>A chip in use while the GPIO service runs: its driver, and the controller Edge drives it through.</summary>
internal sealed class GpioChip(GpioChipDriver driver) : IDisposable
{
    public GpioChipDriver Driver { get; } = driver;

    public GpioController Controller { get; } = new(driver);

    /// <summary>Closes the chip's open pins and the driver.</summary>
    public void Dispose() => Controller.Dispose();
}
