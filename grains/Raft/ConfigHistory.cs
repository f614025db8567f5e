namespace RaftOrleans.Raft;

/// <summary>
/// The configurations a node's log holds, by index, plus the one in force at the start of the log (from the snapshot,
/// or the bootstrap one). The latest is in force (thesis 4.1: a configuration takes effect when appended); the older
/// ones are kept because a follower may have to drop an uncommitted configuration with the suffix that carried it,
/// and because a snapshot must name the configuration as of its own index.
/// </summary>
public sealed class ConfigHistory
{
    private readonly List<(long Index, ClusterConfig Config)> _configs = new();

    /// <param name="baseIndex">Where the log starts (its snapshot's index, 0 when none).</param>
    /// <param name="baseConfig">The configuration in force at that index.</param>
    public ConfigHistory(long baseIndex, ClusterConfig baseConfig) => _configs.Add((baseIndex, baseConfig));

    public ClusterConfig Latest => _configs[^1].Config;

    /// <summary>The log index of the entry that made <see cref="Latest"/> (0 for the bootstrap configuration).</summary>
    public long LatestIndex => _configs[^1].Config.Index;

    /// <summary>The configuration in force at <paramref name="index"/> (made by the last configuration entry at or before it).</summary>
    public ClusterConfig At(long index)
    {
        for (var i = _configs.Count - 1; i > 0; i--)
        {
            if (_configs[i].Index <= index) return _configs[i].Config;
        }
        return _configs[0].Config;
    }

    /// <summary>A configuration entry was appended at <paramref name="index"/> (after every one known).</summary>
    public void Appended(long index, ClusterConfig config)
    {
        if (index <= _configs[^1].Index) throw new InvalidOperationException($"configuration at {index} appended before one at {_configs[^1].Index}");
        if (config.Index != index) throw new InvalidOperationException($"the configuration entry at {index} says it was made at {config.Index}");
        _configs.Add((index, config));
    }

    /// <summary>The log dropped every entry from <paramref name="index"/> on: so do the configurations they carried.</summary>
    public bool TruncateFrom(long index)
    {
        var dropped = false;
        while (_configs.Count > 1 && _configs[^1].Index >= index)
        {
            _configs.RemoveAt(_configs.Count - 1);
            dropped = true;
        }
        return dropped;
    }

    /// <summary>The log's start moved up to <paramref name="index"/>: the configuration in force there becomes the base.</summary>
    public void CompactTo(long index)
    {
        if (index <= _configs[0].Index) return;
        var atIndex = At(index);
        _configs.RemoveAll(c => c.Index <= index);
        _configs.Insert(0, (index, atIndex));
    }

    /// <summary>The whole log was replaced by a snapshot ending at <paramref name="index"/>, in force with <paramref name="config"/>.</summary>
    public void ResetTo(long index, ClusterConfig config)
    {
        _configs.Clear();
        _configs.Add((index, config));
    }
}
