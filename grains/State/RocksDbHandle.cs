using RocksDbSharp;

namespace RaftOrleans.State;

/// <summary>
/// One open RocksDB database of a state directory, shared by the engine and the views taken from it. A replace
/// switches the engine to a new database while views of the old one may still be read, so the old one is closed
/// only when its last holder lets go, and then its directory is deleted (it is no longer the one
/// <c>CURRENT-DB</c> names; if the deletion fails, the next open deletes it).
/// </summary>
internal sealed class RocksDbHandle(RocksDb db, string path) : RocksRefCounted
{
    private volatile bool _retired;

    public RocksDb Db { get; } = db;

    /// <summary>The database's directory.</summary>
    public string Path { get; } = path;

    /// <summary>Marks the database as replaced: its directory goes once it is closed.</summary>
    public void Retire() => _retired = true;

    protected override void Free()
    {
        // Closing is safe here: every snapshot and iterator of this database belongs to a view or scan that held a
        // reference, and they release their native objects before giving the reference back.
        Db.Dispose();
        if (!_retired) return;
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Harmless: the next open removes every database directory CURRENT-DB does not name.
        }
    }
}
