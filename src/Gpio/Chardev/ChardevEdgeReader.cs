using Edge.Native;
using static Edge.Gpio.Chardev.GpioIoctl;
using static Edge.Native.Libc;

namespace Edge.Gpio.Chardev;

/// <summary>Reads the edges of requested lines from their descriptors: one poll over all of them, one read per ready line.</summary>
internal static unsafe class ChardevEdgeReader
{
    // How often the reader looks at its cancellation token while no edge comes.
    private const int PollTimeoutMs = 250;
    // The kernel buffers 16 edges per line by default; one read takes what is there.
    private const int EventsPerRead = 16;

    /// <summary>
    /// Calls <paramref name="onEdge"/> (line, rising, the line's edge number) until cancelled; throws
    /// <see cref="GpioException"/> when a line fails.
    /// </summary>
    public static void Run(IReadOnlyList<ChardevLine> lines, Action<ChardevLine, bool, uint> onEdge, CancellationToken cancellationToken)
    {
        int count = lines.Count;
        var polled = new pollfd[count];
        var events = new gpio_v2_line_event[EventsPerRead];
        fixed (pollfd* fds = polled)
        fixed (gpio_v2_line_event* buffer = events)
        {
            for (int i = 0; i < count; i++) fds[i] = new pollfd { fd = lines[i].Fd, events = POLLIN };
            while (!cancellationToken.IsCancellationRequested)
            {
                int errno = TryPoll(fds, count, PollTimeoutMs, out int ready);
                if (errno != 0) throw GpioException.FromErrno("GPIO lines", "waiting for edges", errno);
                if (ready == 0) continue;
                for (int i = 0; i < count; i++)
                    if (fds[i].revents != 0) ReadEdges(lines[i], fds[i].revents, buffer, onEdge);
            }
        }
    }

    // One read after POLLIN never blocks, even though the descriptor is blocking: the kernel has at
    // least one whole event, and this thread is its only reader. More events make the next poll ready at once.
    private static void ReadEdges(ChardevLine line, short revents, gpio_v2_line_event* buffer, Action<ChardevLine, bool, uint> onEdge)
    {
        if ((revents & POLLIN) == 0)
            throw new GpioException($"{line.Description}: the line stopped reporting edges (poll revents 0x{revents:x})");
        int errno = TryRead(line.Fd, buffer, EventsPerRead * sizeof(gpio_v2_line_event), out int read);
        if (errno == EAGAIN) return;
        if (errno != 0) throw GpioException.FromErrno(line.Description, "reading edges", errno);
        if (read == 0) throw new GpioException($"{line.Description}: the line request was closed");
        for (int i = 0; i < read / sizeof(gpio_v2_line_event); i++)
            onEdge(line, buffer[i].id == GPIO_V2_LINE_EVENT_RISING_EDGE, buffer[i].line_seqno);
    }
}
