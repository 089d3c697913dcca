using Edge.Onvif.Xml;
using Edge.Runtime;
using static Edge.Auth.UserRole;

namespace Edge.Onvif;

/// <summary>
/// WS-BaseNotification's subscription manager for the pull points (<c>wsnt</c>, at a subscription's
/// address): Renew (a duration or a time, within the events service's limit) and Unsubscribe.
/// <c>Subscribe</c> (notifications pushed to the client) is not offered: clients fall back to pull points.
/// </summary>
public sealed class SubscriptionManagerService : IOnvifService
{
    private readonly EventLoop _loop;
    private readonly PullPoints _points;

    public SubscriptionManagerService(EventLoop loop, PullPoints points)
    {
        _loop = loop;
        _points = points;
        Operations = new Dictionary<string, OnvifOperation>(StringComparer.Ordinal)
        {
            ["Renew"] = new(Viewer, Renew),
            ["Unsubscribe"] = new(Viewer, (call, w) =>
            {
                _points.Remove(EventsService.Subscription(_points, call));
                w.WriteElementString("wsnt", "UnsubscribeResponse", OnvifNamespaces.Notification, "");
            }),
        };
    }

    public string Namespace => OnvifNamespaces.Notification;

    public IReadOnlyDictionary<string, OnvifOperation> Operations { get; }

    // TerminationTime, then CurrentTime: the schema's order, which clients read by position.
    private void Renew(OnvifCall call, XmlDocumentWriter w)
    {
        var point = EventsService.Subscription(_points, call);
        var now = _loop.Time.GetUtcNow();
        _points.Renew(point, EventsService.Lifetime(call.Request.Parameter("TerminationTime"), now, initial: false));
        w.WriteStartElement("wsnt", "RenewResponse", OnvifNamespaces.Notification);
        w.WriteElementString("wsnt", "TerminationTime", OnvifNamespaces.Notification, EventsService.Time(_points.TerminationTime(point)));
        w.WriteElementString("wsnt", "CurrentTime", OnvifNamespaces.Notification, EventsService.Time(now));
        w.WriteEndElement();
    }
}
