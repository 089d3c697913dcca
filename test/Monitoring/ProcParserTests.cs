using System.Text;
using Edge.Monitoring;

namespace Edge.Tests.Monitoring;

[TestClass]
public sealed class ProcParserTests
{
    private static CpuTimes Cpu(string sample)
    {
        var times = new CpuTimes();
        Assert.IsTrue(times.Read(Samples.Read(sample, "proc/stat")));
        return times;
    }

    [TestMethod]
    public void CpuUsageIsTheBusyShareOfTheTicksBetweenTwoReadings()
    {
        var before = Cpu("pi");
        var after = Cpu("pi-later");
        Assert.AreEqual(4, after.Cores);
        Assert.AreEqual(43.75, after.UsagePercent(before, 0)!.Value, 1e-9);
        // Core 0's guest ticks are already in its user ticks: counted twice it would read 58 %.
        double?[] cores = [.. Enumerable.Range(1, 4).Select(slot => after.UsagePercent(before, slot))];
        CollectionAssert.AreEqual(new double?[] { 50, 25, 0, 100 }, cores);
    }

    [TestMethod]
    public void CpuUsageOfThisMachineIsBetweenZeroAndOneHundred()
    {
        var before = Cpu("vm");
        var after = Cpu("vm-later");
        Assert.AreEqual(2, after.Cores);
        for (int slot = 0; slot <= 2; slot++)
            Assert.IsTrue(after.UsagePercent(before, slot) is >= 0 and <= 100, $"slot {slot}");
    }

    [TestMethod]
    public void ASingleReadingOrAnOfflineCoreGivesNoUsage()
    {
        var only = Cpu("pi");
        Assert.IsNull(only.UsagePercent(only, 0), "no time passed between a reading and itself");
        var before = Cpu("pi");
        var after = new CpuTimes();
        Assert.IsTrue(after.Read(Encoding.ASCII.GetBytes("cpu  10150 10 5020 80220 1005 0 205 0 0 0\n" +
            "cpu0 2540 0 1260 20045 255 0 50 0 0 0\ncpu2 2400 0 1200 20300 300 0 40 0 0 0\n")));
        Assert.IsNotNull(after.UsagePercent(before, 1));
        Assert.IsNull(after.UsagePercent(before, 2), "core 1 went offline");
        Assert.IsFalse(new CpuTimes().Read("intr 1 2 3\n"u8), "no cpu line");
    }

    [TestMethod]
    public void LoadAverageMemoryAndResidentSetParse()
    {
        Assert.AreEqual("""{"one":0.52,"five":0.58,"fifteen":0.59}""", Json.Of(LoadAverage.Parse(Samples.Read("pi", "proc/loadavg"))));
        Assert.IsNotNull(LoadAverage.Parse(Samples.Read("vm", "proc/loadavg")));
        Assert.IsNull(LoadAverage.Parse("garbage\n"u8));

        Assert.IsTrue(MemInfo.TryParse(Samples.Read("pi", "proc/meminfo"), out long total, out long available));
        Assert.AreEqual(3884376L * 1024, total);
        Assert.AreEqual(3350720L * 1024, available);
        Assert.IsTrue(MemInfo.TryParse(Samples.Read("vm", "proc/meminfo"), out total, out available));
        Assert.IsTrue(available > 0 && available <= total);
        // Kernels before 3.14 have no MemAvailable.
        Assert.IsTrue(MemInfo.TryParse("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 20 kB\nCached: 300 kB\n"u8, out total, out available));
        Assert.AreEqual(420L * 1024, available);
        Assert.IsFalse(MemInfo.TryParse("nothing here\n"u8, out _, out _));

        Assert.AreEqual(5632L * Samples.PageSize, MemInfo.ResidentBytes(Samples.Read("pi", "proc/self/statm"), Samples.PageSize));
        Assert.IsNull(MemInfo.ResidentBytes(""u8, Samples.PageSize));
    }

    [TestMethod]
    public void NetworkRatesComeFromTwoReadingsAndLeaveOutLoopback()
    {
        var network = new NetworkCounters();
        network.Read(Samples.Read("pi", "proc/net/dev"));
        CollectionAssert.AreEqual(new[] { "eth0", "wlan0" }, network.Interfaces.Select(i => i.Name).ToArray());
        Assert.IsNull(network.Interfaces[0].RxRate(1), "one reading has no rate");
        network.Read(Samples.Read("pi-later", "proc/net/dev"));
        var eth0 = network.Interfaces[0];
        Assert.AreEqual(98890432, eth0.RxBytes);
        Assert.AreEqual(125_000, eth0.RxRate(1));
        Assert.AreEqual(125_000, eth0.TxRate(2));
        Assert.AreEqual(0, network.Interfaces[1].RxRate(1), "an idle interface moves at 0 B/s");

        // An interface that goes away is dropped; a counter that went backwards (reset) has no rate.
        network.Read(Encoding.ASCII.GetBytes("h1\nh2\n  eth0: 5 0 0 0 0 0 0 0 7 0 0 0 0 0 0 0\n"));
        Assert.AreEqual(1, network.Interfaces.Count);
        Assert.IsNull(network.Interfaces[0].RxRate(1));
    }

    [TestMethod]
    public void ThermalZonesAreReadInMillidegreesAndAMissingDirectoryMeansNone()
    {
        var pi = new ThermalZones(Samples.Root("pi"));
        Assert.AreEqual(1, pi.Count, "cooling_device0 is not a zone");
        var reading = pi.Read(new KernelFiles(Samples.Root("pi"))).Single();
        Assert.AreEqual("""{"zone":"thermal_zone0","type":"cpu-thermal","celsius":52.5}""", Json.Of(reading));

        var vm = new ThermalZones(Samples.Root("vm"));
        Assert.AreEqual(0, vm.Count);
        Assert.AreEqual(0, vm.Read(new KernelFiles(Samples.Root("vm"))).Length);
    }

    [TestMethod]
    public void AMissingFileIsAbsentNotAnError()
    {
        var files = new KernelFiles(Samples.Root("vm"));
        Assert.IsFalse(files.TryRead(files.PathOf("proc/nonexistent"), out _));
        Assert.IsTrue(files.TryRead(files.PathOf("proc/uptime"), out var uptime));
        Assert.IsTrue(uptime.Length > 0);
    }
}
