using System.Text.Json;

namespace Edge.Tests.Support;

public static class Replies
{
    /// <summary>The <c>error.code</c> of a reply envelope.</summary>
    public static int ErrorCode(JsonElement reply) => reply.GetProperty("error").GetProperty("code").GetInt32();
}
