namespace Edge.Onvif.Xml;

/// <summary>What <see cref="XmlPullReader.Read"/> stopped at.</summary>
public enum XmlNodeKind
{
    None,
    StartElement,
    EndElement,
    /// <summary>Character data: text, CDATA sections and references, merged and decoded.</summary>
    Text,
}
