using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Edge.Tests.Support;

namespace Edge.Tests.Web;

/// <summary><c>/files</c> on a real server with HttpClient: uploads, ranges, validators, limits and bad names.</summary>
[TestClass]
public sealed class FileTests
{
    private static byte[] Bytes(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static string FilesDir(EdgeServer server) => Path.Combine(server.DataDir, "files");

    [TestMethod]
    public async Task AnUploadIsStoredServedWholeAndInRangesWithValidatorsReplacedListedAndDeleted()
    {
        await using var server = await EdgeServer.Start();
        byte[] content = Bytes(3 << 20);
        using var put = await server.Http.PutAsync("/files/clip.bin", new ByteArrayContent(content));
        Assert.AreEqual(HttpStatusCode.Created, put.StatusCode, await put.Content.ReadAsStringAsync());
        string etag = put.Headers.ETag!.Tag;
        CollectionAssert.AreEqual(content, File.ReadAllBytes(Path.Combine(FilesDir(server), "clip.bin")));

        using var get = await server.Http.GetAsync("/files/clip.bin");
        Assert.AreEqual(HttpStatusCode.OK, get.StatusCode);
        Assert.AreEqual("application/octet-stream", get.Content.Headers.ContentType?.MediaType);
        Assert.AreEqual(etag, get.Headers.ETag!.Tag);
        CollectionAssert.AreEqual(content, await get.Content.ReadAsByteArrayAsync());

        var range = new HttpRequestMessage(HttpMethod.Get, "/files/clip.bin");
        range.Headers.Range = new RangeHeaderValue(100, 199);
        using var partial = await server.Http.SendAsync(range);
        Assert.AreEqual(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.AreEqual("bytes 100-199/" + content.Length, partial.Content.Headers.ContentRange!.ToString());
        CollectionAssert.AreEqual(content[100..200], await partial.Content.ReadAsByteArrayAsync());

        var conditional = new HttpRequestMessage(HttpMethod.Get, "/files/clip.bin");
        conditional.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag));
        Assert.AreEqual(HttpStatusCode.NotModified, (await server.Http.SendAsync(conditional)).StatusCode);

        using var replace = await server.Http.PutAsync("/files/clip.bin", new ByteArrayContent(Bytes(1000, seed: 2)));
        Assert.AreEqual(HttpStatusCode.OK, replace.StatusCode);
        Assert.AreNotEqual(etag, replace.Headers.ETag!.Tag);
        // A range of the old version must not be stitched onto the new one.
        var stale = new HttpRequestMessage(HttpMethod.Get, "/files/clip.bin");
        stale.Headers.Range = new RangeHeaderValue(0, 9);
        stale.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue(etag));
        using var whole = await server.Http.SendAsync(stale);
        Assert.AreEqual(HttpStatusCode.OK, whole.StatusCode);
        Assert.AreEqual(1000, (await whole.Content.ReadAsByteArrayAsync()).Length);

        var list = JsonDocument.Parse(await server.Http.GetStringAsync("/files")).RootElement;
        var item = list.EnumerateArray().Single();
        Assert.AreEqual("clip.bin", item.GetProperty("name").GetString());
        Assert.AreEqual(1000, item.GetProperty("size").GetInt64());

        Assert.AreEqual(HttpStatusCode.NoContent, (await server.Http.DeleteAsync("/files/clip.bin")).StatusCode);
        Assert.AreEqual(HttpStatusCode.NotFound, (await server.Http.GetAsync("/files/clip.bin")).StatusCode);
        Assert.AreEqual(HttpStatusCode.NotFound, (await server.Http.DeleteAsync("/files/clip.bin")).StatusCode);
    }

    [TestMethod]
    public async Task DownloadsWorkWhenTheDataDirectoryIsGivenRelativeToTheWorkingDirectory()
    {
        // README's first command starts Edge with --data-dir ./data.
        string dir = Directory.CreateTempSubdirectory("edge-relative-").FullName;
        try
        {
            string relative = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(dir, "data"));
            Assert.IsFalse(Path.IsPathRooted(relative));
            await using var server = await EdgeServer.Start(null, null, "--data-dir", relative);
            byte[] content = Bytes(5000, seed: 3);
            using var put = await server.Http.PutAsync("/files/clip.bin", new ByteArrayContent(content));
            Assert.AreEqual(HttpStatusCode.Created, put.StatusCode);
            using var get = await server.Http.GetAsync("/files/clip.bin");
            Assert.AreEqual(HttpStatusCode.OK, get.StatusCode, await get.Content.ReadAsStringAsync());
            CollectionAssert.AreEqual(content, await get.Content.ReadAsByteArrayAsync());
            Assert.IsTrue(File.Exists(Path.Combine(dir, "data", "files", "clip.bin")), "stored under the working directory's data folder");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public async Task BadNamesAreRefusedAndNothingLandsOutsideTheFolder()
    {
        await using var server = await EdgeServer.Start();
        foreach (var name in new[] { ".hidden", "..%2F..%2Fescape", "a%01b", "a%5Cb", new string('n', 256) })
        {
            using var put = await server.Http.PutAsync($"/files/{name}", new ByteArrayContent([1, 2, 3]));
            Assert.AreEqual(HttpStatusCode.BadRequest, put.StatusCode, name);
        }
        Assert.IsFalse(Directory.Exists(FilesDir(server)) && Directory.EnumerateFileSystemEntries(FilesDir(server)).Any());
        Assert.IsFalse(File.Exists(Path.Combine(server.DataDir, "escape")));
    }

    [TestMethod]
    public async Task OversizedUploadsGet413WithOrWithoutALengthAndLeaveNothingBehind()
    {
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("\"Files\":{\"MaxFileBytes\":1048576},"));
        using var declared = await server.Http.PutAsync("/files/big", new ByteArrayContent(Bytes(2 << 20)));
        Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        var chunked = new StreamContent(new MemoryStream(Bytes(2 << 20)));
        using var request = new HttpRequestMessage(HttpMethod.Put, "/files/big") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using var streamed = await server.Http.SendAsync(request);
        Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
        Assert.AreEqual(0, Directory.Exists(FilesDir(server)) ? Directory.GetFiles(FilesDir(server)).Length : 0,
            "no file, no temporary file");
        // Exactly the limit is fine.
        Assert.AreEqual(HttpStatusCode.Created,
            (await server.Http.PutAsync("/files/max", new ByteArrayContent(Bytes(1 << 20)))).StatusCode);
    }

    [TestMethod]
    public async Task AnUploadOnADiskDownToItsReserveGets507AndTheDataDirectoryIsReportedFailing()
    {
        await using var server =
            await EdgeServer.Start(EdgeServer.ConfigWithUsers($"\"Files\":{{\"ReserveBytes\":{EdgeServer.MoreThanFreeSpace()}}},"));
        using var put = await server.Http.PutAsync("/files/x", new ByteArrayContent([1]));
        Assert.AreEqual((HttpStatusCode)507, put.StatusCode);
        Assert.AreEqual(0, Directory.GetFiles(FilesDir(server)).Length);
        using var ready = await server.Http.GetAsync("/readyz");
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        StringAssert.Contains(await ready.Content.ReadAsStringAsync(), "uploaded files");
    }

    [TestMethod]
    public async Task AnUploadLargerThanTheRoomLeftGets507WithoutTheDataDirectoryBeingReportedFailing()
    {
        // About 1 GB of room above the reserve (room for other writes meanwhile); the upload announces
        // 1 TB (not sent: the answer comes first).
        long reserve = EdgeServer.FreeSpace() - (1L << 30);
        if (reserve < 1L << 30) Assert.Inconclusive("needs 2 GB free");
        await using var server =
            await EdgeServer.Start(EdgeServer.ConfigWithUsers($"\"Files\":{{\"ReserveBytes\":{reserve},\"MaxFileBytes\":{1L << 40}}},"));
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(server.BaseUri.Host, server.BaseUri.Port);
        var stream = client.GetStream();
        string auth = server.Http.DefaultRequestHeaders.Authorization!.ToString();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"PUT /files/huge HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n" +
            $"Content-Length: {1_000_000_000_000}\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        StringAssert.StartsWith(await reader.ReadLineAsync(), "HTTP/1.1 507");
        using var ready = await server.Http.GetAsync("/readyz");
        Assert.AreEqual(HttpStatusCode.OK, ready.StatusCode, "one file too large for the disk is the upload's trouble, not the disk's");
        Assert.AreEqual(HttpStatusCode.Created, (await server.Http.PutAsync("/files/small", new ByteArrayContent([1]))).StatusCode,
            "smaller files still fit");
    }

    [TestMethod]
    public async Task AMultipartUploadStoresEachFilePartAndMalformedOnesAreRefused()
    {
        await using var server = await EdgeServer.Start();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("just a field"), "comment" },
            { new ByteArrayContent(Bytes(70_000)), "file", "one.jpg" },
            { new ByteArrayContent(Bytes(10, seed: 3)), "file", "two.txt" },
        };
        using var post = await server.Http.PostAsync("/files", form);
        Assert.AreEqual(HttpStatusCode.Created, post.StatusCode, await post.Content.ReadAsStringAsync());
        var stored = JsonDocument.Parse(await post.Content.ReadAsStringAsync()).RootElement.EnumerateArray()
            .Select(f => f.GetProperty("name").GetString()).ToList();
        CollectionAssert.AreEqual(new[] { "one.jpg", "two.txt" }, stored);
        CollectionAssert.AreEqual(Bytes(70_000), File.ReadAllBytes(Path.Combine(FilesDir(server), "one.jpg")));
        Assert.AreEqual("image/jpeg", (await server.Http.GetAsync("/files/one.jpg")).Content.Headers.ContentType?.MediaType);

        var broken = new ByteArrayContent(Encoding.ASCII.GetBytes("--xyz\r\nContent-Disposition: form-data; name=\"f\"; " +
            "filename=\"a.bin\"\r\n\r\nno end boundary"));
        broken.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=xyz");
        Assert.AreEqual(HttpStatusCode.BadRequest, (await server.Http.PostAsync("/files", broken)).StatusCode);
        Assert.IsFalse(File.Exists(Path.Combine(FilesDir(server), "a.bin")));
        Assert.AreEqual(HttpStatusCode.UnsupportedMediaType, (await server.Http.PostAsync("/files", new ByteArrayContent([1]))).StatusCode);

        // A part that is skipped (no usable Content-Disposition) and then no closing boundary: found by WireFuzzTests.
        var unterminated = new ByteArrayContent(Encoding.ASCII.GetBytes("--xyz\r\nContent-Disposition: form-data; name=\"f\"; " +
            "filename\u001f=\"b.bin\"\r\n\r\nbytes and no end"));
        unterminated.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=xyz");
        using var refused = await server.Http.PostAsync("/files", unterminated);
        Assert.AreEqual(HttpStatusCode.BadRequest, refused.StatusCode);
        StringAssert.Contains(await refused.Content.ReadAsStringAsync(), "ended early");
    }

    [TestMethod]
    public async Task ALargeUploadIsStreamedNotBufferedInMemory()
    {
        await using var server = await EdgeServer.Start();
        const long size = 64L << 20;
        long before = GC.GetTotalAllocatedBytes(precise: true);
        using var put = await server.Http.PutAsync("/files/large.bin", new StreamContent(new PatternStream(size)));
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.AreEqual(HttpStatusCode.Created, put.StatusCode);
        Assert.AreEqual(size, new FileInfo(Path.Combine(FilesDir(server), "large.bin")).Length);
        // Client and server together, in this process: far less than the file.
        Assert.IsTrue(allocated < size / 4, $"{allocated} bytes allocated for a {size}-byte upload");
    }

    [TestMethod]
    public async Task ChangesNeedALoginAndABrowserOnThisSite()
    {
        await using var server = await EdgeServer.Start();
        using var anonymous = new HttpClient { BaseAddress = server.BaseUri };
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await anonymous.PutAsync("/files/a", new ByteArrayContent([1]))).StatusCode);
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/files")).StatusCode);
        var crossSite = new HttpRequestMessage(HttpMethod.Put, "/files/a") { Content = new ByteArrayContent([1]) };
        crossSite.Headers.Add("Origin", "http://evil.example");
        Assert.AreEqual(HttpStatusCode.Forbidden, (await server.Http.SendAsync(crossSite)).StatusCode);
        Assert.IsFalse(File.Exists(Path.Combine(FilesDir(server), "a")));
    }

    /// <summary>A read-only stream of a repeating pattern that allocates nothing as it is read.</summary>
    private sealed class PatternStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = (int)Math.Min(buffer.Length, length - _position);
            for (int i = 0; i < n; i++) buffer[i] = (byte)(_position + i);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => new(Read(buffer.Span));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
