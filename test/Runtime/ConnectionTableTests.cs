using System.Net;
using System.Text;
using System.Text.Json;
using Edge.Runtime;

namespace Edge.Tests.Runtime;

[TestClass]
public sealed class ConnectionTableTests
{
    private static JsonElement Report(ConnectionTable table)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer)) table.WriteTo(w);
        return JsonDocument.Parse(Encoding.UTF8.GetString(buffer.ToArray())).RootElement.Clone();
    }

    [TestMethod]
    public void AStreamLabelsItsConnectionUntilItEndsAndThenTheConnectionIsWhatItWasOpenedAs()
    {
        var table = new ConnectionTable();
        using var entry = table.Open("c1", "http", new IPEndPoint(IPAddress.Loopback, 50000));
        using (entry.Serve("mjpeg", () => 1, () => "3 frames sent"))
        {
            var streaming = Report(table)[0];
            Assert.AreEqual("mjpeg", streaming.GetProperty("kind").GetString());
            Assert.AreEqual(1, streaming.GetProperty("pending").GetInt32());
            Assert.AreEqual("3 frames sent", streaming.GetProperty("detail").GetString());
        }
        var keptAlive = Report(table)[0];
        Assert.AreEqual("http", keptAlive.GetProperty("kind").GetString());
        Assert.AreEqual(JsonValueKind.Null, keptAlive.GetProperty("pending").ValueKind);
        Assert.AreEqual(JsonValueKind.Null, keptAlive.GetProperty("detail").ValueKind);
        Assert.AreEqual("127.0.0.1:50000", keptAlive.GetProperty("peer").GetString());
    }

    [TestMethod]
    public void TwoHttp2StreamsOnOneConnectionAreBothShownAndTheOneLeftKeepsTheLabel()
    {
        var table = new ConnectionTable();
        using var entry = table.Open("c1", "https", null);
        var first = entry.Serve("mjpeg", () => 1, () => "first");
        using (entry.Serve("mjpeg", () => 2, () => "second"))
        {
            var both = Report(table)[0];
            Assert.AreEqual(3, both.GetProperty("pending").GetInt32());
            Assert.AreEqual("first; second", both.GetProperty("detail").GetString());
            first.Dispose();
            var one = Report(table)[0];
            Assert.AreEqual("mjpeg", one.GetProperty("kind").GetString(), "the second stream still runs");
            Assert.AreEqual("second", one.GetProperty("detail").GetString());
        }
        Assert.AreEqual("https", Report(table)[0].GetProperty("kind").GetString());
    }

    [TestMethod]
    public void AClosedConnectionLeavesTheTable()
    {
        var table = new ConnectionTable();
        var entry = table.Open("c1", "rtsp", null);
        Assert.AreEqual(1, table.Count);
        entry.Dispose();
        Assert.AreEqual(0, table.Count);
        Assert.AreEqual(0, Report(table).GetArrayLength());
    }
}
