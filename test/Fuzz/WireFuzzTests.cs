using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Edge.Tests.Support;

namespace Edge.Tests.Fuzz;

/// <summary>
/// Parsers that sit behind HTTP, fed mutated requests over real sockets (a real server per test): every
/// answer is a clear refusal or a normal reply, never a 500, and the server still serves afterwards.
/// </summary>
[TestClass]
[TestCategory("Fuzz")]
public sealed class WireFuzzTests
{
    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Posts each mutation of <paramref name="seeds"/>; every status must be in <paramref name="allowed"/>.</summary>
    private static async Task Post(EdgeServer server, string path, byte[][] seeds, Func<byte[], HttpContent> content,
        HttpStatusCode[] allowed, Action<HttpResponseMessage, string>? check = null)
    {
        var mutator = new Mutator(20261202);
        for (int i = 0; i < Mutations.Inputs; i++)
        {
            byte[] input = mutator.Next(seeds);
            using var response = await server.Http.PostAsync(path, content(input));
            string body = await response.Content.ReadAsStringAsync();
            if (!allowed.Contains(response.StatusCode))
                Assert.Fail($"input {i} ({Convert.ToBase64String(input)}) got {(int)response.StatusCode}: {body}\n" +
                    $"{string.Join("\n", server.Log.Lines.TakeLast(20))}");
            check?.Invoke(response, body);
        }
        using var ping = await server.Http.PostAsync("/api",
            new StringContent("""{"id":1,"method":"ping"}""", Encoding.UTF8, "application/json"));
        StringAssert.Contains(await ping.Content.ReadAsStringAsync(), "pong", "the server still answers");
    }

    [TestMethod]
    public async Task MutatedApiEnvelopesGetAResultOrANamedErrorAndNeverA500()
    {
        await using var server = await EdgeServer.Start();
        byte[][] seeds =
        [
            Utf8("""{"id":1,"method":"ping"}"""),
            Utf8("""{"id":"a","method":"state.set","params":{"key":"user.fuzz","value":{"list":[1,2.5,"x",null,true]}}}"""),
            Utf8("""{"id":3,"method":"state.get","params":{"keys":["system.cpu","user.fuzz"]}}"""),
            Utf8("""{"id":4,"method":"events.list","params":{"limit":5,"kind":"edge."}}"""),
            Utf8("""{"id":5,"method":"camera.set","params":{"fps":12,"quality":70}}"""),
        ];
        await Post(server, "/api", seeds,
            input => new ByteArrayContent(input) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
            [HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.UnsupportedMediaType],
            (response, body) =>
            {
                if (response.StatusCode != HttpStatusCode.OK) return;
                using var reply = JsonDocument.Parse(body);
                Assert.IsTrue(reply.RootElement.TryGetProperty("result", out _)
                    || reply.RootElement.GetProperty("error").GetProperty("message").GetString()!.Length > 0, body);
            });
    }

    [TestMethod]
    public async Task MutatedMultipartUploadsAreStoredOrRefusedAndNeverA500()
    {
        await using var server = await EdgeServer.Start();
        const string boundary = "edge-fuzz-boundary";
        byte[][] seeds =
        [
            Utf8($"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\n" +
                $"hello\r\n--{boundary}--\r\n"),
            Utf8($"--{boundary}\r\nContent-Disposition: form-data; name=\"one\"; filename=\"b.bin\"\r\n\r\n\u0001\u0002\u0003\r\n" +
                $"--{boundary}\r\nContent-Disposition: form-data; name=\"two\"; filename=\"c.jpg\"\r\n\r\n\u00ff\u00d8\u00ff\r\n" +
                $"--{boundary}--\r\n"),
            Utf8($"preamble\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nnot a file\r\n" +
                $"--{boundary}--\r\nepilogue"),
        ];
        await Post(server, "/files", seeds, input =>
        {
            var content = new ByteArrayContent(input);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");
            return content;
        }, [HttpStatusCode.Created, HttpStatusCode.BadRequest, HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.InsufficientStorage]);
        // Whatever was stored has a name the store allows.
        string stored = Path.Combine(server.DataDir, "files");
        foreach (var file in Directory.Exists(stored) ? Directory.EnumerateFiles(stored) : Enumerable.Empty<string>())
            Assert.IsNull(Edge.Files.StoredFileName.Problem(Path.GetFileName(file)), file);
    }
}
