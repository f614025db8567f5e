using System.Diagnostics;
using RaftOrleans.Client.Check;
using RaftOrleans.Kv;
using Xunit;

namespace RaftOrleans.Tests.Check;

/// <summary>
/// Hand-made histories of one key "k" (times in microseconds; null: no answer, the operation is unknown) that are
/// and are not linearizable. Every violation the fault suite exists to catch is planted here once.
/// </summary>
public sealed class LinearizabilityCheckerTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    [Fact]
    public void ASequentialHistoryThatFollowsTheModelIsLinearizable()
    {
        Assert.Equal(Linearizable.Yes, Check(
            Put("a", HistoryOutcome.Ok, 0, 10),
            Get("a", 20, 30),
            Put("b", HistoryOutcome.KeyExists, 40, 50),
            Delete(HistoryOutcome.Ok, 60, 70),
            GetNothing(80, 90),
            Delete(HistoryOutcome.NotFound, 100, 110),
            Put("c", HistoryOutcome.Ok, 120, 130)));
    }

    [Fact]
    public void AStaleReadIsCaught()
    {
        // The delete answered before the get began, yet the get still saw the old value (a follower's read).
        Assert.Equal(Linearizable.No, Check(
            Put("a", HistoryOutcome.Ok, 0, 10),
            Delete(HistoryOutcome.Ok, 20, 30),
            Get("a", 40, 50)));
    }

    [Fact]
    public void ALostAcknowledgedWriteIsCaught()
    {
        var put = Put("a", HistoryOutcome.Ok, 0, 10);
        var final = GetNothing(20, 30);
        Assert.Equal(Linearizable.No, Check(put, final));
        Assert.Equal([put], LostWrites.Find([put, final], new Dictionary<string, HistoryOperation> { ["k"] = final }));
    }

    [Fact]
    public void AWriteThatTakesEffectTwiceIsCaught()
    {
        // a was stored and deleted; it came back (applied a second time), so b was refused and a read again.
        Assert.Equal(Linearizable.No, Check(
            Put("a", HistoryOutcome.Ok, 0, 10),
            Delete(HistoryOutcome.Ok, 20, 30),
            Put("b", HistoryOutcome.KeyExists, 40, 50),
            Get("a", 60, 70)));
    }

    [Fact]
    public void AReadOfAValueNeverWrittenIsCaught()
    {
        Assert.Equal(Linearizable.No, Check(
            Put("a", HistoryOutcome.Ok, 0, 10),
            Get("z", 20, 30)));
    }

    [Fact]
    public void TwoAcknowledgedPutsIntoOneEmptyKeyAreCaught()
    {
        Assert.Equal(Linearizable.No, Check(
            Put("a", HistoryOutcome.Ok, 0, 100),
            Put("b", HistoryOutcome.Ok, 0, 100)));
    }

    [Theory]
    [InlineData("a")]  // the put went first
    [InlineData(null)] // the get went first
    public void ConcurrentOperationsMayBeOrderedEitherWay(string? seen)
    {
        var get = seen is null ? GetNothing(10, 20) : Get(seen, 10, 20);
        Assert.Equal(Linearizable.Yes, Check(Put("a", HistoryOutcome.Ok, 0, 100), get));
        // Overlapping puts: either one may be the one that found the key empty.
        Assert.Equal(Linearizable.Yes, Check(
            Put("a", HistoryOutcome.KeyExists, 0, 100),
            Put("b", HistoryOutcome.Ok, 50, 60),
            Get("b", 110, 120)));
    }

    [Fact]
    public void AnUnknownPutMayTakeEffectLongAfterItBeganOrNever()
    {
        Assert.Equal(Linearizable.Yes, Check(
            Put("a", null, 0, null),
            GetNothing(10, 20),
            Get("a", 1_000, 1_010)));
        Assert.Equal(Linearizable.Yes, Check(
            Put("a", null, 0, null),
            GetNothing(1_000, 1_010)));
    }

    [Fact]
    public void AnUnknownPutTakesEffectAtMostOnceAndNeverBeforeItBegan()
    {
        // Seen, then gone without a delete: it would have taken effect, been undone, and... nothing undoes a put.
        Assert.Equal(Linearizable.No, Check(
            Put("a", null, 0, null),
            Get("a", 10, 20),
            GetNothing(30, 40)));
        // Read before it was sent.
        Assert.Equal(Linearizable.No, Check(
            Get("a", 0, 10),
            Put("a", null, 20, null)));
    }

    [Fact]
    public void AnUnknownDeleteMayExplainAValueThatDisappeared()
    {
        Assert.Equal(Linearizable.Yes, Check(
            Put("a", HistoryOutcome.Ok, 0, 10),
            Delete(null, 20, null),
            Get("a", 30, 40),
            GetNothing(50, 60)));
        var put = Put("a", HistoryOutcome.Ok, 0, 10);
        var final = GetNothing(50, 60);
        Assert.Empty(LostWrites.Find([put, Delete(null, 20, null), final], new Dictionary<string, HistoryOperation> { ["k"] = final }));
    }

    [Fact]
    public void KeysAreCheckedApartAndTheSmallestFailingOneIsNamed()
    {
        var history = new[]
        {
            Put("a", HistoryOutcome.Ok, 0, 10) with { Key = "good" },
            Get("a", 20, 30) with { Key = "good" },
            Put("a", HistoryOutcome.Ok, 0, 10) with { Key = "big" },
            Delete(HistoryOutcome.Ok, 20, 30) with { Key = "big" },
            Get("a", 40, 50) with { Key = "big" },
            Put("x", HistoryOutcome.Ok, 0, 10) with { Key = "small" },
            GetNothing(20, 30) with { Key = "small" },
        };
        var verdict = LinearizabilityChecker.Check(history, Budget);
        Assert.Equal(Linearizable.No, verdict.Result);
        Assert.Equal(Linearizable.Yes, verdict.Keys.Single(k => k.Key == "good").Result);
        Assert.Equal("small", verdict.SmallestFailure?.Key);
    }

    [Fact]
    public void ASearchThatCannotFinishInTimeAnswersUnknownInsteadOfHanging()
    {
        // Forty overlapping puts and deletes with no answers, and a read of a value none of them wrote: proving it
        // impossible means trying every subset of them (2^40) before the read's answer.
        var history = Enumerable.Range(0, 40)
            .Select(i => i % 2 == 0 ? Put($"v{i}", null, 0, null) : Delete(null, 0, null))
            .Append(Get("never written", 0, 1_000))
            .ToArray();
        var clock = Stopwatch.StartNew();
        var verdict = LinearizabilityChecker.Check(history, TimeSpan.FromMilliseconds(300));
        Assert.Equal(Linearizable.Unknown, verdict.Result);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public void ALongHistoryOfAFewConcurrentClientsIsCheckedQuickly()
    {
        // Five clients, 2,000 operations on one key, each overlapping its neighbours: the memoised search is linear here.
        var history = new List<HistoryOperation>();
        var value = (string?)null;
        for (var i = 0; i < 2_000; i++)
        {
            var start = i * 10L;
            var end = start + 35; // overlaps the next three
            HistoryOperation op;
            if (i % 3 == 0 && value is null) op = Put(value = $"v{i}", HistoryOutcome.Ok, start, end);
            else if (i % 3 == 2 && value is not null) { op = Delete(HistoryOutcome.Ok, start, end); value = null; }
            else op = value is null ? GetNothing(start, end) : Get(value, start, end);
            history.Add(op with { Client = i % 5 });
        }
        var verdict = LinearizabilityChecker.Check(history, Budget);
        Assert.Equal(Linearizable.Yes, verdict.Result);
    }

    [Fact]
    public void TheShortestFailingPrefixEndsWhereTheHistoryWentWrong()
    {
        var history = new[]
        {
            Put("a", HistoryOutcome.Ok, 0, 10),
            Get("a", 20, 30),
            Delete(HistoryOutcome.Ok, 40, 50),
            Get("a", 60, 70), // stale
            Put("b", HistoryOutcome.Ok, 80, 90),
            Get("b", 100, 110),
        };
        var deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
        Assert.Equal(history[..4], LinearizabilityChecker.ShortestFailingPrefix(history, deadline));
    }

    [Fact]
    public void APrefixIsNoWitnessWhileALaterOperationMayStillExplainIt()
    {
        // The get saw a, written by a put invoked after the get began: cut before the put, the get must not fail.
        var history = new[] { Get("a", 0, 100), Put("a", HistoryOutcome.Ok, 10, 20) };
        var deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
        Assert.Equal(Linearizable.Yes, Check(history));
        Assert.Null(LinearizabilityChecker.ShortestFailingPrefix(history, deadline));
    }

    private static Linearizable Check(params HistoryOperation[] history) =>
        LinearizabilityChecker.Check(history, Budget).Result;

    private static HistoryOperation Put(string value, HistoryOutcome? outcome, long from, long? to) =>
        Op(KvOperation.Put, value, outcome ?? HistoryOutcome.Unknown, from, to);

    private static HistoryOperation Get(string value, long from, long to) => Op(KvOperation.Get, value, HistoryOutcome.Ok, from, to);

    private static HistoryOperation GetNothing(long from, long to) => Op(KvOperation.Get, null, HistoryOutcome.NotFound, from, to);

    private static HistoryOperation Delete(HistoryOutcome? outcome, long from, long? to) =>
        Op(KvOperation.Delete, null, outcome ?? HistoryOutcome.Unknown, from, to);

    private static HistoryOperation Op(KvOperation kind, string? value, HistoryOutcome outcome, long from, long? to) =>
        new(Client: 0, kind, "k", value, outcome, from, outcome == HistoryOutcome.Unknown ? null : to);
}
