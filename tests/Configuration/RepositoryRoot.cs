namespace RaftOrleans.Tests.Configuration;

/// <summary>Finds the repository root (the folder holding RaftOrleans.sln) by walking up from the test binaries.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "RaftOrleans.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"RaftOrleans.sln not found above {AppContext.BaseDirectory}");
    }
}
