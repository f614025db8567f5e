using RaftOrleans.Kv;
using RaftOrleans.Replica;
using RaftOrleans.State;

namespace RaftOrleans.Storage;

/// <summary>
/// Opens every node's storage before the silo starts, as each node will at its start (the provider keeps what it
/// opened for the nodes): a damaged, foreign or locked data directory then stops start-up with one line naming the
/// directory and what to do, instead of a grain activation failing inside Orleans.
/// </summary>
public static class StoragePreflight
{
    /// <summary>Throws on a problem; returns what recovery repaired (a torn last record cut off), one line per node, to show as warnings.</summary>
    public static IReadOnlyList<string> Check(IRaftStorageProvider storage, IEnumerable<int> nodeIds)
    {
        var repairs = new List<string>();
        foreach (var id in nodeIds)
        {
            var log = storage.For(id);
            var persisted = log.Load();
            // The node's own Load finds nothing left to repair: this is the one place to say what was cut off.
            if (log is FileRaftStorage { LastRepair: { } repair }) repairs.Add($"node {id} storage recovery: {repair}");
            var state = new KvStateMachine(storage.StateFor(id)).Open();
            StateLogCheck.Verify(id, state, persisted.Snapshot);
        }
        return repairs;
    }

    /// <summary>Whether <paramref name="error"/> is a storage problem the person starting the silo must fix (its message says how).</summary>
    public static bool IsStorageProblem(Exception error) =>
        error is StateEngineException or StorageCorruptedException or InvalidDataException or IOException or FormatException
            or UnauthorizedAccessException;
}
