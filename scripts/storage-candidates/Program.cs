using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using LightningDB;
using RocksDbSharp;

// The two candidate engines for the replicated state (issue 10), measured the way the replica would use them:
// each applied batch of B puts is one engine write carrying the batch's keys, one client session record and the
// applied index, without a sync (the Raft log is the durable record). Phases: load N keys and report puts/s per
// tenth of the load (does it slow down as it grows?), random point gets, a snapshot (RocksDB checkpoint vs
// LMDB copy), process memory and disk use.
//
//   dotnet run -c Release --project scripts/storage-candidates -- rocksdb|lmdb KEYS BATCH DIR
if (args.Length != 4 || !int.TryParse(args[1], out var keys) || !int.TryParse(args[2], out var batch) || keys < 10 * batch)
{
    Console.Error.WriteLine("usage: storage-candidates rocksdb|lmdb KEYS BATCH DIR   (KEYS >= 10 x BATCH)");
    return 2;
}
var engine = args[0];
var dir = Path.GetFullPath(args[3]);
if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
Directory.CreateDirectory(dir);

// LightningDB asks the loader for "lmdb", and the liblmdb.so it ships needs glibc 2.38 (Debian 12 has 2.36):
// use Debian's liblmdb0 (apt-get install liblmdb0), whose file is liblmdb.so.0.
NativeLibrary.SetDllImportResolver(typeof(LightningEnvironment).Assembly, (name, assembly, path) =>
    name.Contains("lmdb") && NativeLibrary.TryLoad("liblmdb.so.0", out var debian) ? debian : IntPtr.Zero);

using IEngine store = engine switch
{
    "rocksdb" => new RocksEngine(Path.Combine(dir, "db")),
    "lmdb" => new LmdbEngine(Path.Combine(dir, "db")),
    _ => throw new ArgumentException($"unknown engine '{engine}': rocksdb or lmdb"),
};

var value = Encoding.UTF8.GetBytes("v-0123456789abcd"); // 16 bytes, as the benchmarks
var session = new byte[40];
var clock = Stopwatch.StartNew();
var tenth = keys / 10;
var lastMark = TimeSpan.Zero;
var lastMarkKeys = 0;
var puts = new List<(byte[] Key, byte[] Value)>(batch + 2);
Console.WriteLine($"{engine}: loading {keys:N0} keys in batches of {batch} (one write each, no sync)");
for (var applied = 0; applied < keys;)
{
    puts.Clear();
    for (var i = 0; i < batch; i++, applied++) puts.Add((Key(applied), value));
    puts.Add((Encoding.UTF8.GetBytes("session/" + (applied % 64)), session));
    puts.Add((Encoding.UTF8.GetBytes("applied"), BitConverter.GetBytes((long)applied)));
    store.WriteBatch(puts);
    if (applied - lastMarkKeys >= tenth)
    {
        var now = clock.Elapsed;
        Console.WriteLine($"  {applied,12:N0} keys: {(applied - lastMarkKeys) / (now - lastMark).TotalSeconds,10:N0} puts/s since {lastMarkKeys:N0}");
        (lastMark, lastMarkKeys) = (now, applied);
    }
}
Console.WriteLine($"  load: {keys / clock.Elapsed.TotalSeconds:N0} puts/s overall");

var random = new Random(1);
var latencies = new double[100_000];
for (var i = 0; i < latencies.Length; i++)
{
    var key = Key(random.Next(keys));
    var started = Stopwatch.GetTimestamp();
    if (store.Get(key) is null) throw new InvalidOperationException("a loaded key is missing");
    latencies[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
}
Array.Sort(latencies);
Console.WriteLine($"  random gets: p50 {latencies[latencies.Length / 2]:F1} us, p99 {latencies[latencies.Length * 99 / 100]:F1} us");

var snapshotDir = Path.Combine(dir, "snapshot");
var snapshotClock = Stopwatch.StartNew();
store.Snapshot(snapshotDir);
Console.WriteLine($"  snapshot: {snapshotClock.Elapsed.TotalMilliseconds:N0} ms, {Size(snapshotDir) / 1e6:N0} MB in new files " +
                  $"(hard links count as {(engine == "rocksdb" ? "shared" : "n/a")})");
Console.WriteLine($"  process: {Environment.WorkingSet / 1e6:N0} MB resident, managed heap {GC.GetTotalMemory(false) / 1e6:N0} MB; " +
                  $"data {Size(Path.Combine(dir, "db")) / 1e6:N0} MB on disk");
return 0;

// Hash first: fresh keys land all over the key space, as users' keys do (sorted inserts would flatter a B+tree).
static byte[] Key(int n) => Encoding.UTF8.GetBytes($"{(uint)n * 2654435761u:x8}-key-{n:D9}");

static long Size(string path) => Directory.Exists(path)
    ? new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length)
    : 0;

internal interface IEngine : IDisposable
{
    void WriteBatch(List<(byte[] Key, byte[] Value)> puts);
    byte[]? Get(byte[] key);
    void Snapshot(string directory);
}

/// <summary>RocksDB: an LSM tree; a write batch is atomic; a checkpoint hard-links the immutable files.</summary>
internal sealed class RocksEngine : IEngine
{
    private readonly RocksDb _db;
    private readonly WriteOptions _write = new WriteOptions().SetSync(false);

    public RocksEngine(string path) =>
        _db = RocksDb.Open(new DbOptions().SetCreateIfMissing(true), path);

    public void WriteBatch(List<(byte[] Key, byte[] Value)> puts)
    {
        using var batch = new WriteBatch();
        foreach (var (key, value) in puts) batch.Put(key, value);
        _db.Write(batch, _write);
    }

    public byte[]? Get(byte[] key) => _db.Get(key);

    public void Snapshot(string directory)
    {
        using var checkpoint = _db.Checkpoint();
        checkpoint.Save(directory);
    }

    public void Dispose() => _db.Dispose();
}

/// <summary>LMDB: a copy-on-write B+tree in one memory-mapped file; a write transaction is atomic; a copy is O(size).</summary>
internal sealed class LmdbEngine : IEngine
{
    private readonly LightningEnvironment _env;
    private readonly LightningDatabase _db;

    public LmdbEngine(string path)
    {
        Directory.CreateDirectory(path);
        _env = new LightningEnvironment(path, new EnvironmentConfiguration { MapSize = 16L << 30 });
        _env.Open(EnvironmentOpenFlags.NoSync);
        using var tx = _env.BeginTransaction();
        _db = tx.OpenDatabase(configuration: new DatabaseConfiguration { Flags = DatabaseOpenFlags.Create });
        tx.Commit();
    }

    public void WriteBatch(List<(byte[] Key, byte[] Value)> puts)
    {
        using var tx = _env.BeginTransaction();
        foreach (var (key, value) in puts) tx.Put(_db, key, value);
        tx.Commit();
    }

    public byte[]? Get(byte[] key)
    {
        using var tx = _env.BeginTransaction(TransactionBeginFlags.ReadOnly);
        var (code, _, value) = tx.Get(_db, key);
        return code == MDBResultCode.Success ? value.CopyToNewArray() : null;
    }

    public void Snapshot(string directory)
    {
        Directory.CreateDirectory(directory);
        _env.CopyTo(directory, compact: false);
    }

    public void Dispose()
    {
        _db.Dispose();
        _env.Dispose();
    }
}
