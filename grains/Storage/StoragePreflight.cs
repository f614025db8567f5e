using RaftOrleans.Groups;
using RaftOrleans.Kv;
using RaftOrleans.Replica;
using RaftOrleans.State;

namespace RaftOrleans.Storage;

/// <summary>
/// Checks the data directory's groups, then opens every hosted replica's storage before the silo starts, as each node will at its start (the provider keeps what it
/// opened for the nodes): a damaged, foreign or locked data directory then stops start-up with one line naming the
/// directory and what to do, instead of a grain activation failing inside Orleans.
/// </summary>
public static class StoragePreflight
{
    /// <summary>
    /// Throws on a problem; returns what recovery repaired (a torn last record cut off), one line per replica, to show
    /// as warnings. <paramref name="hostedNodes"/>: the nodes this silo hosts; each group's replicas among them are checked.
    /// </summary>
    public static IReadOnlyList<string> Check(IRaftStorageProvider storage, RaftGroups groups, IEnumerable<int> hostedNodes)
    {
        storage.ClaimGroups(groups);
        var repairs = new List<string>();
        foreach (var id in hostedNodes)
        {
            foreach (var group in groups.On(id))
            {
                var persisted = storage.For(group.Name, id).Load();
                var state = new KvStateMachine(storage.StateFor(group.Name, id)).Open();
                StateLogCheck.Verify(id, state, persisted.Snapshot);
            }
        }
        // The log was read once, when the first replica opened it: this is the one place to say what was cut off.
        if (storage is FileRaftStorageProvider { Log.LastRepair: { } repair }) repairs.Add($"storage recovery: {repair}");
        return repairs;
    }

    /// <summary>Whether <paramref name="error"/> is a storage problem the person starting the silo must fix (its message says how).</summary>
    public static bool IsStorageProblem(Exception error) =>
        error is StateEngineException or StorageCorruptedException or InvalidDataException or IOException or FormatException
            or UnauthorizedAccessException;
}
