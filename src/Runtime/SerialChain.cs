namespace Edge.Runtime;

/// <summary>
/// Async steps that run one after another, in the order they were added (file writes, socket writes,
/// line writes, settings changes). A step's failure belongs to its own caller; the next step runs
/// anyway. One owner adds steps (the loop); a step's state travels as an argument, so adding one
/// allocates no closure.
/// </summary>
public sealed class SerialChain
{
    private Task _tail = Task.CompletedTask;

    /// <summary>Runs <paramref name="step"/> once every step added before it has ended.</summary>
    public Task<T> Then<TState, T>(Func<TState, Task<T>> step, TState state)
    {
        var next = After(_tail, step, state);
        _tail = next;
        return next;
    }

    /// <summary>Runs <paramref name="step"/> once every step added before it has ended.</summary>
    public Task Then<TState>(Func<TState, Task> step, TState state)
    {
        var next = After(_tail, step, state);
        _tail = next;
        return next;
    }

    /// <summary>Ends when every step added so far has ended; never throws.</summary>
    public async Task Drained()
    {
        try { await _tail; }
        catch (Exception) { } // that step's caller got its error
    }

    private static async Task<T> After<TState, T>(Task previous, Func<TState, Task<T>> step, TState state)
    {
        try { await previous; }
        catch (Exception) { } // that step's caller got its error
        return await step(state);
    }

    private static async Task After<TState>(Task previous, Func<TState, Task> step, TState state)
    {
        try { await previous; }
        catch (Exception) { } // that step's caller got its error
        await step(state);
    }
}
