using RaftOrleans.Configuration;
using Xunit;

namespace RaftOrleans.Tests.Configuration;

/// <summary>The raft.toml at the repository root is what a fresh checkout runs with.</summary>
public class ShippedConfigTests
{
    private static string ShippedPath => Path.Combine(RepositoryRoot.Path, RaftConfigLoader.DefaultFileName);

    [Fact]
    public void Shipped_file_loads_and_equals_the_built_in_defaults()
    {
        var config = RaftConfigLoader.Load(ShippedPath);

        Assert.Equal(RaftConfig.Default, config);
    }

    [Fact]
    public void Shipped_file_sets_every_key_so_that_it_documents_all_of_them()
    {
        // Removing any "key = value" line from the shipped file must still load (every key is optional),
        // and each such line must be explained by a comment above it (possibly shared with the keys in between).
        var lines = File.ReadAllLines(ShippedPath);
        var keyLines = Enumerable.Range(0, lines.Length)
            .Where(i => lines[i].Contains('=') && !lines[i].TrimStart().StartsWith('#'))
            .ToArray();

        Assert.Equal(41, keyLines.Length);
        foreach (var i in keyLines)
        {
            var above = i - 1;
            while (above >= 0 && keyLines.Contains(above))
            {
                above--;
            }
            Assert.True(above >= 0 && lines[above].TrimStart().StartsWith('#'), $"line {i + 1} '{lines[i]}' has no comment above it");
            var withoutLine = string.Join('\n', lines.Where((_, index) => index != i));
            Assert.Equal(RaftConfig.Default, RaftConfigLoader.Parse(withoutLine, "raft.toml"));
        }
    }
}
