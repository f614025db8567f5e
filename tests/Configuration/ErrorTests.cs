using RaftOrleans.Configuration;
using Xunit;

namespace RaftOrleans.Tests.Configuration;

/// <summary>A bad file must stop start-up with the file, the key and the reason.</summary>
public class ErrorTests
{
    private static RaftConfigException Fails(string toml, string sourceName = "raft.toml") =>
        Assert.Throws<RaftConfigException>(() => RaftConfigLoader.Parse(toml, sourceName));

    private static string SingleError(string toml)
    {
        var ex = Fails(toml);
        Assert.Equal("raft.toml", ex.SourceName);
        return Assert.Single(ex.Errors);
    }

    [Fact]
    public void Unknown_key_is_named_with_its_section_and_a_suggestion()
    {
        var error = SingleError("[raft]\nheartbeat_intervall_ms = 40\n");

        Assert.Equal(
            "raft.toml: unknown key 'raft.heartbeat_intervall_ms' (did you mean 'raft.heartbeat_interval_ms'?) (line 2)",
            error);
    }

    [Fact]
    public void Key_in_the_wrong_section_points_to_the_right_one()
    {
        var error = SingleError("[client]\ngateway_port = 30001\n");

        Assert.Equal("raft.toml: unknown key 'client.gateway_port' (did you mean 'silo.gateway_port'?) (line 2)", error);
    }

    [Fact]
    public void Key_outside_any_section_is_unknown()
    {
        var error = SingleError("nodes = 3\n");

        Assert.Equal("raft.toml: unknown key 'nodes' (did you mean 'cluster.nodes'? keys belong in a section) (line 1)", error);
    }

    [Fact]
    public void Unknown_key_without_a_near_name_has_no_suggestion()
    {
        var error = SingleError("[cluster]\nnodes = 3\nflavour = \"vanilla\"\n");

        Assert.Equal("raft.toml: unknown key 'cluster.flavour' (line 3)", error);
    }

    [Fact]
    public void Unknown_section_is_an_error()
    {
        var error = SingleError("[persistence]\nkind = \"file\"\n");

        Assert.StartsWith("raft.toml: unknown section '[persistence]'; known sections: [cluster], [raft], [silo], [gateway], [client], [storage]", error);
        Assert.EndsWith("(line 1)", error);
    }

    [Fact]
    public void Misspelt_section_gets_a_suggestion()
    {
        var error = SingleError("[clients]\nnum_clients = 2\n");

        Assert.StartsWith("raft.toml: unknown section '[clients]' (did you mean '[client]'?)", error);
    }

    [Fact]
    public void Nested_table_inside_a_section_is_an_unknown_key()
    {
        var error = SingleError("[raft.timeouts]\nmin = 1\n");

        Assert.StartsWith("raft.toml: unknown key 'raft.timeouts'", error);
    }

    [Fact]
    public void String_where_an_integer_is_expected_names_key_type_and_value()
    {
        var error = SingleError("[cluster]\nnodes = \"five\"\n");

        Assert.Equal("raft.toml: cluster.nodes: expected an integer, got string \"five\" (line 2)", error);
    }

    [Theory]
    [InlineData("150.0", "float 150")]
    [InlineData("true", "boolean true")]
    [InlineData("[150, 300]", "an array")]
    [InlineData("{ ms = 150 }", "a table")]
    [InlineData("1979-05-27", "date-time 1979-05-27")]
    public void Other_wrong_types_are_described(string value, string described)
    {
        var error = SingleError($"[raft]\nelection_timeout_min_ms = {value}\n");

        Assert.Equal($"raft.toml: raft.election_timeout_min_ms: expected an integer, got {described} (line 2)", error);
    }

    [Fact]
    public void Integer_where_a_log_level_name_is_expected_is_a_type_error()
    {
        var error = SingleError("[silo]\nlog_level = 2\n");

        Assert.Equal(
            "raft.toml: silo.log_level: expected a string (one of Trace, Debug, Information, Warning, Error, Critical, None), got integer 2 (line 2)",
            error);
    }

    [Theory]
    [InlineData("Verbose")]
    [InlineData("2")] // Enum.TryParse would take a number; the file must use a name
    [InlineData("")]
    public void Unknown_log_level_lists_the_allowed_names(string name)
    {
        var error = SingleError($"[silo]\nlog_level = \"{name}\"\n");

        Assert.Equal(
            $"raft.toml: silo.log_level: must be one of Trace, Debug, Information, Warning, Error, Critical, None, got string \"{name}\" (line 2)",
            error);
    }

    [Fact]
    public void A_session_lifetime_shorter_than_six_request_deadlines_is_refused()
    {
        var error = SingleError("[gateway]\nrequest_timeout_ms = 2000\nsession_lifetime_ms = 11999\n");

        Assert.Equal("raft.toml: gateway.session_lifetime_ms: must be at least 6 × gateway.request_timeout_ms (12000), so a session " +
                     "outlives its client's resends, got 11999 (line 3)", error);
        Assert.Equal(12000, RaftConfigLoader.Parse("[gateway]\nrequest_timeout_ms = 2000\nsession_lifetime_ms = 12000\n", "raft.toml").Gateway.SessionLifetimeMs);
    }

    [Fact]
    public void Faults_are_off_by_default_and_a_word_for_enabled_is_a_type_error()
    {
        Assert.False(RaftConfigLoader.Parse("", "raft.toml").Faults.Enabled);
        Assert.True(RaftConfigLoader.Parse("[faults]\nenabled = true\n", "raft.toml").Faults.Enabled);

        var error = SingleError("[faults]\nenabled = \"yes\"\n");

        Assert.Equal("raft.toml: faults.enabled: expected true or false, got string \"yes\" (line 2)", error);
    }

    [Fact]
    public void Section_given_as_a_plain_value_is_a_type_error()
    {
        var error = SingleError("cluster = 5\n");

        Assert.Equal("raft.toml: cluster: expected a table (a [cluster] section), got integer 5 (line 1)", error);
    }

    [Theory]
    [InlineData("cluster", "nodes", "0", "must be between 1 and 9 (Raft clusters are small; 3 or 5 is typical), got 0")]
    [InlineData("cluster", "nodes", "10", "must be between 1 and 9 (Raft clusters are small; 3 or 5 is typical), got 10")]
    [InlineData("raft", "rpc_timeout_ms", "0", "must be between 1 and 3600000, got 0")]
    [InlineData("raft", "rpc_timeout_ms", "-5", "must be between 1 and 3600000, got -5")]
    [InlineData("raft", "max_entries_per_append", "0", "must be at least 1, got 0")]
    [InlineData("raft", "max_inflight_appends", "-1", "must be at least 1, got -1")]
    [InlineData("silo", "silo_port", "0", "must be between 1 and 65535, got 0")]
    [InlineData("silo", "gateway_port", "65536", "must be between 1 and 65535, got 65536")]
    [InlineData("gateway", "request_timeout_ms", "0", "must be between 1 and 3600000, got 0")]
    [InlineData("gateway", "max_key_bytes", "0", "must be at least 1, got 0")]
    [InlineData("gateway", "max_value_bytes", "0", "must be at least 1, got 0")]
    [InlineData("client", "num_clients", "0", "must be at least 1, got 0")]
    [InlineData("client", "requests_per_client", "0", "must be at least 1, got 0")]
    [InlineData("client", "key_space", "0", "must be at least 1, got 0")]
    [InlineData("client", "key_space", "99999999999", "must be at most 2147483647, got 99999999999")]
    [InlineData("cluster", "mode", "\"swarm\"", "must be one of Embedded, Cluster, got string \"swarm\"")]
    [InlineData("cluster", "id", "\"my cluster\"", "must be 1 to 64 letters, digits, '-', '_' or '.', got \"my cluster\"")]
    [InlineData("cluster", "redis", "\"localhost\"", "must start with host:port (port 1..65535), for example \"127.0.0.1:6379\", got \"localhost\"")]
    [InlineData("cluster", "redis", "\"127.0.0.1:70000\"", "must start with host:port (port 1..65535), for example \"127.0.0.1:6379\", got \"127.0.0.1:70000\"")]
    [InlineData("silo", "address", "\"my-laptop\"", "must be an IP address such as 127.0.0.1, got \"my-laptop\"")]
    public void Out_of_range_value_names_key_bound_and_value(string section, string key, string value, string reason)
    {
        var error = SingleError($"[{section}]\n{key} = {value}\n");

        Assert.Equal($"raft.toml: {section}.{key}: {reason} (line 2)", error);
    }

    [Fact]
    public void Cluster_mode_ports_of_all_nodes_must_not_overlap()
    {
        // Node N listens on silo_port + N - 1 and gateway_port + N - 1: with 5 nodes, 11111..11115 and 11113..11117 overlap.
        var error = SingleError("[cluster]\nmode = \"cluster\"\n[silo]\nsilo_port = 11111\ngateway_port = 11113\n");

        Assert.Equal("raft.toml: silo.gateway_port: must be at least 5 away from silo.silo_port (11111) in cluster mode " +
                     "(node N listens on both + N - 1), got 11113 (line 5)", error);
    }

    [Fact]
    public void Cluster_mode_ports_of_the_last_node_must_fit()
    {
        var error = SingleError("[cluster]\nmode = \"cluster\"\n[silo]\nsilo_port = 65533\n");

        Assert.Equal("raft.toml: silo.silo_port: must be at most 65531 in cluster mode (node 5 listens on it + 4), got 65533 (line 4)", error);
    }

    [Fact]
    public void Embedded_mode_uses_one_port_of_each_kind()
    {
        // The same ports are fine when one silo hosts every node.
        var config = RaftConfigLoader.Parse("[silo]\nsilo_port = 11111\ngateway_port = 11113\n", "raft.toml");

        Assert.Equal(11113, config.GatewayPortOf(null));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(300)] // equal is not less
    public void Election_timeout_min_must_be_below_max(int min)
    {
        var error = SingleError($"[raft]\nelection_timeout_min_ms = {min}\n");

        Assert.Equal(
            $"raft.toml: raft.election_timeout_min_ms: must be less than raft.election_timeout_max_ms (300), got {min} (line 2)",
            error);
    }

    [Fact]
    public void Heartbeat_must_be_below_election_timeout_min()
    {
        var error = SingleError("[raft]\nheartbeat_interval_ms = 150\n");

        Assert.Equal(
            "raft.toml: raft.heartbeat_interval_ms: must be less than raft.election_timeout_min_ms (150), got 150" +
            " (followers would start elections between heartbeats) (line 2)",
            error);
    }

    [Fact]
    public void Silo_and_gateway_ports_must_differ()
    {
        var error = SingleError("[silo]\nsilo_port = 30000\n");

        Assert.Equal("raft.toml: silo.gateway_port: must differ from silo.silo_port (30000), got 30000", error);
    }

    [Fact]
    public void Quiescence_without_pre_vote_is_refused_with_both_ways_out()
    {
        var error = SingleError("[raft]\npre_vote = false\n");

        Assert.StartsWith("raft.toml: raft.quiesce: needs raft.pre_vote = true", error);
        Assert.Contains("set raft.quiesce = false or raft.pre_vote = true", error);
        Assert.Empty(RaftConfigValidator.Validate(RaftConfig.Default with { Raft = new RaftSettings { PreVote = false, Quiesce = false } }));
    }

    [Fact]
    public void A_rule_involving_a_key_of_the_wrong_type_is_not_reported_on_top_of_the_type_error()
    {
        // election_timeout_min_ms cannot be read, so "heartbeat 200 >= min" would compare with the default 150.
        var error = SingleError("[raft]\nelection_timeout_min_ms = \"250\"\nheartbeat_interval_ms = 200\n");

        Assert.StartsWith("raft.toml: raft.election_timeout_min_ms: expected an integer", error);
    }

    [Fact]
    public void All_problems_are_reported_one_per_line_in_file_order()
    {
        const string toml = """
            [cluster]
            nodes = "five"
            [raft]
            election_timeout_min_ms = 400
            heartbeat_intervall_ms = 40
            [client]
            key_space = 0
            """;

        var ex = Fails(toml);

        Assert.Equal(
            [
                "raft.toml: cluster.nodes: expected an integer, got string \"five\" (line 2)",
                "raft.toml: raft.election_timeout_min_ms: must be less than raft.election_timeout_max_ms (300), got 400 (line 4)",
                "raft.toml: unknown key 'raft.heartbeat_intervall_ms' (did you mean 'raft.heartbeat_interval_ms'?) (line 5)",
                "raft.toml: client.key_space: must be at least 1, got 0 (line 7)",
            ],
            ex.Errors);
        Assert.Equal(string.Join('\n', ex.Errors), ex.Message);
    }

    [Fact]
    public void Syntax_error_gives_line_and_column()
    {
        var ex = Fails("[cluster]\nnodes = 5\n[raft\nrpc_timeout_ms = 100\n");

        Assert.StartsWith("raft.toml: syntax error: ", ex.Errors[0]);
        Assert.EndsWith("(line 3, column 6)", ex.Errors[0]);
    }

    [Fact]
    public void Missing_value_is_a_syntax_error()
    {
        var ex = Fails("[cluster]\nnodes =\n");

        var error = Assert.Single(ex.Errors);
        Assert.StartsWith("raft.toml: syntax error: ", error);
        Assert.EndsWith("(line 2, column 8)", error);
    }

    [Fact]
    public void Key_defined_twice_is_an_error_not_last_one_wins()
    {
        var ex = Fails("[cluster]\nnodes = 3\nnodes = 5\n");

        var error = Assert.Single(ex.Errors);
        Assert.StartsWith("raft.toml: syntax error: The key `cluster.nodes` is already defined", error);
        Assert.EndsWith("(line 3, column 1)", error);
    }

    [Fact]
    public void Errors_name_the_source_they_were_given()
    {
        var ex = Fails("[cluster]\nnodes = 0\n", "/etc/raft/custom.toml");

        Assert.Equal("/etc/raft/custom.toml", ex.SourceName);
        Assert.StartsWith("/etc/raft/custom.toml: cluster.nodes: ", Assert.Single(ex.Errors));
    }

    [Fact]
    public void Missing_file_names_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-dir-{Guid.NewGuid():N}", "raft.toml");

        var ex = Assert.Throws<RaftConfigException>(() => RaftConfigLoader.Load(path));

        Assert.Equal(path, ex.SourceName);
        Assert.Equal($"{path}: configuration file not found (looked for {path})", Assert.Single(ex.Errors));
    }

    [Fact]
    public void Errors_from_a_file_on_disk_name_that_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"raft-{Guid.NewGuid():N}.toml");
        File.WriteAllText(path, "[gateway]\nmax_value_bytes = -1\n");
        try
        {
            var ex = Assert.Throws<RaftConfigException>(() => RaftConfigLoader.Load(path));

            Assert.Equal($"{path}: gateway.max_value_bytes: must be at least 1, got -1 (line 2)", Assert.Single(ex.Errors));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_directory_is_not_a_configuration_file()
    {
        var ex = Assert.Throws<RaftConfigException>(() => RaftConfigLoader.Load(Path.GetTempPath()));

        Assert.EndsWith("is a directory, expected a TOML configuration file", Assert.Single(ex.Errors));
    }
}
