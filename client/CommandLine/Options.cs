using System.CommandLine;
using System.Globalization;
using RaftOrleans.Raft;

namespace RaftOrleans.Client.CommandLine;

/// <summary>
/// Options and arguments of the console built one way (System.CommandLine), so that every mistake reads the same:
/// one line naming the option and what it takes.
/// </summary>
internal static class Options
{
    /// <summary>An integer option of at least <paramref name="min"/>, with <paramref name="fallback"/> when absent (null: none).</summary>
    public static Option<int?> Int(string name, int min, int? fallback, string description, string helpName = "N") => new(name)
    {
        Description = description,
        HelpName = helpName,
        DefaultValueFactory = _ => fallback,
        CustomParser = result => ParseInt(result.Tokens[0].Value, min, name, result.AddError),
    };

    public static Option<string?> Text(string name, string description, string helpName) => new(name) { Description = description, HelpName = helpName };

    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    /// <summary>A node id: 1..<see cref="ClusterConfig.MaxNodeId"/> (whether the cluster has it is for the cluster to say).</summary>
    public static Argument<int> Node(string description) => new("NODE")
    {
        Description = description,
        CustomParser = result => ParseNode(result.Tokens[0].Value, result.AddError) ?? 0,
    };

    public static Option<int?> NodeOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "NODE",
        CustomParser = result => ParseNode(result.Tokens[0].Value, result.AddError),
    };

    private static int? ParseNode(string text, Action<string> error)
    {
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) && id >= 1 && id <= ClusterConfig.MaxNodeId) return id;
        error($"NODE must be a node id from 1 to {ClusterConfig.MaxNodeId}, got '{text}'");
        return null;
    }

    private static int? ParseInt(string text, int min, string name, Action<string> error)
    {
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min) return value;
        error($"{name} must be an integer of at least {min}, got '{text}'");
        return null;
    }
}
