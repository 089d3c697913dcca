using System.Text;
using Edge.Web.Auth;

namespace Edge.Hosting;

/// <summary><c>edge passwd</c>: reads a password (hidden and asked twice on a terminal, one line otherwise) and prints its hash.</summary>
public static class PasswdCommand
{
    public static int Run(TextReader input, TextWriter output, TextWriter error)
    {
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
        output.WriteLine(PasswordHash.Create(password));
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
