using Edge.Monitoring;

namespace Edge.Tests.Monitoring;

[TestClass]
public sealed class SystemSamplerTests
{
    [TestMethod]
    public void TheFirstSampleHasNoCpuUsageOrRatesAndTheSecondHasExactOnes()
    {
        string root = Samples.Copy("pi");
        try
        {
            var sampler = new SystemSampler(root, Samples.PageSize);
            var first = sampler.Take(1);
            Assert.IsNull(first.Cpu, "one reading of /proc/stat tells no usage");
            Assert.IsTrue(first.Network!.All(i => i.RxBytesPerSecond == null && i.TxBytesPerSecond == null));
            Assert.AreEqual("""{"one":0.52,"five":0.58,"fifteen":0.59}""", Json.Of(first.Load));
            Assert.AreEqual($$"""{"totalBytes":{{3884376L * 1024}},"availableBytes":""" +
                $$"""{{3350720L * 1024}},"processRssBytes":{{5632L * Samples.PageSize}}}""", Json.Of(first.Memory));
            Assert.AreEqual(86400.25, first.UptimeSeconds);
            Assert.AreEqual("""{"zone":"thermal_zone0","type":"cpu-thermal","celsius":52.5}""", Json.Of(first.Temperatures.Single()));

            Samples.CopyOver("pi-later", root);
            var second = sampler.Take(1);
            Assert.AreEqual(43.8, second.Cpu!.Total);
            CollectionAssert.AreEqual(new double[] { 50, 25, 0, 100 }, second.Cpu.Cores.ToArray());
            var eth0 = second.Network!.Single(i => i.Name == "eth0");
            Assert.AreEqual(125_000L, eth0.RxBytesPerSecond);
            Assert.AreEqual(250_000L, eth0.TxBytesPerSecond);
            Assert.AreEqual(53.1, second.Temperatures.Single().Celsius);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void ARootWithoutProcLeavesEverythingOutWithoutThrowing()
    {
        var sampler = new SystemSampler(Path.Combine(Samples.Root("vm"), "absent"), Samples.PageSize);
        sampler.Take(1);
        var sample = sampler.Take(1);
        Assert.IsNull(sample.Cpu);
        Assert.IsNull(sample.Load);
        Assert.AreEqual("{}", Json.Of(sample.Memory), "what cannot be read is left out");
        Assert.AreEqual(0, sample.Temperatures.Length);
        Assert.IsNull(sample.UptimeSeconds);
        Assert.IsNull(sample.Network);
    }

    [TestMethod]
    public void ThisMachineCanBeSampled()
    {
        var sampler = new SystemSampler("/", Environment.SystemPageSize);
        var sample = sampler.Take(1);
        Assert.IsNotNull(sample.Load);
        Assert.IsTrue(sample.Memory.AvailableBytes > 0);
        Assert.IsTrue(sample.Memory.ProcessRssBytes > 10 << 20, "this test process holds more than 10 MB");
        Assert.IsTrue(sample.UptimeSeconds > 0);
        Assert.IsNotNull(sample.Network);
    }
}
