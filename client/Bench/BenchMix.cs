namespace RaftOrleans.Client.Bench;

/// <summary>What the bench clients send. The lower-case names are the values of <c>--mix</c>.</summary>
internal enum BenchMix
{
    /// <summary>Put-if-absent of a fresh key every time: every request is a write that succeeds.</summary>
    Put,

    /// <summary>50% get, 25% put, 25% delete over the key pool, the etcd loader's <c>--mix mixed</c>.</summary>
    Mixed,

    /// <summary>Gets over the key pool, all of it present.</summary>
    Get,
}
