namespace Edge.Onvif;

/// <summary>
/// One notification as a pull point delivers it: a topic (<c>tns1:…</c>, as clients match it literally), the
/// property's source items and its one data item, and whether it says what the property was when the
/// subscription began (<c>Initialized</c>) or a change (<c>Changed</c>).
/// </summary>
public sealed record OnvifEvent(string Topic, DateTimeOffset Time, bool Initialized, (string Name, string Value)[] Source,
    (string Name, string Value) Data);
