using System.Globalization;

namespace Edge.Web;

/// <summary>Reads an <c>Accept-Encoding</c> header (RFC 9110 §12.5.3).</summary>
public static class AcceptEncoding
{
    /// <summary>
    /// True when <paramref name="header"/> lists <paramref name="coding"/>, or <c>*</c> without listing
    /// it, with a weight above zero. An absent header allows nothing but identity here: a client that
    /// said nothing (curl, scripts) gets plain bytes.
    /// </summary>
    public static bool Allows(string header, string coding)
    {
        bool? star = null;
        foreach (var range in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int semicolon = range.IndexOf(';');
            string name = (semicolon < 0 ? range : range[..semicolon]).TrimEnd();
            bool allowed = semicolon < 0 || Weight(range[(semicolon + 1)..]) > 0;
            if (name.Equals(coding, StringComparison.OrdinalIgnoreCase)) return allowed;
            if (name == "*") star = allowed;
        }
        return star == true;
    }

    // "q=0.5" among the parameters; a weight that does not parse counts as none.
    private static double Weight(string parameters)
    {
        foreach (var parameter in parameters.Split(';', StringSplitOptions.TrimEntries))
        {
            if (parameter.Length < 2 || (parameter[0] | 0x20) != 'q' || parameter[1] != '=') continue;
            return double.TryParse(parameter.AsSpan(2), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double q) ? q : 0;
        }
        return 1;
    }
}
