using System.Security.Cryptography;
using System.Text;
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
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: 16 } id && id.All(Uri.IsHexDigit)) return id;
        string created = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        AtomicFile.Write(path, Encoding.ASCII.GetBytes(created + "\n"));
        return created;
    }
}
