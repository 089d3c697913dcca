using System.Buffers;
using System.IO.Pipelines;
using Edge.Runtime;

namespace Edge.Web;

/// <summary>A connection's transport pipes, passed through, counting the bytes read and written into its <see cref="ConnectionEntry"/>.</summary>
internal sealed class CountingTransport(IDuplexPipe inner, ConnectionEntry entry) : IDuplexPipe
{
    public PipeReader Input { get; } = new CountingReader(inner.Input, entry);

    public PipeWriter Output { get; } = new CountingWriter(inner.Output, entry);

    private sealed class CountingReader(PipeReader inner, ConnectionEntry entry) : PipeReader
    {
        // The buffer of the last read: what AdvanceTo consumes is measured against its start.
        private ReadOnlySequence<byte> _last;

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var read = inner.ReadAsync(cancellationToken);
            if (!read.IsCompletedSuccessfully) return Remember(read);
            _last = read.Result.Buffer;
            return read;
        }

        private async ValueTask<ReadResult> Remember(ValueTask<ReadResult> read)
        {
            var result = await read.ConfigureAwait(false);
            _last = result.Buffer;
            return result;
        }

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result)) return false;
            _last = result.Buffer;
            return true;
        }

        public override void AdvanceTo(SequencePosition consumed)
        {
            Count(consumed);
            inner.AdvanceTo(consumed);
        }

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
            Count(consumed);
            inner.AdvanceTo(consumed, examined);
        }

        private void Count(SequencePosition consumed)
        {
            long bytes = _last.Slice(_last.Start, consumed).Length;
            if (bytes > 0) entry.AddIn(bytes);
            _last = default;
        }

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }

    private sealed class CountingWriter(PipeWriter inner, ConnectionEntry entry) : PipeWriter
    {
        public override void Advance(int bytes)
        {
            entry.AddOut(bytes);
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            entry.AddOut(source.Length);
            return inner.WriteAsync(source, cancellationToken);
        }

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }
}
