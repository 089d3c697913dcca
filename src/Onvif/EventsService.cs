using System.Globalization;
using System.Xml;
using Edge.Onvif.Xml;
using Edge.Runtime;
using static Edge.Auth.UserRole;

namespace Edge.Onvif;

/// <summary>
/// The ONVIF events service (<c>tev</c>, pull points only): GetServiceCapabilities, GetEventProperties,
/// CreatePullPointSubscription, and at a subscription's address PullMessages (a long poll: answered at
/// once when notifications wait, else when one comes or the timeout ends, never empty before it) and
/// SetSynchronizationPoint. Renew and Unsubscribe are WS-BaseNotification's (<see cref="SubscriptionManagerService"/>).
/// Loop only.
/// </summary>
public sealed class EventsService : IOnvifService
{
    public const string Path = "/onvif/events_service";
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);
    public const int MaxMessageLimit = 100;
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(1);
    private const string TopicDialect = "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet";

    private readonly EventLoop _loop;
    private readonly PullPoints _points;

    public EventsService(EventLoop loop, PullPoints points)
    {
        _loop = loop;
        _points = points;
        Operations = new Dictionary<string, OnvifOperation>(StringComparer.Ordinal)
        {
            ["GetServiceCapabilities"] = new(Viewer, (_, w) =>
                Respond(w, "GetServiceCapabilitiesResponse", () => WriteServiceCapabilities(w))),
            ["GetEventProperties"] = new(Viewer, (_, w) => Respond(w, "GetEventPropertiesResponse", () => WriteEventProperties(w))),
            ["CreatePullPointSubscription"] = new(Viewer, CreatePullPointSubscription),
            ["PullMessages"] = new(Viewer, PullMessages, Wait: WaitForMessages),
            ["SetSynchronizationPoint"] = new(Viewer, (call, w) =>
            {
                _points.Synchronize(Subscription(_points, call));
                Respond(w, "SetSynchronizationPointResponse", () => { });
            }),
        };
    }

    public string Namespace => OnvifNamespaces.Events;

    public IReadOnlyDictionary<string, OnvifOperation> Operations { get; }

    /// <summary>The service's capabilities (also part of the device service's GetServices).</summary>
    public static void WriteServiceCapabilities(XmlDocumentWriter w)
    {
        w.WriteStartElement("tev", "Capabilities", OnvifNamespaces.Events);
        w.Attribute("WSSubscriptionPolicySupport", false);
        w.Attribute("WSPullPointSupport", true);
        w.Attribute("WSPausableSubscriptionManagerInterfaceSupport", false);
        w.Attribute("MaxNotificationProducers", 0);
        w.Attribute("MaxPullPoints", PullPoints.MaxPullPoints);
        w.Attribute("PersistentNotificationStorage", false);
        w.WriteEndElement();
    }

    /// <summary>The pull point a request to a subscription's address names; a fault when it is unknown or ended.</summary>
    public static PullPoint Subscription(PullPoints points, OnvifCall call) => points.Find(call.Subscription)
        ?? throw new SoapFault("s:Sender", "Unknown or expired subscription.", "wsrf-rw:ResourceUnknownFault");

    /// <summary>
    /// A lease as the request gives it: an xs:duration (<c>PT10M</c>) or an xs:dateTime, kept within
    /// <see cref="MaxLifetime"/>; <see cref="DefaultLifetime"/> when absent.
    /// </summary>
    /// <param name="initial">For CreatePullPointSubscription (its fault is UnacceptableInitialTerminationTimeFault); else Renew.</param>
    public static TimeSpan Lifetime(string? text, DateTimeOffset now, bool initial)
    {
        if (string.IsNullOrEmpty(text)) return DefaultLifetime;
        TimeSpan lifetime;
        try
        {
            lifetime = text.StartsWith('P') || text.StartsWith("-P", StringComparison.Ordinal)
                ? XmlConvert.ToTimeSpan(text)
                : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) - now;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentOutOfRangeException)
        {
            throw UnacceptableTime(initial, $"'{text}' is neither an xs:duration nor an xs:dateTime Edge can hold.");
        }
        if (lifetime <= TimeSpan.Zero) throw UnacceptableTime(initial, "The termination time has passed.");
        return lifetime < MaxLifetime ? lifetime : MaxLifetime;
    }

    // WS-BaseNotification's faults for a lease it will not grant.
    private static SoapFault UnacceptableTime(bool initial, string reason)
        => new("s:Sender", reason, initial ? "wsnt:UnacceptableInitialTerminationTimeFault" : "wsnt:UnacceptableTerminationTimeFault");

    /// <summary>UTC with a Z and milliseconds: some clients read no other form.</summary>
    public static string Time(DateTimeOffset time)
        => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private void CreatePullPointSubscription(OnvifCall call, XmlDocumentWriter w)
    {
        var now = _loop.Time.GetUtcNow();
        var lifetime = Lifetime(call.Request.Parameter("InitialTerminationTime"), now, initial: true);
        var point = _points.Create(lifetime) ?? throw new SoapFault("s:Receiver",
            $"All {PullPoints.MaxPullPoints} pull points are taken; unsubscribe one or let it expire.",
            "wsnt:SubscribeCreationFailedFault");
        Respond(w, "CreatePullPointSubscriptionResponse", () =>
        {
            w.WriteStartElement("tev", "SubscriptionReference", OnvifNamespaces.Events);
            w.WriteElementString("wsa", "Address", OnvifNamespaces.Addressing10, $"http://{call.Host}{PullPoints.Path}?id={point.Id}");
            w.WriteEndElement();
            w.WriteElementString("wsnt", "CurrentTime", OnvifNamespaces.Notification, Time(now));
            w.WriteElementString("wsnt", "TerminationTime", OnvifNamespaces.Notification, Time(_points.TerminationTime(point)));
        });
    }

    private static (TimeSpan Timeout, int Limit) PullParameters(OnvifCall call)
    {
        string? text = call.Request.Parameter("Timeout");
        TimeSpan timeout;
        try
        {
            timeout = text == null ? TimeSpan.FromMinutes(1) : XmlConvert.ToTimeSpan(text);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw PullFault($"Timeout '{text}' is not an xs:duration Edge can hold.");
        }
        if (timeout < TimeSpan.Zero || timeout > MaxTimeout) throw PullFault($"Timeout must be at most {XmlConvert.ToString(MaxTimeout)}.");
        int limit = int.TryParse(call.Request.Parameter("MessageLimit"), NumberStyles.None, CultureInfo.InvariantCulture, out int asked)
            ? Math.Clamp(asked, 1, MaxMessageLimit)
            : MaxMessageLimit;
        return (timeout, limit);
    }

    private static SoapFault PullFault(string reason) => new("s:Sender", reason, "ter:InvalidArgVal")
    {
        Detail = w =>
        {
            w.WriteStartElement("tev", "PullMessagesFaultResponse", OnvifNamespaces.Events);
            w.WriteElementString("tev", "MaxTimeout", OnvifNamespaces.Events, XmlConvert.ToString(MaxTimeout));
            w.WriteElementString("tev", "MaxMessageLimit", OnvifNamespaces.Events, MaxMessageLimit.ToString(CultureInfo.InvariantCulture));
            w.WriteEndElement();
        },
    };

    // Before the answer: until a notification waits, the timeout ends, the subscription ends or the client leaves.
    private async Task WaitForMessages(OnvifCall call, CancellationToken cancellationToken)
    {
        var point = Subscription(_points, call);
        var (timeout, _) = PullParameters(call);
        // A client that pulls keeps its subscription for at least as long as it waits.
        _points.Extend(point, timeout);
        try
        {
            await point.Arrival.WaitAsync(timeout, _loop.Time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Nothing came: an empty answer at the timeout, as the standard asks.
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away; nobody reads the answer.
        }
    }

    private void PullMessages(OnvifCall call, XmlDocumentWriter w)
    {
        var point = Subscription(_points, call);
        var (_, limit) = PullParameters(call);
        var now = _loop.Time.GetUtcNow();
        var notifications = point.Take(limit);
        Respond(w, "PullMessagesResponse", () =>
        {
            w.WriteElementString("tev", "CurrentTime", OnvifNamespaces.Events, Time(now));
            w.WriteElementString("tev", "TerminationTime", OnvifNamespaces.Events, Time(_points.TerminationTime(point)));
            foreach (var notification in notifications) WriteNotification(w, notification);
        });
    }

    private static void WriteNotification(XmlDocumentWriter w, OnvifEvent notification)
    {
        w.WriteStartElement("wsnt", "NotificationMessage", OnvifNamespaces.Notification);
        w.WriteStartElement("wsnt", "Topic", OnvifNamespaces.Notification);
        w.WriteAttributeString("Dialect", TopicDialect);
        w.WriteString(notification.Topic);
        w.WriteEndElement();
        w.WriteStartElement("wsnt", "Message", OnvifNamespaces.Notification);
        w.StartTt("Message");
        w.Attribute("UtcTime", Time(notification.Time));
        w.Attribute("PropertyOperation", notification.Initialized ? "Initialized" : "Changed");
        w.StartTt("Source");
        foreach (var (name, value) in notification.Source) SimpleItem(w, name, value);
        w.WriteEndElement();
        w.StartTt("Data");
        SimpleItem(w, notification.Data.Name, notification.Data.Value);
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndElement();
    }

    private static void SimpleItem(XmlDocumentWriter w, string name, string value)
    {
        w.StartTt("SimpleItem");
        w.Attribute("Name", name);
        w.Attribute("Value", value);
        w.WriteEndElement();
    }

    private static void WriteEventProperties(XmlDocumentWriter w)
    {
        w.WriteElementString("tev", "TopicNamespaceLocation", OnvifNamespaces.Events,
            "http://www.onvif.org/onvif/ver10/topics/topicns.xml");
        w.WriteElementString("wsnt", "FixedTopicSet", OnvifNamespaces.Notification, "true");
        EventTopics.WriteTopicSet(w);
        w.WriteElementString("wsnt", "TopicExpressionDialect", OnvifNamespaces.Notification, TopicDialect);
        w.WriteElementString("wsnt", "TopicExpressionDialect", OnvifNamespaces.Notification,
            "http://docs.oasis-open.org/wsn/t-1/TopicExpression/Concrete");
        w.WriteElementString("tev", "MessageContentFilterDialect", OnvifNamespaces.Events,
            "http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter");
        w.WriteElementString("tev", "MessageContentSchemaLocation", OnvifNamespaces.Events,
            "http://www.onvif.org/onvif/ver10/schema/onvif.xsd");
    }

    private static void Respond(XmlDocumentWriter w, string name, Action content)
    {
        w.WriteStartElement("tev", name, OnvifNamespaces.Events);
        content();
        w.WriteEndElement();
    }
}
