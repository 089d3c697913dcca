using System.Security.Cryptography;
using System.Text;
using Edge.Runtime;
using Edge.State;

namespace Edge.Onvif;

/// <summary>
/// A random id made on the first start and kept in <c>DATA_DIR/device.id</c>: the ONVIF serial
/// number, which NVRs use to recognise a camera whose address changed. Blocking: call at start-up.
/// </summary>
public static class DeviceIdentity
{
    public const string FileName = "device.id";

    public static string LoadOrCreate(string dataDir)
    {
        string path = Path.Combine(dataDir, FileName);
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: 16 } id && Chars.All(id, Uri.IsHexDigit)) return id;
        string created = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        AtomicFile.Write(path, Encoding.ASCII.GetBytes(created + "\n"));
        return created;
    }

    /// <summary>
    /// The WS-Discovery endpoint address of device <paramref name="id"/>: a version 8 (custom) UUID that
    /// holds the id's random bits and the tag "edge", so it stays the same as long as <c>device.id</c>
    /// does. No hash: that would load OpenSSL (4 MB of memory) at every start.
    /// </summary>
    public static string EndpointAddress(string id)
    {
        Span<byte> uuid = stackalloc byte[16];
        Convert.FromHexString(id, uuid[..8], out _, out _);
        "edge-dev"u8.CopyTo(uuid[8..]);
        uuid[6] = (byte)((uuid[6] & 0x0F) | 0x80);
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80);
        return "urn:uuid:" + new Guid(uuid, bigEndian: true).ToString("D");
    }
}
