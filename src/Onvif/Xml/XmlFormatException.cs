namespace Edge.Onvif.Xml;

/// <summary>
/// A document that <see cref="XmlPullReader"/> refuses: not well-formed, or something it does not
/// accept (DTDs, processing instructions, too deep, too large).
/// </summary>
public sealed class XmlFormatException(string message) : FormatException(message);
