using System.Text;

namespace Edge.Onvif.Xml;

/// <summary>
/// Writes one well-formed XML document: every text and attribute value is escaped, a prefix is
/// declared on the element that first needs it, an element without content is written empty
/// (<c>&lt;a/&gt;</c>). Misuse (a second root, text outside it, an attribute after content, a
/// character XML cannot hold) throws rather than producing something a parser would refuse.
/// </summary>
public sealed class XmlDocumentWriter
{
    private readonly StringBuilder _out = new();
    private readonly List<(string Name, int Bindings)> _open = [];
    private readonly List<(string Prefix, string Uri)> _bindings = [];
    private readonly List<string> _tagAttributes = [];
    private bool _inStartTag;
    private bool _rootWritten;

    /// <summary>The XML declaration; only as the first thing written.</summary>
    public void WriteStartDocument()
    {
        if (_out.Length > 0) throw new InvalidOperationException("The XML declaration must come first.");
        _out.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    }

    /// <summary>
    /// Opens <c>prefix:localName</c> in <paramref name="namespaceUri"/>, declaring the prefix here unless
    /// it is already bound to that namespace.
    /// </summary>
    public void WriteStartElement(string prefix, string localName, string namespaceUri)
    {
        string name = prefix.Length == 0 ? localName : prefix + ":" + localName;
        CheckName(name);
        if (_open.Count == 0 && _rootWritten) throw new InvalidOperationException("A document has one root element.");
        bool declare = Lookup(prefix) != namespaceUri;
        if (declare) CheckDeclaration(prefix, namespaceUri);
        CloseStartTag();
        _out.Append('<').Append(name);
        _tagAttributes.Clear();
        _open.Add((name, 0));
        _inStartTag = true;
        _rootWritten = true;
        if (declare) WriteNamespace(prefix, namespaceUri);
    }

    /// <summary>
    /// Declares <paramref name="prefix"/> (empty: the default namespace) on the open start tag, for this
    /// element and those inside it.
    /// </summary>
    public void WriteNamespace(string prefix, string namespaceUri)
    {
        CheckDeclaration(prefix, namespaceUri);
        WriteAttributeString(prefix.Length == 0 ? "xmlns" : "xmlns:" + prefix, namespaceUri, declaration: true);
        _bindings.Add((prefix, namespaceUri));
        _open[^1] = (_open[^1].Name, _open[^1].Bindings + 1);
    }

    /// <summary>
    /// An attribute of the open start tag; a prefixed <paramref name="name"/> (such as <c>xml:lang</c>)
    /// needs its prefix in scope.
    /// </summary>
    public void WriteAttributeString(string name, string value) => WriteAttributeString(name, value, declaration: false);

    public void WriteString(string text)
    {
        if (_open.Count == 0) throw new InvalidOperationException("Text must be inside the root element.");
        CheckText(text);
        CloseStartTag();
        Escape(text, attribute: false);
    }

    /// <summary>An element holding only <paramref name="value"/>.</summary>
    public void WriteElementString(string prefix, string localName, string namespaceUri, string value)
    {
        WriteStartElement(prefix, localName, namespaceUri);
        if (value.Length > 0) WriteString(value);
        WriteEndElement();
    }

    public void WriteEndElement()
    {
        if (_open.Count == 0) throw new InvalidOperationException("No element is open.");
        var (name, bindings) = _open[^1];
        if (_inStartTag) _out.Append("/>");
        else _out.Append("</").Append(name).Append('>');
        _inStartTag = false;
        _open.RemoveAt(_open.Count - 1);
        _bindings.RemoveRange(_bindings.Count - bindings, bindings);
    }

    /// <summary>The finished document as UTF-8 (no byte order mark).</summary>
    public byte[] ToUtf8() => Encoding.UTF8.GetBytes(ToString());

    /// <summary>The finished document; throws while an element is still open.</summary>
    public override string ToString()
    {
        if (!_rootWritten || _open.Count > 0) throw new InvalidOperationException("The document is not finished.");
        return _out.ToString();
    }

    private void WriteAttributeString(string name, string value, bool declaration)
    {
        if (!_inStartTag) throw new InvalidOperationException($"Attribute {name} must come before the element's content.");
        CheckName(name);
        CheckText(value);
        if (!declaration)
        {
            int colon = name.IndexOf(':');
            if (name == "xmlns" || name.StartsWith("xmlns:", StringComparison.Ordinal))
                throw new ArgumentException("Declare namespaces with WriteNamespace.", nameof(name));
            if (colon > 0 && name[..colon] != "xml" && Lookup(name[..colon]) == null)
                throw new ArgumentException($"Prefix of {name} is not bound.", nameof(name));
        }
        // Attribute names are compared as written: two prefixes for one namespace are not used here.
        if (_tagAttributes.Contains(name)) throw new InvalidOperationException($"Attribute {name} is already written.");
        _tagAttributes.Add(name);
        _out.Append(' ').Append(name).Append("=\"");
        Escape(value, attribute: true);
        _out.Append('"');
    }

    private void CloseStartTag()
    {
        if (!_inStartTag) return;
        _out.Append('>');
        _inStartTag = false;
    }

    // The namespace bound to prefix in scope; "" for no default namespace, null for an unbound prefix.
    private string? Lookup(string prefix)
    {
        for (int i = _bindings.Count - 1; i >= 0; i--)
        {
            if (_bindings[i].Prefix == prefix) return _bindings[i].Uri;
        }
        return prefix.Length == 0 ? "" : null;
    }

    private static void CheckName(string name)
    {
        if (!XmlNames.IsQualifiedName(name)) throw new ArgumentException($"'{name}' is not a valid XML name.", nameof(name));
    }

    // Checks come before anything is appended, so a refused call leaves the document as it was.
    private static void CheckText(string text)
    {
        int invalid = XmlNames.IndexOfInvalidChar(text);
        if (invalid >= 0) throw new ArgumentException($"Character U+{(int)text[invalid]:X4} cannot be written in XML.", nameof(text));
    }

    private static void CheckDeclaration(string prefix, string namespaceUri)
    {
        if (prefix is "xml" or "xmlns" || prefix.Length > 0 && namespaceUri.Length == 0 || namespaceUri == XmlNames.XmlNamespace)
            throw new ArgumentException($"Prefix '{prefix}' cannot be declared for '{namespaceUri}'.", nameof(prefix));
    }

    private void Escape(string text, bool attribute)
    {
        foreach (char c in text)
        {
            switch (c)
            {
                case '<': _out.Append("&lt;"); break;
                case '&': _out.Append("&amp;"); break;
                // '>' too, so that text never holds ']]>'.
                case '>': _out.Append("&gt;"); break;
                // A reader would turn a literal CR into LF (and, in attributes, CR, LF and tab into spaces).
                case '\r': _out.Append("&#xD;"); break;
                case '"' when attribute: _out.Append("&quot;"); break;
                case '\n' when attribute: _out.Append("&#xA;"); break;
                case '\t' when attribute: _out.Append("&#x9;"); break;
                default: _out.Append(c); break;
            }
        }
    }
}
