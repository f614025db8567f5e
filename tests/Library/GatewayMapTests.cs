using RaftOrleans.Kv;
using RaftOrleans.KeyValue.Sessions;
using Xunit;

namespace RaftOrleans.Tests.Library;

/// <summary>
/// What the client library learns from the gateways' answers in cluster mode, and how it picks a gateway key with it:
/// one seen on the group's leader's silo once it knows one, any key before, and any key again after an attempt that
/// came back without a definitive answer (that silo may be gone).
/// </summary>
public sealed class GatewayMapTests
{
    private const int Keys = 16;

    private static KvResult OkFrom(int gateway, int leader) => KvResult.Ok with { GatewayNode = gateway, Leader = leader };

    [Fact]
    public void A_group_with_a_known_leader_goes_to_a_key_seen_on_the_leaders_silo()
    {
        var map = new GatewayMap(Keys);
        for (var key = 0; key < Keys; key++) map.Learn(key, "g", OkFrom(gateway: 1 + key % 4, leader: 3));

        for (var i = 0; i < 200; i++) Assert.Equal(3, map.NodeOf(map.PickKey("g")));
        Assert.Equal(3, map.LeaderOf("g"));
    }

    [Fact]
    public void Requests_for_one_leader_share_one_key_so_they_can_travel_together()
    {
        var map = new GatewayMap(Keys);
        for (var key = 0; key < Keys; key++) map.Learn(key, "g", OkFrom(gateway: 1 + key % 4, leader: 3));

        Assert.Single(Enumerable.Range(0, 200).Select(_ => map.PickKey("g")).Distinct());
    }

    [Fact]
    public void Each_group_goes_to_its_own_leaders_silo()
    {
        var map = new GatewayMap(Keys);
        for (var key = 0; key < Keys; key++) map.Learn(key, "a", KvResult.NotFound with { GatewayNode = 1 + key % 2, Leader = 1 });
        map.Learn(0, "b", OkFrom(gateway: 1, leader: 2)); // a group's leader is learned through any key

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(1, map.NodeOf(map.PickKey("a")));
            Assert.Equal(2, map.NodeOf(map.PickKey("b")));
        }
    }

    [Fact]
    public void Without_a_known_leader_every_key_is_used()
    {
        var map = new GatewayMap(Keys);
        var picked = Enumerable.Range(0, 2_000).Select(_ => map.PickKey("g")).ToHashSet();
        Assert.Equal(Keys, picked.Count);
    }

    [Fact]
    public void An_attempt_without_a_definitive_answer_forgets_the_leader_so_the_resend_goes_anywhere()
    {
        var map = new GatewayMap(Keys);
        for (var key = 0; key < Keys; key++) map.Learn(key, "g", OkFrom(gateway: 1 + key % 4, leader: 2));

        map.Learn(5, "g", KvResult.Unavailable("no answer from the gateway within 300 ms")); // the client's own: no gateway named
        Assert.Null(map.LeaderOf("g"));
        Assert.Equal(2, map.NodeOf(5)); // what the key reached is still known
        Assert.True(Enumerable.Range(0, 2_000).Select(_ => map.NodeOf(map.PickKey("g"))).Distinct().Count() > 1);

        map.Learn(5, "g", OkFrom(gateway: 2, leader: 4)); // the next answer names the new leader
        Assert.Equal(4, map.LeaderOf("g"));
    }

    [Fact]
    public void A_key_that_reaches_another_silo_now_is_relearned_from_its_next_answer()
    {
        var map = new GatewayMap(Keys);
        map.Learn(7, "g", OkFrom(gateway: 3, leader: 3));
        Assert.Equal(7, map.PickKey("g")); // the only key seen on node 3's silo

        map.Learn(7, "g", OkFrom(gateway: 1, leader: 3)); // its gateway went away; Orleans gave the key another
        Assert.Equal(1, map.NodeOf(7));
        Assert.True(Enumerable.Range(0, 2_000).Select(_ => map.PickKey("g")).Distinct().Count() > 1);
    }
}
