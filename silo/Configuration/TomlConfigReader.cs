using Tomlyn.Model;
using Tomlyn.Serialization;

namespace RaftOrleans.Configuration;

/// <summary>
/// Walks a parsed file (the <see cref="TomlTable"/> model plus Tomlyn's per-key source spans) section by
/// section, collecting every problem: wrong types, sections that are not tables, unknown sections and keys
/// (with a "did you mean" hint when a known name is close).
/// </summary>
internal sealed class TomlConfigReader
{
    private readonly TomlTable _root;
    private readonly ITomlMetadataStore _metadata;
    private readonly List<TomlSectionReader> _sections = [];
    private readonly List<(ConfigProblem Problem, int? Line)> _problems = [];
    private readonly HashSet<string> _invalidKeys = new(StringComparer.Ordinal);

    public TomlConfigReader(TomlTable root, ITomlMetadataStore metadata)
    {
        _root = root;
        _metadata = metadata;
    }

    /// <summary>Problems found while reading, each with its 1-based line when known.</summary>
    public IReadOnlyList<(ConfigProblem Problem, int? Line)> Problems => _problems;

    /// <summary>Keys whose value could not be read (a default stands in for them).</summary>
    public IReadOnlySet<string> InvalidKeys => _invalidKeys;

    /// <summary>A reader for section <paramref name="name"/>; an absent section reads as empty.</summary>
    public TomlSectionReader Section(string name)
    {
        TomlTable? table = null;
        if (_root.TryGetValue(name, out var value))
        {
            if (value is TomlTable section)
            {
                table = section;
            }
            else
            {
                Fail(name, $"expected a table (a [{name}] section), got {TomlValueText.Describe(value)}");
            }
        }
        var reader = new TomlSectionReader(this, name, table);
        _sections.Add(reader);
        return reader;
    }

    /// <summary>Reports every top-level name and every section key that no reader asked for. Call after reading.</summary>
    public void ReportUnknown()
    {
        var sectionNames = _sections.Select(section => section.Name).ToArray();
        foreach (var (name, value) in _root)
        {
            if (sectionNames.Contains(name, StringComparer.Ordinal))
            {
                continue;
            }
            var line = LineOf(_root, name);
            if (value is TomlTable)
            {
                var hint = KeySuggestion.Closest(name, sectionNames) is { } near ? $" (did you mean '[{near}]'?)" : "";
                Add(new ConfigProblem(name, $"unknown section '[{name}]'{hint}; known sections: {string.Join(", ", sectionNames.Select(s => $"[{s}]"))}"), line);
            }
            else
            {
                var hint = SuggestAnywhere(name) is { } near
                    ? $" (did you mean '{near}'? keys belong in a section)"
                    : "; keys belong in a section such as [cluster]";
                Add(new ConfigProblem(name, $"unknown key '{name}'{hint}"), line);
            }
        }
        foreach (var section in _sections)
        {
            foreach (var key in section.UnknownKeys)
            {
                var fullKey = $"{section.Name}.{key}";
                var near = KeySuggestion.Closest(key, section.KnownKeys) is { } sameSection
                    ? $"{section.Name}.{sameSection}"
                    : SuggestAnywhere(key);
                var hint = near is null ? "" : $" (did you mean '{near}'?)";
                Add(new ConfigProblem(fullKey, $"unknown key '{fullKey}'{hint}"), section.LineOf(key));
            }
        }
    }

    /// <summary>Records that <paramref name="key"/> (a full dotted key) has an unusable value.</summary>
    public void Fail(string key, string reason)
    {
        _invalidKeys.Add(key);
        Add(ConfigProblem.Invalid(key, reason), LineOfPath(key));
    }

    /// <summary>The 1-based line of a full dotted key such as <c>raft.rpc_timeout_ms</c> or <c>raft</c>, if present.</summary>
    public int? LineOfPath(string dottedKey)
    {
        var parts = dottedKey.Split('.');
        var table = _root;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (!table.TryGetValue(parts[i], out var inner) || inner is not TomlTable innerTable)
            {
                return null;
            }
            table = innerTable;
        }
        return LineOf(table, parts[^1]);
    }

    /// <summary>The 1-based line where <paramref name="key"/> of <paramref name="table"/> was written, if known.</summary>
    public int? LineOf(TomlTable table, string key)
    {
        if (_metadata.TryGetProperties(table, out var properties)
            && properties is not null
            && properties.TryGetProperty(key, out var property)
            && property is not null)
        {
            return property.Span.Start.Line + 1;
        }
        return null;
    }

    private void Add(ConfigProblem problem, int? line) => _problems.Add((problem, line));

    /// <summary>A known <c>section.key</c> whose key part is close to <paramref name="key"/>.</summary>
    private string? SuggestAnywhere(string key)
    {
        var all = _sections.SelectMany(section => section.KnownKeys.Select(known => (Section: section.Name, Key: known))).ToArray();
        var near = KeySuggestion.Closest(key, all.Select(entry => entry.Key));
        return near is null ? null : all.Where(entry => entry.Key == near).Select(entry => $"{entry.Section}.{entry.Key}").First();
    }
}
