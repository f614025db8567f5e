namespace RaftOrleans.State;

/// <summary>
/// A native resource shared by several holders (the engine, its views, their scans) and freed when the last one
/// lets go, whichever that is. The creator holds the first reference.
/// <para>
/// The engine is called on one turn at a time, but a scan's enumerator may be finished on another thread than the one
/// that started it, so the count is changed atomically.
/// </para>
/// </summary>
internal abstract class RocksRefCounted
{
    private int _references = 1;

    /// <summary>Takes one more reference, or returns false when the resource is already freed.</summary>
    public bool TryAcquire()
    {
        while (true)
        {
            var seen = Volatile.Read(ref _references);
            if (seen == 0) return false;
            if (Interlocked.CompareExchange(ref _references, seen + 1, seen) == seen) return true;
        }
    }

    /// <summary>Gives one reference back; the last one frees the resource.</summary>
    public void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left == 0) Free();
        else if (left < 0) throw new InvalidOperationException($"{GetType().Name} released more often than acquired");
    }

    /// <summary>Frees the resource; runs once, on the thread of the last <see cref="Release"/>.</summary>
    protected abstract void Free();
}
