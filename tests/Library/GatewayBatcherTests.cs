using RaftOrleans.Kv;
using RaftOrleans.KeyValue.Sessions;
using Xunit;

namespace RaftOrleans.Tests.Library;

/// <summary>
/// How the client library puts the requests its sessions have ready at the same moment into one gateway call, and
/// that each request still gets its own answer (or its own failure) back. The flush is run by hand here, so what is
/// "ready at the same moment" is exactly what was sent before it.
/// </summary>
public sealed class GatewayBatcherTests
{
    private sealed class Gateway
    {
        public List<KvGroupRequest[]> Calls { get; } = [];
        public Func<KvGroupRequest[], Task<KvResult[]>> Answer { get; set; } =
            batch => Task.FromResult(batch.Select(r => KvResult.Found($"{r.Request.Key}@{r.Group}")).ToArray());

        public Task<KvResult[]> Send(KvGroupRequest[] batch)
        {
            Calls.Add(batch);
            return Answer(batch);
        }
    }

    private static KvRequest Put(int i, string value = "v") => new(Guid.NewGuid(), 1, KvOperation.Put, $"k{i}", value);

    private static (GatewayBatcher Batcher, Gateway Gateway, Func<int> Scheduled) Make(int maxRequestsInFlight = 0)
    {
        var gateway = new Gateway();
        var scheduled = 0;
        var batcher = new GatewayBatcher(gateway.Send, _ => scheduled++, maxRequestsInFlight);
        return (batcher, gateway, () => scheduled);
    }

    [Fact]
    public async Task Requests_ready_together_travel_in_one_call_and_each_gets_its_own_answer()
    {
        var (batcher, gateway, scheduled) = Make();
        var answers = Enumerable.Range(0, 10).Select(i => batcher.Send(Put(i), i % 2 == 0 ? "a" : "b")).ToArray();
        Assert.Equal(1, scheduled()); // one flush for all ten
        Assert.Empty(gateway.Calls);

        batcher.Flush();

        var call = Assert.Single(gateway.Calls);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"k{i}"), call.Select(r => r.Request.Key));
        var results = await Task.WhenAll(answers);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"k{i}@{(i % 2 == 0 ? "a" : "b")}"), results.Select(r => r.Value));
    }

    [Fact]
    public async Task A_request_sent_after_a_flush_schedules_the_next_one()
    {
        var (batcher, gateway, scheduled) = Make();
        var first = batcher.Send(Put(1), "g");
        batcher.Flush();
        var second = batcher.Send(Put(2), "g");
        Assert.Equal(2, scheduled());
        batcher.Flush();

        Assert.Equal(2, gateway.Calls.Count);
        Assert.Equal("k1@g", (await first).Value);
        Assert.Equal("k2@g", (await second).Value);
    }

    [Fact]
    public async Task A_batch_carries_at_most_its_share_of_requests_and_characters()
    {
        var (batcher, gateway, _) = Make();
        var many = Enumerable.Range(0, GatewayBatcher.MaxRequests + 6).Select(i => batcher.Send(Put(i), "g")).ToArray();
        batcher.Flush();
        Assert.Equal([GatewayBatcher.MaxRequests, 6], gateway.Calls.Select(c => c.Length));
        await Task.WhenAll(many);

        gateway.Calls.Clear();
        var big = new string('x', GatewayBatcher.MaxChars / 2);
        var large = Enumerable.Range(0, 3).Select(i => batcher.Send(Put(i, big), "g")).ToArray();
        batcher.Flush();
        Assert.Equal([1, 1, 1], gateway.Calls.Select(c => c.Length)); // two halves and a key are more than the bound
        await Task.WhenAll(large);
    }

    [Fact]
    public async Task A_batch_never_carries_more_than_the_cluster_lets_a_connection_have_in_flight()
    {
        // A silo refuses a call carrying more than gateway.max_requests_in_flight whole, however often it is resent.
        var (batcher, gateway, _) = Make(maxRequestsInFlight: 4);
        var answers = Enumerable.Range(0, 10).Select(i => batcher.Send(Put(i), "g")).ToArray();
        batcher.Flush();
        Assert.Equal([4, 4, 2], gateway.Calls.Select(c => c.Length));
        await Task.WhenAll(answers);
    }

    [Fact]
    public async Task A_failed_call_fails_every_request_it_carried_with_its_error()
    {
        var (batcher, gateway, _) = Make();
        var lost = new TimeoutException("Response did not arrive on time");
        gateway.Answer = _ => Task.FromException<KvResult[]>(lost);
        var answers = Enumerable.Range(0, 3).Select(i => batcher.Send(Put(i), "g")).ToArray();
        batcher.Flush();

        foreach (var answer in answers) Assert.Same(lost, await Assert.ThrowsAsync<TimeoutException>(() => answer));
    }

    [Fact]
    public async Task An_answer_that_does_not_match_the_batch_fails_its_requests_rather_than_misplace_answers()
    {
        var (batcher, gateway, _) = Make();
        gateway.Answer = _ => Task.FromResult(new[] { KvResult.Ok });
        var answers = Enumerable.Range(0, 2).Select(i => batcher.Send(Put(i), "g")).ToArray();
        batcher.Flush();

        foreach (var answer in answers)
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => answer);
            Assert.Contains("1 requests of a batch of 2", error.Message);
        }
    }

    [Fact]
    public async Task Answers_arrive_when_the_call_completes_not_before()
    {
        var (batcher, gateway, _) = Make();
        var reply = new TaskCompletionSource<KvResult[]>();
        gateway.Answer = _ => reply.Task;
        var answer = batcher.Send(Put(1), "g");
        batcher.Flush();
        Assert.False(answer.IsCompleted);

        reply.SetResult([KvResult.KeyExists]);
        Assert.Equal(KvStatus.KeyExists, (await answer).Status);
    }
}
