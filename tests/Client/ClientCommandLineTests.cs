using RaftOrleans.Client.CommandLine;
using RaftOrleans.Client.Commands;
using RaftOrleans.Configuration;
using Xunit;

namespace RaftOrleans.Tests.Client;

/// <summary>The console's command line (System.CommandLine): each mistake is one line that says what and where help is.</summary>
public sealed class ClientCommandLineTests
{
    [Theory]
    [InlineData("unknown command or argument 'statu' (did you mean 'status'?); `client --help` says more", "statu")]
    [InlineData("Required argument 'VALUE' missing for command: 'put'; `client put --help` says more", "put", "k")]
    [InlineData("NODE must be a node id from 1 to 99, got '0'; `client crash --help` says more", "crash", "0")]
    [InlineData("member needs one of: list, add, promote, remove; `client member --help` says more", "member")]
    [InlineData("unknown command or argument 'ad' (did you mean 'add'?); `client member --help` says more", "member", "ad", "6")]
    [InlineData("--clients must be an integer of at least 1, got '0'; `client bench --help` says more", "bench", "--clients", "0")]
    [InlineData("unknown command or argument '--clinets' (did you mean '--clients'?); `client bench --help` says more", "bench", "--clinets", "3")]
    public void AMistakeIsOneLineSayingWhatAndWhereHelpIs(string message, params string[] args)
    {
        var error = Assert.Throws<UsageException>(() => ClientCommandLine.Parse(args));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void CommandsAreMadeFromTheirArgumentsAndTheConfiguration()
    {
        Assert.IsType<WorkloadCommand>(Make());
        Assert.IsType<MemberCommand>(Make("member", "add", "6"));
        Assert.IsType<SingleOperationCommand>(Make("put", "k", "--", "--v")); // after --, a value may start with dashes
        Assert.Equal("other.toml", ClientCommandLine.Parse(["status", "--config", "other.toml"]).ConfigPath);
        // Checked against raft.toml once it is loaded: the gateway would refuse these values.
        var tooLarge = Assert.Throws<UsageException>(() => Make("bench", "--value-size", "100000"));
        Assert.Equal("--value-size 100000 is over the gateway's max_value_bytes (65536)", tooLarge.Message);
        Assert.Null(ClientCommandLine.Parse(["member", "--help"]).Make); // help is printed, nothing runs
    }

    private static IClientCommand Make(params string[] args) => ClientCommandLine.Parse(args).Make!(RaftConfig.Default);
}
