using Edge.Onvif.Xml;

namespace Edge.Onvif;

/// <summary>
/// The topics Edge raises: motion as <c>tns1:RuleEngine/CellMotionDetector/Motion</c> (IsMotion) and
/// <c>tns1:VideoSource/MotionAlarm</c> (State), which Home Assistant and NVRs turn into motion sensors, and
/// GPIO inputs as <c>tns1:Device/Trigger/DigitalInput</c> (LogicalState, the input's name as its token).
/// </summary>
public static class EventTopics
{
    public const string CellMotion = "tns1:RuleEngine/CellMotionDetector/Motion";
    public const string MotionAlarm = "tns1:VideoSource/MotionAlarm";
    public const string DigitalInput = "tns1:Device/Trigger/DigitalInput";

    // The media service's tokens: a client ties the motion to the video source it streams.
    private const string VideoSource = "video_source";
    private const string VideoSourceConfiguration = "video_source_config";

    /// <summary>Motion's two topics, with <paramref name="moving"/> as their value.</summary>
    public static IEnumerable<OnvifEvent> Motion(bool moving, DateTimeOffset time, bool initialized)
    {
        string value = moving ? "true" : "false";
        yield return new OnvifEvent(CellMotion, time, initialized,
            [("VideoSourceConfigurationToken", VideoSourceConfiguration), ("VideoAnalyticsConfigurationToken", "motion"),
                ("Rule", "motion")],
            ("IsMotion", value));
        yield return new OnvifEvent(MotionAlarm, time, initialized, [("Source", VideoSource)], ("State", value));
    }

    /// <summary>A GPIO input's level as a digital input's logical state.</summary>
    public static OnvifEvent Input(string name, bool level, DateTimeOffset time, bool initialized)
        => new(DigitalInput, time, initialized, [("InputToken", name)], ("LogicalState", level ? "true" : "false"));

    /// <summary>GetEventProperties' topic set: the three topics and what their messages hold.</summary>
    public static void WriteTopicSet(XmlDocumentWriter w)
    {
        w.WriteStartElement("wstop", "TopicSet", OnvifNamespaces.Topic);
        Topic(w, ["RuleEngine", "CellMotionDetector", "Motion"],
            [("VideoSourceConfigurationToken", "tt:ReferenceToken"), ("VideoAnalyticsConfigurationToken", "tt:ReferenceToken"),
                ("Rule", "xs:string")], ("IsMotion", "xs:boolean"));
        Topic(w, ["VideoSource", "MotionAlarm"], [("Source", "tt:ReferenceToken")], ("State", "xs:boolean"));
        Topic(w, ["Device", "Trigger", "DigitalInput"], [("InputToken", "tt:ReferenceToken")], ("LogicalState", "xs:boolean"));
        w.WriteEndElement();
    }

    // The first level in tns1:, the levels below it unqualified (no default namespace is in scope), the leaf marked as a topic.
    private static void Topic(XmlDocumentWriter w, string[] path, (string Name, string Type)[] source, (string Name, string Type) data)
    {
        w.WriteStartElement("tns1", path[0], OnvifNamespaces.Topics);
        for (int i = 1; i < path.Length; i++) w.WriteStartElement("", path[i], "");
        w.WriteAttributeString("wstop:topic", "true");
        w.StartTt("MessageDescription");
        w.Attribute("IsProperty", true);
        w.StartTt("Source");
        foreach (var (name, type) in source) Description(w, name, type);
        w.WriteEndElement();
        w.StartTt("Data");
        Description(w, data.Name, data.Type);
        w.WriteEndElement();
        w.WriteEndElement();
        for (int i = 0; i < path.Length; i++) w.WriteEndElement();
    }

    private static void Description(XmlDocumentWriter w, string name, string type)
    {
        w.StartTt("SimpleItemDescription");
        w.Attribute("Name", name);
        w.Attribute("Type", type);
        w.WriteEndElement();
    }
}
