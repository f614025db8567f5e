namespace RaftOrleans;

/// <summary>
/// Something that happens now and then, waited on as a task: <see cref="Next"/> completes at the next
/// <see cref="Fire"/> after it was read, never at an earlier one. Thread-safe; waiters run after Fire returns.
/// </summary>
public sealed class Signal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the signal next fires.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Fire() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
