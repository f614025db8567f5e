using Microsoft.Extensions.Logging;
using RaftOrleans.Configuration;
using Xunit;

namespace RaftOrleans.Tests.Configuration;

/// <summary>A configuration built in code (tests, hosts) is checked by the same rules as a file.</summary>
public class ValidatorTests
{
    [Fact]
    public void Configuration_built_in_code_is_checked_by_the_same_rules()
    {
        var config = RaftConfig.Default with
        {
            Cluster = new ClusterSettings { Nodes = 12 },
            Raft = new RaftSettings { ElectionTimeoutMinMs = 300, ElectionTimeoutMaxMs = 200 },
            Silo = new SiloSettings { LogLevel = (LogLevel)42 },
        };

        var problems = RaftConfigValidator.Validate(config);

        Assert.Equal(["cluster.nodes", "raft.election_timeout_min_ms", "silo.log_level"], problems.Select(p => p.Key));
        Assert.Equal("raft.election_timeout_max_ms", problems[1].RelatedKey);
        Assert.Equal(
            "raft.election_timeout_min_ms: must be less than raft.election_timeout_max_ms (200), got 300",
            problems[1].Message);
    }
}
