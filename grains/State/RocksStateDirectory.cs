using System.Globalization;
using System.Text;
using RaftOrleans.Storage;

namespace RaftOrleans.State;

/// <summary>
/// The layout of a node's state directory under <see cref="RocksKvEngine"/>:
/// <code>
///   ENGINE        one line naming the engine and its format: raftorleans-state rocksdb 1
///   CURRENT-DB    the name of the live database directory, e.g. db-000003
///   db-000003/    that RocksDB database
/// </code>
/// and, for a while, <c>staging-NNNNNN/</c> (a replace being built), a replaced <c>db-NNNNNN/</c> still read by a view,
/// <c>*.tmp</c> files being written. A replace builds the new database under a staging name, renames it to a
/// <c>db-</c> name and then switches <c>CURRENT-DB</c> by an atomic rename: that rename is the commit point, and
/// whatever a crash leaves around it is a leftover that <see cref="RemoveLeftovers"/> deletes at the next open.
/// Numbers only grow, so a name is never reused while an old directory of that name may linger.
/// </summary>
internal sealed class RocksStateDirectory
{
    public const string MarkerFile = "ENGINE";
    public const string Marker = "raftorleans-state rocksdb 1";
    public const string PointerFile = "CURRENT-DB";
    private const string DatabasePrefix = "db-";
    private const string StagingPrefix = "staging-";
    private const string TempSuffix = ".tmp";

    private int _highestNumber;

    private RocksStateDirectory(string path) => Path = path;

    /// <summary>The state directory (absolute).</summary>
    public string Path { get; }

    /// <summary>
    /// Takes <paramref name="directory"/> for this engine: creates it and its marker when it is missing or empty,
    /// checks the marker otherwise.
    /// </summary>
    /// <exception cref="StateEngineException">The directory belongs to something else.</exception>
    public static RocksStateDirectory Claim(string directory)
    {
        var state = new RocksStateDirectory(System.IO.Path.GetFullPath(directory));
        Directory.CreateDirectory(state.Path);
        var marker = System.IO.Path.Combine(state.Path, MarkerFile);
        if (File.Exists(marker))
        {
            var found = File.ReadLines(marker).FirstOrDefault()?.Trim() ?? "";
            if (found != Marker)
                throw new StateEngineException(state.Path,
                    $"written by another engine or version: its {MarkerFile} file says \"{found}\", this build reads \"{Marker}\"");
        }
        else
        {
            // Only a marker being written (a crash during a first start) may precede the marker; anything else is
            // not ours to delete or build on.
            var foreign = Directory.EnumerateFileSystemEntries(state.Path)
                .Select(System.IO.Path.GetFileName)
                .FirstOrDefault(name => name != MarkerFile + TempSuffix);
            if (foreign is not null)
                throw new StateEngineException(state.Path,
                    $"it holds files (such as {foreign}) but no {MarkerFile} marker, so it was not written by this engine");
            state.WriteAtomically(MarkerFile, Marker);
            // The state directory may be new too: make its own entry durable.
            var parent = System.IO.Path.GetDirectoryName(state.Path);
            if (parent is not null) Durable.SyncDirectory(parent);
        }

        foreach (var entry in Directory.EnumerateDirectories(state.Path))
        {
            if (ParseNumber(System.IO.Path.GetFileName(entry)) is { } number)
                state._highestNumber = Math.Max(state._highestNumber, number);
        }
        return state;
    }

    /// <summary>
    /// The name of the live database as <c>CURRENT-DB</c> gives it, or null when there is none yet: a first start
    /// that did not finish (the pointer is written once the first database exists, and is only ever replaced).
    /// </summary>
    /// <exception cref="StateEngineException">The pointer is damaged or names a missing database, or it is missing
    /// while a database holds data.</exception>
    public string? ReadPointer()
    {
        var pointer = System.IO.Path.Combine(Path, PointerFile);
        if (!File.Exists(pointer))
        {
            // Missing pointer and an empty database: the first start was cut short, start over. Missing pointer
            // and data: someone removed it, and starting empty would throw that data away.
            var withData = Directory.EnumerateDirectories(Path, DatabasePrefix + "*").FirstOrDefault(HoldsData);
            if (withData is not null)
                throw new StateEngineException(pointer, $"it is missing, although {System.IO.Path.GetFileName(withData)} holds data");
            return null;
        }

        var name = File.ReadAllText(pointer).Trim();
        if (!name.StartsWith(DatabasePrefix, StringComparison.Ordinal) || ParseNumber(name) is null)
            throw new StateEngineException(pointer, $"damaged: it should name a database directory, it holds \"{name}\"");
        if (!Directory.Exists(System.IO.Path.Combine(Path, name)))
            throw new StateEngineException(pointer, $"it names the database {name}, which is missing");
        return name;
    }

    /// <summary>
    /// Deletes what an interrupted replace or start leaves: staging directories, database directories other
    /// than <paramref name="live"/>, files being written.
    /// </summary>
    public void RemoveLeftovers(string? live)
    {
        foreach (var entry in Directory.EnumerateDirectories(Path))
        {
            var name = System.IO.Path.GetFileName(entry);
            if (name != live && ParseNumber(name) is not null) Directory.Delete(entry, recursive: true);
        }
        foreach (var name in new[] { PointerFile + TempSuffix, MarkerFile + TempSuffix })
            File.Delete(System.IO.Path.Combine(Path, name));
    }

    /// <summary>A number for a new database directory, higher than any seen or handed out before.</summary>
    public int NextNumber() => ++_highestNumber;

    public static string DatabaseName(int number) => DatabasePrefix + number.ToString("D6", CultureInfo.InvariantCulture);

    public string DatabasePath(int number) => System.IO.Path.Combine(Path, DatabaseName(number));

    public string DatabasePath(string name) => System.IO.Path.Combine(Path, name);

    public string StagingPath(int number) =>
        System.IO.Path.Combine(Path, StagingPrefix + number.ToString("D6", CultureInfo.InvariantCulture));

    /// <summary>Points <c>CURRENT-DB</c> at <paramref name="databaseName"/>, atomically and durably.</summary>
    public void WritePointer(string databaseName) => WriteAtomically(PointerFile, databaseName);

    /// <summary>
    /// Makes a closed database directory durable: every file and the directory itself. RocksDB syncs its table
    /// files and MANIFEST already; this also covers the rest (OPTIONS, an empty WAL) whatever the build does.
    /// </summary>
    public static void SyncTree(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.ReadWrite);
            RandomAccess.FlushToDisk(handle);
        }
        Durable.SyncDirectory(directory);
    }

    /// <summary>
    /// Replaces the file <paramref name="name"/> by one line of <paramref name="content"/>: written to a temporary
    /// file, synced, renamed over the old one, directory synced. A crash leaves the old file or the new, whole.
    /// </summary>
    private void WriteAtomically(string name, string content)
    {
        var path = System.IO.Path.Combine(Path, name);
        var temporary = path + TempSuffix;
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(Encoding.UTF8.GetBytes(content + "\n"));
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        Durable.SyncDirectory(Path);
    }

    /// <summary>The number of a <c>db-N</c> or <c>staging-N</c> directory name, or null for any other name.</summary>
    private static int? ParseNumber(string name)
    {
        var digits = name.StartsWith(DatabasePrefix, StringComparison.Ordinal) ? name[DatabasePrefix.Length..]
            : name.StartsWith(StagingPrefix, StringComparison.Ordinal) ? name[StagingPrefix.Length..]
            : null;
        return digits is { Length: > 0 } && digits.All(char.IsAsciiDigit) &&
               int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;
    }

    /// <summary>
    /// Whether a database directory holds any data: a table file, or a write-ahead log with records in it.
    /// A database just created and never written has neither.
    /// </summary>
    private static bool HoldsData(string database) =>
        Directory.EnumerateFiles(database, "*.sst").Any() ||
        Directory.EnumerateFiles(database, "*.log").Any(log => new FileInfo(log).Length > 0);
}
