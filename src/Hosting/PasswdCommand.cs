using System.Text;
using Edge.Web.Auth;

namespace Edge.Hosting;

/// <summary>
/// <c>edge passwd</c>: reads a password (hidden and asked twice on a terminal, one line otherwise) and
/// prints its hash for <c>PasswordHash</c>; <c>edge passwd --digest NAME</c> prints the user's hash for
/// <c>DigestHash</c> instead (RTSP clients that use HTTP Digest).
/// </summary>
public static class PasswdCommand
{
    public static int Run(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        string? digestUser = null;
        if (args is ["--digest", var name] && name.Length > 0 && !name.Contains(':')) digestUser = name;
        else if (args.Length > 0)
        {
            error.WriteLine("usage: edge passwd [--digest NAME]   (the password is read from standard input)");
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
        output.WriteLine(digestUser == null ? PasswordHash.Create(password) : DigestAuth.Hash(digestUser, password));
        return 0;
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
