using Edge.Runtime;

namespace Edge.State;

/// <summary>What the journal and the state store hear from the runtime, and from each other.</summary>
public static class JournalSubscriptions
{
    public static void Wire(EventJournal journal, StateStore state, Supervisor supervisor)
    {
        // The UI follows the journal through this number: when it grows, it asks for the newest events.
        journal.Written += seq => state.Publish("events.last", seq, StateJsonContext.Default.Int64);
        // Each service's status is state too: dashboards see restarts and failures live.
        supervisor.StatusChanged += info =>
            state.Publish($"service.{info.Name}", info.Status.ToString().ToLowerInvariant(), StateJsonContext.Default.String);
        // Restarts and failures stay on record after the state has moved on.
        supervisor.StatusChanged += info =>
        {
            if (info.Status is ServiceStatus.Restarting or ServiceStatus.Failed)
                journal.Record("service." + info.Status.ToString().ToLowerInvariant(), info, JournalJsonContext.Default.ServiceInfo);
        };
    }
}
