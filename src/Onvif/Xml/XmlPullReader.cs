using System.Globalization;
using System.Text;

namespace Edge.Onvif.Xml;

/// <summary>
/// A pull reader for the XML a network peer sends: elements with namespace-resolved names,
/// attributes, and text with the five predefined entities, character references and CDATA decoded.
/// Comments and the XML declaration are skipped. It refuses, with an <see cref="XmlFormatException"/>
/// that says what and where: DTDs (so no entity expansion and no external fetches), processing
/// instructions, undefined entities, mismatched tags, unbound prefixes, nesting deeper than the limit,
/// documents larger than the limit, and anything else that is not well-formed.
/// </summary>
public sealed class XmlPullReader
{
    public const int DefaultMaxDepth = 32;

    /// <summary>
    /// Attributes (namespace declarations included) one element may have, and namespace declarations
    /// in scope at once. Checking a name against the others is a scan, so these keep a document's cost
    /// linear in its length: 9,300 attributes on one element cost half a second of the event loop.
    /// ONVIF and WS-Discovery messages use a handful of each.
    /// </summary>
    public const int MaxAttributes = 64, MaxNamespaceDeclarations = 128;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string _xml;
    private readonly int _maxDepth;
    private readonly bool _utf8Input;
    private readonly int _start;
    private int _pos;
    private readonly List<OpenElement> _open = [];
    private readonly List<(string Prefix, string Uri)> _bindings = [];
    private readonly List<XmlAttribute> _attributes = [];
    private readonly StringBuilder _text = new();
    private bool _pendingEnd;
    private bool _sawRoot;

    /// <summary>
    /// Reads UTF-8 <paramref name="utf8"/> (a byte order mark is allowed); refuses more than
    /// <paramref name="maxBytes"/> bytes.
    /// </summary>
    public XmlPullReader(ReadOnlySpan<byte> utf8, int maxBytes, int maxDepth = DefaultMaxDepth)
    {
        if (utf8.Length > maxBytes) throw new XmlFormatException($"The document is larger than {maxBytes} bytes.");
        try
        {
            _xml = StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            throw new XmlFormatException("The document is not valid UTF-8.");
        }
        _utf8Input = true;
        _maxDepth = maxDepth;
        _start = _pos = Prepare();
    }

    /// <summary>
    /// Reads <paramref name="xml"/>; refuses more than <paramref name="maxBytes"/> bytes of UTF-8. An
    /// encoding declaration is not checked.
    /// </summary>
    public XmlPullReader(string xml, int maxBytes, int maxDepth = DefaultMaxDepth)
    {
        if (Encoding.UTF8.GetByteCount(xml) > maxBytes) throw new XmlFormatException($"The document is larger than {maxBytes} bytes.");
        _xml = xml;
        _maxDepth = maxDepth;
        _start = _pos = Prepare();
    }

    public XmlNodeKind Kind { get; private set; }

    /// <summary>
    /// As XmlReader counts it: 0 for the root element, one more for each element inside; text is one deeper
    /// than its element.
    /// </summary>
    public int Depth { get; private set; }

    /// <summary>The element's name without its prefix (start and end elements).</summary>
    public string LocalName { get; private set; } = "";

    /// <summary>The element's namespace, empty when none is in scope.</summary>
    public string NamespaceUri { get; private set; } = "";

    /// <summary>True for a start element written as <c>&lt;a/&gt;</c>; its end element comes next all the same.</summary>
    public bool IsEmptyElement { get; private set; }

    /// <summary>The decoded text of a text node.</summary>
    public string Value { get; private set; } = "";

    /// <summary>The attributes of the current start element, namespace declarations left out.</summary>
    public IReadOnlyList<XmlAttribute> Attributes => _attributes;

    public string? GetAttribute(string localName, string namespaceUri = "")
    {
        foreach (var attribute in _attributes)
        {
            if (attribute.LocalName == localName && attribute.NamespaceUri == namespaceUri) return attribute.Value;
        }
        return null;
    }

    /// <summary>
    /// The namespace <paramref name="prefix"/> is bound to where the reader stands (the empty prefix: the
    /// default namespace); null when unbound. Resolves QNames written as text, like WS-Discovery's <c>Types</c>.
    /// </summary>
    public string? LookupNamespace(string prefix)
    {
        if (prefix == "xml") return XmlNames.XmlNamespace;
        for (int i = _bindings.Count - 1; i >= 0; i--)
        {
            if (_bindings[i].Prefix == prefix) return _bindings[i].Uri.Length > 0 ? _bindings[i].Uri : null;
        }
        return null;
    }

    /// <summary>Moves to the next element boundary or text; false at the end of a complete document.</summary>
    public bool Read()
    {
        _attributes.Clear();
        IsEmptyElement = false;
        Value = "";
        if (_pendingEnd)
        {
            _pendingEnd = false;
            EndElement();
            return true;
        }
        while (true)
        {
            if (_pos >= _xml.Length)
            {
                if (_open.Count > 0) throw Error($"The document ends inside <{_open[^1].Name}>.");
                if (!_sawRoot) throw Error("The document has no root element.");
                Kind = XmlNodeKind.None;
                return false;
            }
            if (_xml[_pos] != '<')
            {
                if (_open.Count == 0)
                {
                    if (!IsWhitespace(_xml[_pos])) throw Error("Text outside the root element.");
                    _pos++;
                    continue;
                }
                if (ReadText()) return true;
                continue;
            }
            if (At("<?"))
            {
                SkipDeclaration();
            }
            else if (At("<!--"))
            {
                SkipComment();
            }
            else if (At("<![CDATA["))
            {
                if (_open.Count == 0) throw Error("CDATA outside the root element.");
                if (ReadText()) return true;
            }
            else if (At("<!DOCTYPE"))
            {
                throw Error("DTDs (<!DOCTYPE>) are not accepted.");
            }
            else if (At("<!"))
            {
                throw Error("Unexpected '<!'.");
            }
            else if (At("</"))
            {
                ReadEndTag();
                return true;
            }
            else
            {
                ReadStartTag();
                return true;
            }
        }
    }

    // Checks every character once, so the rest of the reader only has markup to care about.
    private int Prepare()
    {
        int invalid = XmlNames.IndexOfInvalidChar(_xml);
        if (invalid >= 0)
        {
            _pos = invalid;
            throw Error($"Character U+{(int)_xml[invalid]:X4} is not allowed in XML.");
        }
        return _xml.Length > 0 && _xml[0] == '\uFEFF' ? 1 : 0;
    }

    private void SkipDeclaration()
    {
        bool declaration = At("<?xml") && _pos + 5 < _xml.Length && (IsWhitespace(_xml[_pos + 5]) || _xml[_pos + 5] == '?');
        if (!declaration) throw Error("Processing instructions are not accepted.");
        if (_pos != _start) throw Error("The XML declaration must come first.");
        int end = _xml.IndexOf("?>", _pos, StringComparison.Ordinal);
        if (end < 0) throw Error("The XML declaration is not closed.");
        var content = _xml.AsSpan(_pos + 5, end - _pos - 5);
        // Bytes were decoded as UTF-8: a document that says otherwise would be misread.
        int encoding = content.IndexOf("encoding");
        if (_utf8Input && encoding >= 0)
        {
            var value = content[(encoding + 8)..].TrimStart().TrimStart('=').TrimStart();
            if (value.Length > 0 && value[0] is '"' or '\'') value = value[1..];
            int close = value.IndexOfAny('"', '\'');
            var name = close >= 0 ? value[..close] : value;
            if (!name.Equals("UTF-8", StringComparison.OrdinalIgnoreCase) && !name.Equals("UTF8", StringComparison.OrdinalIgnoreCase))
                throw Error($"Only UTF-8 is accepted, not encoding '{name}'.");
        }
        _pos = end + 2;
    }

    private void SkipComment()
    {
        int end = _xml.IndexOf("--", _pos + 4, StringComparison.Ordinal);
        if (end < 0) throw Error("A comment is not closed.");
        if (end + 2 >= _xml.Length || _xml[end + 2] != '>') throw Error("'--' is not allowed inside a comment.");
        _pos = end + 3;
    }

    // Text, CDATA sections and references up to the next tag, as one node; false when it was empty.
    private bool ReadText()
    {
        var text = _text.Clear();
        while (_pos < _xml.Length)
        {
            char c = _xml[_pos];
            if (c == '<')
            {
                if (At("<![CDATA["))
                {
                    int end = _xml.IndexOf("]]>", _pos + 9, StringComparison.Ordinal);
                    if (end < 0) throw Error("A CDATA section is not closed.");
                    AppendLines(text, _xml.AsSpan(_pos + 9, end - _pos - 9));
                    _pos = end + 3;
                    continue;
                }
                if (At("<!--"))
                {
                    SkipComment();
                    continue;
                }
                break;
            }
            if (c == '&')
            {
                AppendReference(text);
                continue;
            }
            if (c == ']' && At("]]>")) throw Error("']]>' is not allowed in text.");
            if (c == '\r')
            {
                // End-of-line handling (XML 1.0 §2.11): CR LF and lone CR become LF.
                text.Append('\n');
                _pos += At("\r\n") ? 2 : 1;
                continue;
            }
            text.Append(c);
            _pos++;
        }
        if (text.Length == 0) return false;
        Kind = XmlNodeKind.Text;
        Depth = _open.Count;
        Value = text.ToString();
        return true;
    }

    private static void AppendLines(StringBuilder text, ReadOnlySpan<char> raw)
    {
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] != '\r') text.Append(raw[i]);
            else if (i + 1 >= raw.Length || raw[i + 1] != '\n') text.Append('\n');
        }
    }

    private void AppendReference(StringBuilder text)
    {
        const int longest = 10; // "#x10FFFF" and the predefined names fit
        int semicolon = _xml.IndexOf(';', _pos + 1, Math.Min(longest + 1, _xml.Length - _pos - 1));
        if (semicolon < 0) throw Error("'&' must start a reference such as '&amp;'.");
        var name = _xml.AsSpan(_pos + 1, semicolon - _pos - 1);
        switch (name)
        {
            case "lt": text.Append('<'); break;
            case "gt": text.Append('>'); break;
            case "amp": text.Append('&'); break;
            case "apos": text.Append('\''); break;
            case "quot": text.Append('"'); break;
            default:
                if (name.Length < 2 || name[0] != '#')
                    throw Error($"Undefined entity '&{name};': only &lt; &gt; &amp; &apos; &quot; are known.");
                bool hex = name[1] == 'x';
                var digits = hex ? name[2..] : name[1..];
                if (!int.TryParse(digits, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture,
                    out int code) || !XmlNames.IsXmlChar(code))
                    throw Error($"'&{name};' is not a character XML allows.");
                text.Append(char.ConvertFromUtf32(code));
                break;
        }
        _pos = semicolon + 1;
    }

    private void ReadStartTag()
    {
        if (_open.Count == 0 && _sawRoot) throw Error("A document has one root element.");
        if (_open.Count >= _maxDepth) throw Error($"Elements are nested deeper than {_maxDepth}.");
        _pos++;
        string name = ReadName();
        var raw = new List<(string Name, string Value)>();
        while (true)
        {
            bool space = SkipWhitespace();
            if (At("/>"))
            {
                _pos += 2;
                IsEmptyElement = true;
                break;
            }
            if (Peek() == '>')
            {
                _pos++;
                break;
            }
            if (!space) throw Error($"Expected whitespace, '>' or '/>' in <{name}>.");
            if (raw.Count == MaxAttributes) throw Error($"<{name}> has more than {MaxAttributes} attributes.");
            string attribute = ReadName();
            SkipWhitespace();
            if (Peek() != '=') throw Error($"Expected '=' after attribute {attribute}.");
            _pos++;
            SkipWhitespace();
            string value = ReadAttributeValue();
            if (raw.Exists(a => a.Name == attribute)) throw Error($"Attribute {attribute} appears twice in <{name}>.");
            raw.Add((attribute, value));
        }

        int bound = 0;
        foreach (var (attribute, value) in raw)
        {
            if (attribute == "xmlns")
            {
                Bind("", value);
                bound++;
            }
            else if (attribute.StartsWith("xmlns:", StringComparison.Ordinal))
            {
                Bind(attribute[6..], value);
                bound++;
            }
        }
        var (prefix, local) = Split(name);
        string ns = Resolve(prefix, name) ?? "";
        foreach (var (attribute, value) in raw)
        {
            if (attribute == "xmlns" || attribute.StartsWith("xmlns:", StringComparison.Ordinal)) continue;
            var (attributePrefix, attributeLocal) = Split(attribute);
            // Unprefixed attributes are in no namespace, whatever the default namespace.
            string attributeNs = attributePrefix.Length == 0 ? "" : Resolve(attributePrefix, attribute)!;
            if (GetAttribute(attributeLocal, attributeNs) != null)
                throw Error($"Attribute {attribute} appears twice in <{name}> (same namespace and name).");
            _attributes.Add(new XmlAttribute(attributeLocal, attributeNs, value));
        }

        Kind = XmlNodeKind.StartElement;
        Depth = _open.Count;
        LocalName = local;
        NamespaceUri = ns;
        _open.Add(new OpenElement(name, local, ns, bound));
        _sawRoot = true;
        _pendingEnd = IsEmptyElement;
    }

    private void ReadEndTag()
    {
        int start = _pos;
        _pos += 2;
        string name = ReadName();
        SkipWhitespace();
        if (Peek() != '>') throw Error($"Expected '>' to close </{name}>.");
        _pos++;
        if (_open.Count == 0 || _open[^1].Name != name)
        {
            _pos = start;
            throw Error(_open.Count == 0
                ? $"End tag </{name}> has no start tag."
                : $"End tag </{name}> does not match <{_open[^1].Name}>.");
        }
        EndElement();
    }

    private void EndElement()
    {
        var element = _open[^1];
        _open.RemoveAt(_open.Count - 1);
        _bindings.RemoveRange(_bindings.Count - element.Bindings, element.Bindings);
        Kind = XmlNodeKind.EndElement;
        Depth = _open.Count;
        LocalName = element.LocalName;
        NamespaceUri = element.NamespaceUri;
    }

    private void Bind(string prefix, string uri)
    {
        // Namespaces in XML 1.0 §3: xmlns is never declared, xml only to its own namespace, and only the default
        // namespace may be undeclared.
        if (prefix == "xmlns" || (prefix == "xml") != (uri == XmlNames.XmlNamespace))
            throw Error($"Prefix '{prefix}' cannot be bound to '{uri}'.");
        if (prefix.Length > 0 && uri.Length == 0) throw Error($"Prefix '{prefix}' cannot be bound to the empty namespace.");
        if (_bindings.Count == MaxNamespaceDeclarations)
            throw Error($"More than {MaxNamespaceDeclarations} namespace declarations are in scope.");
        _bindings.Add((prefix, uri));
    }

    // The namespace of a prefix in scope; null for no default namespace; throws for an unbound prefix.
    private string? Resolve(string prefix, string name)
    {
        if (LookupNamespace(prefix) is { } uri) return uri;
        if (prefix.Length == 0) return null;
        throw Error($"Prefix '{prefix}' of {name} is not bound to a namespace.");
    }

    private (string Prefix, string Local) Split(string name)
    {
        if (!XmlNames.IsQualifiedName(name)) throw Error($"'{name}' is not a valid name (at most one ':', between two parts).");
        int colon = name.IndexOf(':');
        return colon < 0 ? ("", name) : (name[..colon], name[(colon + 1)..]);
    }

    private string ReadName()
    {
        int start = _pos;
        if (!XmlNames.IsNameStart(Peek())) throw Error($"Expected a name, found '{_xml[_pos]}'.");
        while (_pos < _xml.Length && XmlNames.IsNameChar(_xml[_pos])) _pos++;
        return _xml[start.._pos];
    }

    private string ReadAttributeValue()
    {
        char quote = Peek();
        if (quote is not ('"' or '\'')) throw Error("Attribute values must be quoted.");
        _pos++;
        var value = _text.Clear();
        while (true)
        {
            char c = Peek();
            _pos++;
            if (c == quote) return value.ToString();
            switch (c)
            {
                case '<':
                    _pos--;
                    throw Error("'<' is not allowed in attribute values.");
                case '&':
                    _pos--;
                    AppendReference(value);
                    break;
                case '\r':
                    // Attribute-value normalization (XML 1.0 §3.3.3): CR LF, CR, LF and tab become one space each.
                    if (_pos < _xml.Length && _xml[_pos] == '\n') _pos++;
                    value.Append(' ');
                    break;
                case '\n' or '\t':
                    value.Append(' ');
                    break;
                default:
                    value.Append(c);
                    break;
            }
        }
    }

    private bool SkipWhitespace()
    {
        int start = _pos;
        while (_pos < _xml.Length && IsWhitespace(_xml[_pos])) _pos++;
        return _pos > start;
    }

    private char Peek() => _pos < _xml.Length ? _xml[_pos] : throw Error("The document ends inside a tag.");

    private bool At(string markup) => _xml.AsSpan(_pos).StartsWith(markup, StringComparison.Ordinal);

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\n' or '\r';

    private XmlFormatException Error(string message)
    {
        var before = _xml.AsSpan(0, Math.Min(_pos, _xml.Length));
        int line = before.Count('\n') + 1;
        int column = before.Length - before.LastIndexOf('\n');
        return new XmlFormatException($"{message} (line {line}, column {column})");
    }

    private readonly record struct OpenElement(string Name, string LocalName, string NamespaceUri, int Bindings);
}
