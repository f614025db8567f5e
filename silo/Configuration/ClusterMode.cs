namespace RaftOrleans.Configuration;

/// <summary><c>cluster.mode</c>: where the Raft nodes run.</summary>
public enum ClusterMode
{
    /// <summary>One silo hosts every node, with localhost clustering: nothing to install, nothing to start first.</summary>
    Embedded,

    /// <summary>One silo process per node (<c>silo --node N</c>), joined through Redis membership.</summary>
    Cluster,
}
