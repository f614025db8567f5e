using RaftOrleans.KeyValue.Sessions;
using RaftOrleans.Client;
using RaftOrleans.Client.CommandLine;
using RaftOrleans.Client.Commands;
using RaftOrleans.Client.Connection;
using RaftOrleans;
using RaftOrleans.Configuration;

// The client console: check the command line and raft.toml, connect to the local silo, run one command.
// Every way it can end is an exit code and a sentence, never a stack trace (see ExitCodes).
IClientCommand command;
RaftConfig config;
string? group;
try
{
    var invocation = ClientCommandLine.Parse(args);
    if (invocation.Make is null) return ExitCodes.Ok; // help, printed
    config = RaftConfigLoader.Load(invocation.ConfigPath);
    if (ClientCommandLine.GroupProblem(invocation.Group, config) is { } problem) throw new UsageException(problem);
    group = invocation.Group;
    command = invocation.Make(config);
}
catch (UsageException error)
{
    Console.Error.WriteLine($"client: {error.Message}");
    return ExitCodes.Usage;
}
catch (RaftConfigException error)
{
    Console.Error.WriteLine(error.Message);
    return ExitCodes.Usage;
}

try
{
    await using var connection = await ClusterConnection.OpenAsync(config);
    return await command.RunAsync(new CommandContext(config, connection.Client, Console.Out, Console.Error, group));
}
catch (RaftConfigException error)
{
    Console.Error.WriteLine(error.Message); // a [tls] file missing or not what it should be
    return ExitCodes.Usage;
}
catch (CallRefusedException error)
{
    Console.Error.WriteLine($"refused by the silo: {error.Message}");
    return ExitCodes.Forbidden;
}
catch (SiloUnreachableException error)
{
    Console.Error.WriteLine(error.Message);
    return ExitCodes.Unavailable;
}
catch (Exception error) when (ConnectionErrors.IsLostConnection(error))
{
    Console.Error.WriteLine($"lost the connection to the silo at 127.0.0.1:{config.Silo.GatewayPort} ({error.Message})");
    return ExitCodes.Unavailable;
}
