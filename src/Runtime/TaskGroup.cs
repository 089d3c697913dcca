using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Edge.Runtime;

/// <summary>How a <see cref="TaskGroup"/> treats a child that fails.</summary>
public enum TaskGroupPolicy
{
    /// <summary>The first failure cancels the siblings and is rethrown by <see cref="TaskGroup.WhenAll"/>.</summary>
    FailFast,
    /// <summary>Every child runs to its end; all failures are thrown together as one <see cref="AggregateException"/>.</summary>
    CollectErrors,
    /// <summary>Failures are logged and otherwise ignored.</summary>
    IgnoreErrors,
}

/// <summary>
/// Structured concurrency: children are spawned into the group and the group ends only when every
/// child has ended. Cancelling the group (or its parent token) cancels every child.
/// </summary>
public sealed partial class TaskGroup : IAsyncDisposable
{
    private readonly TaskGroupPolicy _policy;
    private readonly ILogger? _logger;
    private readonly CancellationTokenSource _cancellation;
    private readonly TaskCompletionSource _allDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private readonly List<Exception> _errors = [];
    // Live children, oldest first, linked through themselves so joining and leaving cost the same with
    // ten children or ten thousand (a list's Remove made spawn+join quadratic).
    private Child? _first, _last;
    private readonly string _name;
    private readonly TaskGroupRegistry? _registry;
    // One extra count held until WhenAll seals the group, so it cannot end while still open.
    private int _pending = 1;
    private bool _sealed;

    /// <param name="name">How the runtime inspector shows the group.</param>
    /// <param name="registry">Where the inspector finds the group while it lives.</param>
    public TaskGroup(TaskGroupPolicy policy, ILogger? logger = null, CancellationToken parent = default, string? name = null,
        TaskGroupRegistry? registry = null)
    {
        _policy = policy;
        _logger = logger;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(parent);
        _name = name ?? "(unnamed)";
        _registry = registry;
        registry?.Add(this);
    }

    /// <summary>Cancelled when the group is cancelled, its parent is, or (FailFast) a child failed.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>Starts <paramref name="child"/> now, on the calling thread, with the group's token.</summary>
    public void Spawn(Func<CancellationToken, Task> child, string? name = null)
    {
        lock (_gate)
        {
            if (_sealed) throw new InvalidOperationException("The task group has ended; no more children can join.");
            Interlocked.Increment(ref _pending);
        }
        Task task;
        try { task = child(_cancellation.Token); }
        catch (Exception e) { task = Task.FromException(e); }
        if (task.IsCompleted)
        {
            OnChildDone(task, name);
            return;
        }
        var entry = new Child(this, name ?? "(unnamed)", Stopwatch.GetTimestamp());
        lock (_gate) Link(entry);
        // Inline where the child's task completes, the loop included (an awaiter's callback would be
        // sent to the thread pool from a thread with a synchronization context).
        task.ContinueWith(static (t, s) => ((Child)s!).Done(t), entry, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// The group and its live children as JSON {name, policy, cancelled, children: [{name, ageSeconds}]},
    /// for the runtime inspector. Thread-safe.
    /// </summary>
    public void WriteTo(Utf8JsonWriter w)
    {
        long now = Stopwatch.GetTimestamp();
        var children = new List<Child>();
        lock (_gate)
        {
            for (var child = _first; child != null; child = child.Next) children.Add(child);
        }
        w.WriteStartObject();
        w.WriteString("name", _name);
        w.WriteString("policy", _policy.ToString());
        w.WriteBoolean("cancelled", _cancellation.IsCancellationRequested);
        w.WriteStartArray("children");
        foreach (var child in children)
        {
            w.WriteStartObject();
            w.WriteString("name", child.Name);
            w.WriteNumber("ageSeconds", Math.Round(Stopwatch.GetElapsedTime(child.StartedAt, now).TotalSeconds, 1));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public void Cancel()
    {
        try { _cancellation.Cancel(); }
        catch (ObjectDisposedException) { }
    }

    /// <summary>Closes the group to new children and completes when all have ended, applying the policy.</summary>
    public Task WhenAll()
    {
        bool release;
        lock (_gate)
        {
            release = !_sealed;
            _sealed = true;
        }
        if (release) Release();
        return _allDone.Task;
    }

    /// <summary>Cancels the children and waits for them; failures are not rethrown here.</summary>
    public async ValueTask DisposeAsync()
    {
        Cancel();
        try { await WhenAll().ConfigureAwait(false); }
        catch (Exception) { }
        _cancellation.Dispose();
    }

    private void OnChildDone(Task task, string? name)
    {
        // Released whatever the policy's step throws (a cancellation callback may), or the group never ends.
        try
        {
            if (task.IsFaulted)
            {
                var error = task.Exception!.InnerExceptions.Count == 1 ? task.Exception.InnerException! : task.Exception;
                bool cancelledByGroup = error is OperationCanceledException && _cancellation.IsCancellationRequested;
                if (!cancelledByGroup)
                {
                    switch (_policy)
                    {
                        case TaskGroupPolicy.IgnoreErrors:
                            if (_logger != null) Log.TaskFailed(_logger, error, name ?? "(unnamed)", error.Message);
                            break;
                        case TaskGroupPolicy.FailFast:
                            lock (_gate) _errors.Add(error);
                            Cancel();
                            break;
                        default:
                            lock (_gate) _errors.Add(error);
                            break;
                    }
                }
            }
        }
        finally
        {
            Release();
        }
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _pending) != 0) return;
        _registry?.Remove(this);
        Exception[] errors;
        lock (_gate) errors = [.. _errors];
        if (errors.Length == 0) _allDone.TrySetResult();
        else if (_policy == TaskGroupPolicy.FailFast) _allDone.TrySetException(errors[0]);
        else _allDone.TrySetException(new AggregateException("Tasks in the group failed.", errors));
    }

    private void Link(Child child)
    {
        child.Previous = _last;
        if (_last == null) _first = child;
        else _last.Next = child;
        _last = child;
    }

    private void Unlink(Child child)
    {
        if (child.Previous == null) _first = child.Next;
        else child.Previous.Next = child.Next;
        if (child.Next == null) _last = child.Previous;
        else child.Next.Previous = child.Previous;
    }

    private sealed class Child(TaskGroup group, string name, long startedAt)
    {
        public Child? Previous, Next;

        public string Name { get; } = name;
        public long StartedAt { get; } = startedAt;

        public void Done(Task task)
        {
            lock (group._gate) group.Unlink(this);
            group.OnChildDone(task, Name);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Task {Name} failed: {Message}")]
        public static partial void TaskFailed(ILogger logger, Exception exception, string name, string message);
    }
}
