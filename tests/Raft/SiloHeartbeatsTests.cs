using Xunit;
using RaftOrleans.Raft;
using RaftOrleans.Replica;

namespace RaftOrleans.Tests.Raft;

/// <summary>
/// The silo's one heartbeat for its quiesced groups: a quiesced follower hears of its leader's silo through it, and a
/// quiesced leader of its followers' silos; each is told when a peer's silo falls silent (and only then).
/// </summary>
public sealed class SiloHeartbeatsTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Silence = TimeSpan.FromMilliseconds(150);

    private TimeSpan _now = TimeSpan.FromSeconds(1);
    private readonly List<(int To, QuiescedBeat[] Beats)> _sent = new();
    private readonly List<(string Replica, long Term, int Peer, TimeSpan For)> _silent = new();

    private SiloHeartbeats Silo(params int[] localNodes) =>
        new(Silence, () => _now, localNodes.Contains, (to, beats) => _sent.Add((to, beats)));

    private SiloHeartbeats.Member Join(SiloHeartbeats silo, string group, int node, Func<int, bool>? isCut = null) =>
        silo.Join(group, node, isCut ?? (_ => false), (term, leader, quiet) => _silent.Add(($"{group}/{node}", term, leader, quiet)));

    private static SoftState Leading(int node, long term) => new(Role.Leader, node, term, Quiesced: true);

    private static SoftState Following(int leader, long term) => new(Role.Follower, leader, term, Quiesced: true);

    private void Run(SiloHeartbeats silo, TimeSpan span)
    {
        for (var end = _now + span; _now < end;)
        {
            _now += Interval;
            silo.Beat();
        }
    }

    [Fact]
    public void AFollowerOfAQuiescedLeaderOnTheSameSiloIsNeverToldItIsSilent()
    {
        var silo = Silo(1, 2, 3);
        Join(silo, "g", 1).Quiesced(Leading(1, 5), [2, 3]);
        Join(silo, "g", 2).Quiesced(Following(1, 5), []);
        Join(silo, "g", 3).Quiesced(Following(1, 5), []);

        Run(silo, TimeSpan.FromSeconds(5));

        Assert.Empty(_silent);
        Assert.Empty(_sent); // every node is here: nothing leaves the silo
    }

    [Fact]
    public void WhenTheLeaderWakesOrGoesDownItsFollowersAreToldOnceASilence()
    {
        var silo = Silo(1, 2);
        var leader = Join(silo, "g", 1);
        leader.Quiesced(Leading(1, 5), [2]);
        Join(silo, "g", 2).Quiesced(Following(1, 5), []);
        Run(silo, TimeSpan.FromSeconds(1));

        leader.Woke();
        Run(silo, Silence - Interval);
        Assert.Empty(_silent);
        Run(silo, Interval);
        var told = Assert.Single(_silent);
        Assert.Equal(("g/2", 5L, 1), (told.Replica, told.Term, told.Peer));
        Assert.Equal(Silence, told.For);

        Run(silo, Silence - Interval);
        Assert.Single(_silent); // not again before another silence
        Run(silo, Interval);
        Assert.Equal(2, _silent.Count); // the follower is still quiesced: it is told again (a lost report must not strand it)
    }

    [Fact]
    public void AQuiescedLeaderIsToldWhenAFollowersSiloFallsSilent()
    {
        var silo = Silo(1, 2, 3);
        Join(silo, "g", 1).Quiesced(Leading(1, 5), [2, 3]);
        Join(silo, "g", 2).Quiesced(Following(1, 5), []);
        var three = Join(silo, "g", 3);
        three.Quiesced(Following(1, 5), []);
        Run(silo, TimeSpan.FromSeconds(1));

        three.Woke(); // (or its silo died)
        Run(silo, Silence);
        var told = Assert.Single(_silent);
        Assert.Equal(("g/1", 5L, 3), (told.Replica, told.Term, told.Peer));
    }

    [Fact]
    public void ABeatCountsOnlyForItsGroupPeerAndTerm()
    {
        var silo = Silo(1, 2);
        Join(silo, "a", 1).Quiesced(Leading(1, 5), [2]); // its follower is not quiesced: no beat from it
        Join(silo, "b", 2).Quiesced(Following(1, 5), []); // another group's follower of node 1: no leader beats for it
        Join(silo, "c", 1).Quiesced(Leading(1, 7), [2]);
        Join(silo, "c", 2).Quiesced(Following(1, 6), []); // an older term: neither counts the other's beat
        Run(silo, Silence);
        Assert.Equal(["a/1", "b/2", "c/1", "c/2"], _silent.Select(s => s.Replica).Order());
    }

    [Fact]
    public void BeatsForAnotherSiloTravelAsOneMessagePerSiloAndAreDeliveredThere()
    {
        var here = Silo(1);
        var there = Silo(2);
        foreach (var group in new[] { "a", "b", "c" })
        {
            Join(here, group, 1).Quiesced(Leading(1, 3), [2]);
            Join(there, group, 2).Quiesced(Following(1, 3), []);
        }
        for (var i = 0; i < 20; i++)
        {
            _now += Interval;
            here.Beat();
            there.Beat();
            Assert.Equal([2, 1], _sent.Select(m => m.To)); // one message each way
            foreach (var (to, beats) in _sent)
            {
                Assert.Equal(["a", "b", "c"], beats.Select(b => b.Group));
                (to == 1 ? here : there).Received(to, beats);
            }
            _sent.Clear();
        }
        Assert.Empty(_silent);
        Assert.Equal(20 * 3, there.Heard);
        Assert.Equal(20 * 3, here.Heard);
    }

    [Fact]
    public void ACutLinkStopsTheBeatAtEitherEnd()
    {
        var cutAtLeader = new HashSet<int>();
        var cutAtFollower = new HashSet<int>();
        var silo = Silo(1, 2);
        Join(silo, "g", 1, cutAtLeader.Contains).Quiesced(Leading(1, 5), [2]);
        Join(silo, "g", 2, cutAtFollower.Contains).Quiesced(Following(1, 5), []);
        Run(silo, TimeSpan.FromSeconds(1));
        Assert.Empty(_silent);

        cutAtLeader.Add(2);
        Run(silo, Silence);
        Assert.Equal(["g/1", "g/2"], _silent.Select(s => s.Replica).Order()); // neither side hears the other

        _silent.Clear();
        cutAtLeader.Clear();
        cutAtFollower.Add(1);
        Join(silo, "g", 1, cutAtLeader.Contains).Quiesced(Leading(1, 5), [2]); // (both quiesced again)
        Join(silo, "g", 2, cutAtFollower.Contains).Quiesced(Following(1, 5), []);
        Run(silo, Silence);
        Assert.Equal(["g/1", "g/2"], _silent.Select(s => s.Replica).Order());
    }

    [Fact]
    public void TheSiloIsAllQuiescedOnlyWhileEveryReplicaThatJoinedAndStaysIsQuiesced()
    {
        var silo = Silo(1, 2);
        Assert.True(silo.AllQuiesced); // nothing hosted: nothing runs a timer

        var leader = Join(silo, "g", 1);
        var follower = Join(silo, "g", 2);
        Assert.False(silo.AllQuiesced); // joined and not quiesced yet: awake

        leader.Quiesced(Leading(1, 5), [2]);
        Assert.False(silo.AllQuiesced);
        follower.Quiesced(Following(1, 5), []);
        Assert.True(silo.AllQuiesced);

        follower.Woke(); // woken, or down
        Assert.False(silo.AllQuiesced);

        follower.Dispose(); // its activation ended: it keeps nothing awake, and reports after that change nothing
        Assert.True(silo.AllQuiesced);
        follower.Woke();
        Assert.True(silo.AllQuiesced);

        var successor = Join(silo, "g", 2); // the node's next activation
        Assert.False(silo.AllQuiesced);
        successor.Quiesced(Following(1, 5), []);
        Assert.True(silo.AllQuiesced);
        leader.Dispose();
        Assert.Equal(1, silo.Count);
    }

    [Fact]
    public void AMemberThatLeavesTakesOnlyItsOwnEntryAway()
    {
        var silo = Silo(1, 2);
        var old = Join(silo, "g", 2);
        old.Quiesced(Following(1, 5), []);
        var successor = Join(silo, "g", 2);
        successor.Quiesced(Following(1, 6), []);

        old.Dispose();

        Assert.Equal(1, silo.Count);
        Assert.True(silo.AllQuiesced);
    }

    [Fact]
    public void AReplicaAskingFindsASilenceOnlyOnceItIsOne()
    {
        var silo = Silo(2); // the leader, node 1, is on another silo
        var follower = Join(silo, "g", 2);
        follower.Quiesced(Following(1, 5), []);

        _now += Silence - TimeSpan.FromMilliseconds(1);
        Assert.Null(follower.Silence(1)); // not yet a silence
        Assert.Null(follower.Silence(3)); // not a peer it waits for

        _now += TimeSpan.FromMilliseconds(1);
        Assert.Equal((5L, Silence), follower.Silence(1));

        silo.Received(2, [new QuiescedBeat("g", 1, 5)]); // the leader's silo beats again
        Assert.Null(follower.Silence(1));

        _now += Silence;
        follower.Woke(); // not quiesced: it watches nothing
        Assert.Null(follower.Silence(1));
        follower.Quiesced(Following(1, 5), []);
        _now += Silence;
        follower.Dispose();
        Assert.Null(follower.Silence(1));
    }
}
