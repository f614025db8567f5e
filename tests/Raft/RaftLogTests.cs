using RaftOrleans.Raft;
using Xunit;

namespace RaftOrleans.Tests.Raft;

/// <summary>The in-memory log: 1-based indexes over a shared empty prefix (index 0, term 0).</summary>
public class RaftLogTests
{
    private static RaftLog LogOf(params long[] terms)
    {
        var log = new RaftLog();
        foreach (var entry in Nodes.Log(terms)) log.Append(entry);
        return log;
    }

    [Fact]
    public void EmptyLogEndsAtTheSharedPrefix()
    {
        var log = new RaftLog();

        Assert.Equal(0, log.LastIndex);
        Assert.Equal(0, log.LastTerm);
        Assert.Equal(1, log.FirstIndex);
        Assert.Equal(0, log.TermAt(0));
        Assert.Null(log.TermAt(1));
    }

    [Fact]
    public void TermAtAnswersForHeldIndexesAndNullOutsideThem()
    {
        var log = LogOf(1, 1, 2);

        Assert.Equal(new long?[] { 0, 1, 1, 2, null }, Enumerable.Range(0, 5).Select(i => log.TermAt(i)));
        Assert.Equal(3, log.LastIndex);
        Assert.Equal(2, log.LastTerm);
        Assert.Throws<ArgumentOutOfRangeException>(() => log[4]);
        Assert.Throws<ArgumentOutOfRangeException>(() => log[0]);
    }

    [Fact]
    public void AppendRejectsAGapOrAnOverlap()
    {
        var log = LogOf(1, 1);

        Assert.Throws<InvalidOperationException>(() => log.Append(Nodes.Entry(4, 1)));
        Assert.Throws<InvalidOperationException>(() => log.Append(Nodes.Entry(2, 1)));
        Assert.Equal(2, log.LastIndex);
    }

    [Fact]
    public void SliceIsInclusiveClippedToTheLogAndCappedByMax()
    {
        var log = LogOf(1, 1, 2, 2, 3);

        Assert.Equal(new long[] { 2, 3, 4 }, log.Slice(2, 4, 10).Select(e => e.Index));
        Assert.Equal(new long[] { 4, 5 }, log.Slice(4, 99, 10).Select(e => e.Index));
        Assert.Equal(new long[] { 1, 2 }, log.Slice(1, 5, 2).Select(e => e.Index));
        Assert.Empty(log.Slice(6, 9, 10));
    }

    [Fact]
    public void TruncateFromDropsTheEntryAndEverythingAfterIt()
    {
        var log = LogOf(1, 1, 2, 2, 3);

        log.TruncateFrom(3);

        Assert.Equal(2, log.LastIndex);
        Assert.Equal(1, log.LastTerm);
        log.Append(Nodes.Entry(3, 4));
        Assert.Equal(4, log.TermAt(3));
    }

    [Fact]
    public void TruncateFromPastTheEndChangesNothingAndIntoThePrefixThrows()
    {
        var log = LogOf(1, 2);

        log.TruncateFrom(3);
        Assert.Equal(2, log.LastIndex);
        Assert.Throws<InvalidOperationException>(() => log.TruncateFrom(0));
    }

    [Theory]
    [InlineData(7, 3, 7)] // terms 1,1,1,2,2,2,3: the term-3 run is index 7 alone
    [InlineData(6, 2, 4)]
    [InlineData(5, 2, 4)]
    [InlineData(3, 1, 1)]
    public void FirstIndexOfTermAtFindsWhereTheRunStarts(long index, long term, long expected)
    {
        Assert.Equal(expected, LogOf(1, 1, 1, 2, 2, 2, 3).FirstIndexOfTermAt(index, term));
    }

    [Theory]
    [InlineData(1, 3L)]
    [InlineData(4, 5L)]
    [InlineData(6, 10L)]
    [InlineData(2, null)]
    [InlineData(8, null)]
    public void LastIndexOfTermFindsTheEndOfThatTermOrNull(long term, long? expected)
    {
        // Figure 7's leader: 1,1,1,4,4,5,5,6,6,6.
        Assert.Equal(expected, LogOf(1, 1, 1, 4, 4, 5, 5, 6, 6, 6).LastIndexOfTerm(term));
    }

    [Theory]
    [InlineData(5, 3, true)]
    [InlineData(6, 3, true)]
    [InlineData(1, 4, true)]
    [InlineData(4, 3, false)]
    [InlineData(9, 2, false)]
    public void IsUpToDateComparesLastTermFirstThenLength(long lastIndex, long lastTerm, bool expected)
    {
        Assert.Equal(expected, LogOf(1, 1, 2, 3, 3).IsUpToDate(lastIndex, lastTerm));
    }

    [Fact]
    public void AnyLogIsAtLeastAsUpToDateAsTheEmptyLog()
    {
        Assert.True(new RaftLog().IsUpToDate(0, 0));
        Assert.True(new RaftLog().IsUpToDate(1, 1));
    }
}
