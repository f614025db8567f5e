using RaftOrleans.Kv;
using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Kv;

/// <summary>
/// Client sessions expire (Raft thesis 6.3), decided by the leaders' stamps in the log, never by a node's own clock:
/// the session table stays bounded, and a request whose session is gone is refused, never applied a second time.
/// </summary>
public sealed class SessionExpiryTests
{
    private const long Lifetime = 10_000;
    private readonly KvStateMachine _kv = KvTestExtensions.NewInMemory();

    [Fact]
    public void AnIdleSessionExpiresAndItsNextWriteIsRefusedChangingNothing()
    {
        var idle = Guid.NewGuid();
        Assert.Equal(KvResult.Ok, Apply(idle, 1, "a", at: 1_000));

        Assert.Equal(KvResult.Ok, Apply(Guid.NewGuid(), 1, "b", at: 1_000 + Lifetime + 1)); // a sweep runs here
        var refused = Apply(idle, 2, "c", at: 1_000 + Lifetime + 2);

        Assert.Equal(KvStatus.SessionExpired, refused.Status);
        Assert.Contains("start a new session", refused.Reason);
        Assert.Equal(["a", "b"], _kv.Data().Keys.Order());
        Assert.DoesNotContain(idle, _kv.ReadAll().Sessions.Keys);
        Assert.Equal(1, _kv.SessionsExpired);
        // The client starts over under a new id.
        Assert.Equal(KvResult.Ok, Apply(Guid.NewGuid(), 1, "c", at: 1_000 + Lifetime + 3));
    }

    [Fact]
    public void ASessionInUseDoesNotExpire()
    {
        var busy = Guid.NewGuid();
        for (var i = 1; i <= 30; i++) Assert.Equal(KvResult.Ok, Apply(busy, i, $"k{i}", at: i * 1_000));

        Assert.Contains(busy, _kv.ReadAll().Sessions.Keys);
        Assert.Equal(0, _kv.SessionsExpired);
    }

    [Fact]
    public void TheSessionTableStaysBoundedByTheLifetime()
    {
        // One client per request, as `client put` from a shell is: a thousand of them over ten lifetimes.
        for (var i = 0; i < 1_000; i++) Apply(Guid.NewGuid(), 1, $"k{i}", at: i * 100);

        var sessions = _kv.ReadAll().Sessions.Count;
        Assert.InRange(sessions, 100, 111); // a lifetime's worth, and at most a tenth more until the next sweep
    }

    [Fact]
    public void TheClockNeverGoesBackAndAFirstWriteOlderThanALifetimeIsRefused()
    {
        Apply(Guid.NewGuid(), 1, "a", at: 50_000);
        // A leader whose clock runs behind stamps an earlier time: the state's clock stays where it was.
        var keeper = Guid.NewGuid();
        Assert.Equal(KvResult.Ok, Apply(keeper, 1, "b", at: 49_000));
        Assert.Equal(50_000, _kv.ReadAll().Sessions[keeper].LastActiveMs);

        // A first write that lay in a log longer than a lifetime: its session may have come and gone already.
        var late = Apply(Guid.NewGuid(), 1, "c", at: 50_000 - Lifetime - 1);
        Assert.Equal(KvStatus.SessionExpired, late.Status);
        Assert.False(_kv.Data().ContainsKey("c"));
    }

    [Fact]
    public void ARepeatOfAnAppliedFirstWriteAfterItsSessionExpiredIsNotAppliedAgain()
    {
        // The simulation found this: #1 applied, its session expired, then a delayed copy of #1 arrived and was applied
        // a second time (the planted-bug check: remove the stamp rule in KvStateMachine and this fails).
        var first = Command(Guid.NewGuid(), 1, KvOperation.Put, "a", at: 1_000);
        Assert.Equal(KvResult.Ok, _kv.Apply([new LogEntry(1, 1, first)])[0]);
        var deleted = _kv.Apply([new LogEntry(2, 1, Command(Guid.NewGuid(), 1, KvOperation.Delete, "a", at: 1_000 + Lifetime + 1))])[0];
        Assert.Equal(KvResult.Ok, deleted); // and the sweep there expired the first client's session

        var repeat = _kv.Apply([new LogEntry(3, 1, first)])[0]!;

        Assert.Equal(KvStatus.SessionExpired, repeat.Status);
        Assert.False(_kv.Data().ContainsKey("a"));
    }

    [Fact]
    public void EntriesWithoutStampsExpireNothing()
    {
        var client = Guid.NewGuid();
        _kv.Apply(new KvRequest(client, 1, KvOperation.Put, "a", "1"));
        for (var i = 0; i < 20; i++) _kv.Apply(new KvRequest(Guid.NewGuid(), 1, KvOperation.Put, $"k{i}", "v"));

        Assert.Equal(KvResult.Ok, _kv.Apply(new KvRequest(client, 2, KvOperation.Delete, "a")));
        Assert.Equal(0, _kv.SessionsExpired);
        // A log written before sessions expired replays as it was applied then: its clients numbered their gets too,
        // so a client's first write there may be #2.
        Assert.Equal(KvResult.Ok, _kv.Apply(new KvRequest(Guid.NewGuid(), 2, KvOperation.Put, "first-write-is-2", "v")));
    }

    private KvResult Apply(Guid client, long sequence, string key, long at) =>
        _kv.Apply([new LogEntry(_kv.Applied.Index + 1, 1, Command(client, sequence, KvOperation.Put, key, at))])[0]!;

    private static byte[] Command(Guid client, long sequence, KvOperation operation, string key, long at) =>
        KvCommandCodec.Encode(new KvRequest(client, sequence, operation, key, operation == KvOperation.Put ? "v" : null), at, Lifetime);
}
