using RaftOrleans.Client.Commands;
using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Client;

/// <summary>
/// How `client member` asks for a change: it follows the leader a NotLeader answer names, asks again while the leader
/// refuses only for the moment (a leader elected a moment before), and gives every other answer back at once.
/// </summary>
public sealed class MembershipRequestTests
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30); // never reached by the tests that settle
    private static readonly MembershipResult JustElected = MembershipResult.Busy("node 4 was just elected and has not committed an entry of its term 3 yet; try again in a moment");
    private static readonly MembershipResult Committed = MembershipResult.Appended(12, 3, new ClusterConfig([1, 2, 3], [4])).AsCommitted();

    [Fact]
    public async Task A_refusal_for_the_moment_is_asked_again_until_the_change_commits()
    {
        var asked = new List<int>();
        var answers = new Queue<MembershipResult>([MembershipResult.NotLeader(4), JustElected, JustElected, Committed]);
        var result = await MembershipRequest.AskUntilSettledAsync(node => Answer(asked, node, answers), leader: 1, Patience, Pause);
        Assert.Equal(MembershipStatus.Committed, result.Status);
        Assert.Equal([1, 4, 4, 4], asked);
    }

    [Fact]
    public async Task A_refusal_of_the_change_itself_is_given_back_at_once()
    {
        var asked = new List<int>();
        var answers = new Queue<MembershipResult>([MembershipResult.Refused("node 1 is a voter already"), Committed]);
        var result = await MembershipRequest.AskUntilSettledAsync(node => Answer(asked, node, answers), leader: 1, Patience, Pause);
        Assert.Equal("node 1 is a voter already", result.Reason);
        Assert.Equal([1], asked);
    }

    [Fact]
    public async Task A_leader_that_keeps_refusing_for_the_moment_is_given_up_on_after_the_patience()
    {
        var asks = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await MembershipRequest.AskUntilSettledAsync(_ => { asks++; return Task.FromResult(JustElected); },
            leader: 1, patience: TimeSpan.FromMilliseconds(200), pause: TimeSpan.FromMilliseconds(10));
        Assert.Same(JustElected, result);
        Assert.True(asks > 1, $"asked {asks} time(s)");
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(180), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Nodes_that_name_each_other_as_leader_are_asked_with_pauses_until_the_patience_is_over()
    {
        var asks = 0;
        var result = await MembershipRequest.AskUntilSettledAsync(node => { asks++; return Task.FromResult(MembershipResult.NotLeader(node == 1 ? 2 : 1)); },
            leader: 1, patience: TimeSpan.FromMilliseconds(100), pause: TimeSpan.FromMilliseconds(10));
        Assert.Equal(MembershipStatus.NotLeader, result.Status);
        Assert.InRange(asks, 2, 12); // one ask at once, then one a pause
    }

    private static Task<MembershipResult> Answer(List<int> asked, int node, Queue<MembershipResult> answers)
    {
        asked.Add(node);
        return Task.FromResult(answers.Dequeue());
    }
}
