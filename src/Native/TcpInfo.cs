using System.Buffers.Binary;
using System.Net.Sockets;

namespace Edge.Native;

/// <summary>
/// The byte counts the kernel keeps for every TCP socket (<c>struct tcp_info</c>, Linux 4.1 and later),
/// read when the runtime inspector asks: counting in Edge on every read and write would cost each
/// request instead.
/// </summary>
public static class TcpInfo
{
    public const int IPPROTO_TCP = 6;
    public const int TCP_INFO = 11;
    /// <summary>
    /// <c>tcpi_bytes_acked</c>: bytes sent and acknowledged by the peer. On a connecting socket the
    /// acknowledgment of its SYN counts one more; an accepted socket starts counting after it.
    /// </summary>
    public const int BytesAckedOffset = 120;
    /// <summary><c>tcpi_bytes_received</c>: bytes received from the peer.</summary>
    public const int BytesReceivedOffset = 128;

    /// <summary>
    /// Data bytes acknowledged by the peer and received from it, for a socket that was accepted (as all
    /// of Edge's are); false when the socket is gone or the kernel's <c>tcp_info</c> is too old to hold the counts.
    /// </summary>
    public static bool TryRead(Socket socket, out long bytesAcked, out long bytesReceived)
    {
        bytesAcked = bytesReceived = 0;
        Span<byte> info = stackalloc byte[256];
        int length;
        try { length = socket.GetRawSocketOption(IPPROTO_TCP, TCP_INFO, info); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { return false; }
        if (length < BytesReceivedOffset + 8) return false;
        bytesAcked = (long)BinaryPrimitives.ReadUInt64LittleEndian(info[BytesAckedOffset..]);
        bytesReceived = (long)BinaryPrimitives.ReadUInt64LittleEndian(info[BytesReceivedOffset..]);
        return true;
    }
}
