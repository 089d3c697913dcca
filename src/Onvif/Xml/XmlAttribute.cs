namespace Edge.Onvif.Xml;

/// <summary>An attribute of the current start tag; <see cref="NamespaceUri"/> is empty for an unprefixed name.</summary>
public readonly record struct XmlAttribute(string LocalName, string NamespaceUri, string Value);
