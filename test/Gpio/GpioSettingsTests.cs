using System.Device.Gpio;
using System.Text;
using Edge.Gpio;
using Edge.Hosting;
using Microsoft.Extensions.Configuration;

namespace Edge.Tests.Gpio;

[TestClass]
public sealed class GpioSettingsTests
{
    private static EdgeSettings Load(string json)
        => SettingsLoader.Load(new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build());

    [TestMethod]
    public void ThePinsOfTheIssueBindWithTheirCamelCaseKeys()
    {
        var gpio = Load("""
            {"Gpio":{"Pins":[
              {"name":"ir_cut","chip":"gpiochip0","line":17,"direction":"output","activeLow":false,"initial":0},
              {"name":"button","line":27,"direction":"input","edge":"falling","debounceMs":20,"bias":"pull-up","action":"snapshot"}]}}
            """).Gpio;
        Assert.AreEqual("chardev", gpio.Driver);
        Assert.HasCount(2, gpio.Pins);
        var button = gpio.Pins[1];
        Assert.AreEqual(("button", "gpiochip0", 27, "input"), (button.Name, button.Chip, button.Line, button.Direction));
        Assert.AreEqual(("falling", 20, "pull-up", "snapshot"), (button.Edge, button.DebounceMs, button.Bias, button.Action));
        Assert.AreEqual(PinMode.InputPullUp, button.Mode);
        Assert.AreEqual(new GpioLineOptions(false, GpioBias.PullUp, 20, "edge:button"), button.LineOptions());
        Assert.AreEqual(PinMode.Output, gpio.Pins[0].Mode);
        Assert.AreEqual(new GpioLineOptions(false, GpioBias.AsIs, 0, "edge:ir_cut"), gpio.Pins[0].LineOptions());
    }

    [TestMethod]
    public void NoSectionMeansNoPins()
    {
        var gpio = Load("{}").Gpio;
        Assert.AreEqual("chardev", gpio.Driver);
        Assert.IsEmpty(gpio.Pins);
    }

    [TestMethod]
    [DataRow("""{"Driver":"sysfs"}""", "Gpio:Driver must be one of chardev, memory (got 'sysfs')")]
    [DataRow("""{"Pins":[{"Name":"ir cut","Line":1}]}""", "Gpio:Pins:0:Name must be 1 to 32 letters")]
    [DataRow("""{"Pins":[{"Line":1}]}""", "Gpio:Pins:0:Name must be 1 to 32 letters")]
    [DataRow("""{"Pins":[{"Name":"status","Line":1}]}""", "Gpio:Pins:0:Name 'status' is taken by the state key gpio.status")]
    [DataRow("""{"Pins":[{"Name":"a","Line":1},{"Name":"a","Line":2}]}""", "Gpio:Pins:1:Name 'a' appears twice (also Pins:0)")]
    [DataRow("""{"Pins":[{"Name":"a","Chip":"chip0","Line":1}]}""", "Gpio:Pins:0:Chip must name a chip as gpiochipN")]
    [DataRow("""{"Pins":[{"Name":"a","Chip":"/dev/gpiochip0","Line":1}]}""", "Gpio:Pins:0:Chip must name a chip as gpiochipN")]
    [DataRow("""{"Pins":[{"Name":"a","Chip":"gpiochip","Line":1}]}""", "Gpio:Pins:0:Chip must name a chip as gpiochipN")]
    [DataRow("""{"Pins":[{"Name":"a"}]}""", "Gpio:Pins:0:Line is required")]
    [DataRow("""{"Pins":[{"Name":"a","Line":65536}]}""", "Gpio:Pins:0:Line must be between 0 and 65535 (got 65536)")]
    [DataRow("""{"Pins":[{"Name":"a","Line":3},{"Name":"b","Line":3}]}""", "Gpio:Pins:1:Line 3 of gpiochip0 is already pin 'a' (Pins:0)")]
    [DataRow("""{"Pins":[{"Name":"a","Line":1,"Direction":"out"}]}""", "Gpio:Pins:0:Direction must be input or output (got 'out')")]
    [DataRow("""{"Pins":[{"Name":"a","Line":1,"Direction":"output","Edge":"rising"}]}""", "Gpio:Pins:0:Edge applies to inputs only")]
    [DataRow("""{"Pins":[{"Name":"a","Line":1,"Direction":"output","DebounceMs":5}]}""", "Gpio:Pins:0:DebounceMs applies to inputs only")]
    [DataRow("""{"Pins":[{"Name":"a","Line":1,"Direction":"output","Action":"snapshot"}]}""", "Gpio:Pins:0:Action applies to inputs only")]
    [DataRow("""{"Pins":[{"Name":"a","Line":1,"Direction":"output","Initial":2}]}""", "Gpio:Pins:0:Initial must be 0 or 1 (got 2)")]
    [DataRow("""{"Pins":[{"Name":"a","Line":1,"Initial":1}]}""", "Gpio:Pins:0:Initial applies to outputs only")]
    [DataRow("""{"Pins":[{"Name":"a","Line":1,"Edge":"down"}]}""",
        "Gpio:Pins:0:Edge must be one of none, rising, falling, both (got 'down')")]
    [DataRow("""{"Pins":[{"Name":"a","Line":1,"Bias":"pullup"}]}""",
        "Gpio:Pins:0:Bias must be one of as-is, pull-up, pull-down, disabled (got 'pullup')")]
    [DataRow("""{"Pins":[{"Name":"a","Line":1,"Edge":"both","DebounceMs":5000}]}""",
        "Gpio:Pins:0:DebounceMs must be between 0 and 1000 (got 5000)")]
    [DataRow("""{"Pins":[{"Name":"a","Line":1,"Edge":"both","Action":"film"}]}""",
        "Gpio:Pins:0:Action must be one of none, snapshot, record (got 'film')")]
    [DataRow("""{"Pins":[{"Name":"a","Line":1,"Action":"snapshot"}]}""", "Gpio:Pins:0:Action needs an Edge to run on")]
    [DataRow("""{"Pins":[{"Name":"a","Line":"seventeen"}]}""", "Gpio:")]
    [DataRow("""{"Pins":[{"Name":"a","Line":1,"Pull":"up"}]}""", "Pull")]
    [DataRow("""{"Chips":[]}""", "Chips")]
    [DataRow("""{"Pins":[{"Name":"a","Line":1}],"IrCut":{"Pin":"b"}}""",
        "Gpio:IrCut:Pin must name an output pin of the Gpio section (got 'b')")]
    [DataRow("""{"Pins":[{"Name":"a","Line":1}],"IrCut":{"Pin":"a"}}""", "Gpio:IrCut:Pin must name an output pin")]
    [DataRow("""{"Pins":[{"Name":"a","Line":1,"Direction":"output"}],"IrCut":{"Pin":"a","Mode":"night"}}""",
        "Gpio:IrCut:Mode must be one of on, off, auto (got 'night')")]
    [DataRow("""{"Pins":[{"Name":"a","Line":1,"Direction":"output"}],"IrCut":{"Pin":"a","LightSensor":"a"}}""",
        "Gpio:IrCut:LightSensor must name an input pin")]
    [DataRow("""{"Pins":[{"Name":"a","Line":1,"Direction":"output"}],"IrCut":{"Pin":"a","DayStarts":"7am"}}""",
        "Gpio:IrCut:DayStarts must be a time of day as HH:mm (got '7am')")]
    [DataRow("""{"Pins":[{"Name":"a","Line":1,"Direction":"output"}],"IrCut":{"Pin":"a","DayStarts":"19:00"}}""",
        "Gpio:IrCut:DayStarts and NightStarts must differ")]
    public void InvalidPinsAreRefusedNamingTheKey(string section, string message)
    {
        var error = Assert.Throws<ConfigException>(() => Load($$"""{"Gpio":{{section}}}"""));
        StringAssert.Contains(error.Message, message);
    }
}
