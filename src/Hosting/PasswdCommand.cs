using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Edge.Auth;

namespace Edge.Hosting;

/// <summary>
/// <c>edge passwd --user NAME [--role ROLE]</c>: reads a password (hidden and asked twice on a
/// terminal, one line otherwise) and prints a whole <c>Auth:Users</c> entry that works everywhere:
/// the password hash (API, UI, Basic), the Digest hash (RTSP clients that use Digest) and the
/// device password (ONVIF WS-Security PasswordDigest). <c>edge passwd</c> prints only the hash,
/// <c>edge passwd --digest NAME</c> only the Digest hash.
/// </summary>
public static class PasswdCommand
{
    private const string Usage = "usage: edge passwd --user NAME [--role viewer|operator|admin] | edge passwd [--digest NAME]   " +
        "(the password is read from standard input)";

    public static int Run(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        string? digestUser = null, user = null;
        UserRole role = UserRole.Admin;
        switch (args)
        {
            case []:
                break;
            case ["--digest", var name] when ValidName(name):
                digestUser = name;
                break;
            case ["--user", var name] when ValidName(name):
                user = name;
                break;
            case ["--user", var name, "--role", var roleName] when ValidName(name) && UserRoles.Parse(roleName) is { } parsed
                && roleName.Length > 0:
                user = name;
                role = parsed;
                break;
            default:
                error.WriteLine(Usage);
                return 2;
        }
        string? password;
        if (Console.IsInputRedirected)
        {
            password = input.ReadLine();
        }
        else
        {
            password = ReadHidden(error, "Password: ");
            if (password != ReadHidden(error, "Again: "))
            {
                error.WriteLine("edge passwd: the passwords differ.");
                return 2;
            }
        }
        if (string.IsNullOrEmpty(password))
        {
            error.WriteLine("edge passwd: no password given (write it on standard input).");
            return 2;
        }
        if (user != null) output.WriteLine(Entry(user, role, password));
        else output.WriteLine(digestUser == null ? PasswordHash.Create(password) : DigestAuth.Hash(digestUser, password));
        return 0;
    }

    private static bool ValidName(string name) => name.Length > 0 && !name.Contains(':');

    // One line of JSON to paste into Auth:Users.
    private static string Entry(string user, UserRole role, string password)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("Name", user);
            json.WriteString("Role", role.Name());
            json.WriteString("PasswordHash", PasswordHash.Create(password));
            json.WriteString("DigestHash", DigestAuth.Hash(user, password));
            json.WriteString("DevicePassword", password);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string ReadHidden(TextWriter prompt, string text)
    {
        prompt.Write(text);
        var password = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace) { if (password.Length > 0) password.Length--; }
            else password.Append(key.KeyChar);
        }
        prompt.WriteLine();
        return password.ToString();
    }
}
