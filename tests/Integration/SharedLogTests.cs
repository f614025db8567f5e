using RaftOrleans.Storage;
using Xunit;

namespace RaftOrleans.Tests.Integration;

/// <summary>
/// The silo's one log in a running silo: the groups' writes share it, its old segments go as snapshots cover them, and a
/// group that wrote a little and then went quiet (it never reaches its snapshot threshold) is asked to compact, so it does
/// not keep every later segment of the busy group on disk.
/// </summary>
public sealed class SharedLogTests : FileStorageClusterTest<SharedLogSiloConfigurator>
{
    protected override string Group => "busy";

    protected override IReadOnlyList<int> NodeIds => SharedLogSiloConfigurator.Options.Groups["busy"].Members;

    private string[] Segments() => Directory.GetFiles(Path.Combine(DataDir.Path, FileRaftStorageProvider.SharedLogName), "wal-*.log");

    [Fact]
    public async Task A_quiet_group_is_asked_to_compact_and_the_busy_groups_old_segments_go()
    {
        var quietGroup = SharedLogSiloConfigurator.Options.Groups["quiet"];
        var quiet = new Client(Gateway, "quiet");
        for (var i = 0; i < 5; i++) AssertOk(await quiet.Put($"quiet-{i}", "v")); // far below its snapshot threshold

        var busy = Enumerable.Range(0, 16).Select(_ => new Client(Gateway, "busy")).ToArray();
        await Task.WhenAll(busy.Select(async (client, c) =>
        {
            for (var i = 0; i < 100; i++) AssertOk(await client.Put($"busy-{c}-{i}", new string('x', 64)));
        }));
        var written = Segments().Select(Path.GetFileName).Max(StringComparer.Ordinal);
        Assert.True(string.CompareOrdinal(written, WalSegment.FileName(6)) >= 0, $"the busy group's writes should have filled several segments; the newest is {written}");

        // The quiet group's 5 entries sit in the first segments: it compacts when the log asks (a threshold it never
        // reaches would not make it), and then every segment but the newest few can go.
        var compacted = await WaitFor(async () =>
        {
            var replicas = await StatusAll(quietGroup);
            return replicas.Length == quietGroup.Members.Count && replicas.All(s => s.SnapshotIndex > 0) ? replicas : null;
        }, "every replica of the quiet group to compact its log though it never reached its snapshot threshold");
        Assert.All(compacted, s => Assert.True(s.SnapshotIndex < SharedLogSiloConfigurator.Options.SnapshotThreshold));
        await WaitFor(async () =>
        {
            await Task.Yield();
            return Segments().Length <= 3 ? Segments() : null;
        }, "the log's old segments to go (at most 3 left)");

        foreach (var i in Enumerable.Range(0, 5)) AssertOk(await quiet.Get($"quiet-{i}"), "v");
    }
}
