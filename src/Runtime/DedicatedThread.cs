namespace Edge.Runtime;

/// <summary>Blocking work (a capture source, the GPIO edge reader) on a thread of its own, as a task.</summary>
public static class DedicatedThread
{
    /// <summary>
    /// Starts <paramref name="work"/> on a new background thread; the task completes when it returns
    /// and faults with what it throws. Continuations never run on that thread.
    /// </summary>
    public static Task Run(string name, Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try
            {
                work();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        { Name = name, IsBackground = true }.Start();
        return done.Task;
    }
}
