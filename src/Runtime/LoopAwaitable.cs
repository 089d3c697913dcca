using System.Runtime.CompilerServices;

namespace Edge.Runtime;

/// <summary><c>await loop.SwitchTo()</c>: continues the caller on the loop thread.</summary>
public readonly struct LoopAwaitable(EventLoop loop) : ICriticalNotifyCompletion
{
    public LoopAwaitable GetAwaiter() => this;

    // Always hop through the queue, even from the loop, so ordering stays FIFO.
    public bool IsCompleted => false;

    public void GetResult() { }

    public void OnCompleted(Action continuation) => loop.Post(continuation);

    public void UnsafeOnCompleted(Action continuation) => loop.Post(continuation);
}
