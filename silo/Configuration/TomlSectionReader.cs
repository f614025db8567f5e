using Tomlyn.Model;

namespace RaftOrleans.Configuration;

/// <summary>
/// Reads typed values from one section (<c>[raft]</c>) of a parsed file. A missing key yields the fallback;
/// a value of the wrong type is reported to the owning <see cref="TomlConfigReader"/> and also yields the
/// fallback, so that reading goes on and every problem of the file is reported at once. Remembers which
/// keys were asked for, so that the rest can be reported as unknown.
/// </summary>
internal sealed class TomlSectionReader
{
    private readonly TomlConfigReader _owner;
    private readonly TomlTable? _table;
    private readonly HashSet<string> _knownKeys = new(StringComparer.Ordinal);

    public TomlSectionReader(TomlConfigReader owner, string name, TomlTable? table)
    {
        _owner = owner;
        _table = table;
        Name = name;
    }

    /// <summary>The section name, e.g. <c>raft</c>.</summary>
    public string Name { get; }

    /// <summary>The keys this section defines (those asked for so far).</summary>
    public IReadOnlyCollection<string> KnownKeys => _knownKeys;

    /// <summary>The keys present in the file that nobody asked for.</summary>
    public IEnumerable<string> UnknownKeys =>
        _table is null ? [] : _table.Keys.Where(key => !_knownKeys.Contains(key));

    /// <summary>The line of <paramref name="key"/> in this section, if known.</summary>
    public int? LineOf(string key) => _table is null ? null : _owner.LineOf(_table, key);

    public int Int(string key, int fallback)
    {
        if (!TryGet(key, out var value))
        {
            return fallback;
        }
        if (value is not long number)
        {
            _owner.Fail(Path(key), $"expected an integer, got {TomlValueText.Describe(value)}");
            return fallback;
        }
        if (number < int.MinValue || number > int.MaxValue)
        {
            _owner.Fail(Path(key), $"must be at most {int.MaxValue}, got {number}");
            return fallback;
        }
        return (int)number;
    }

    /// <summary>A string naming a member of <typeparamref name="TEnum"/>, compared case-insensitively (numbers are not accepted).</summary>
    public TEnum EnumName<TEnum>(string key, TEnum fallback) where TEnum : struct, Enum
    {
        if (!TryGet(key, out var value))
        {
            return fallback;
        }
        var names = Enum.GetNames<TEnum>();
        if (value is not string text)
        {
            _owner.Fail(Path(key), $"expected a string (one of {string.Join(", ", names)}), got {TomlValueText.Describe(value)}");
            return fallback;
        }
        var match = names.FirstOrDefault(name => string.Equals(name, text.Trim(), StringComparison.OrdinalIgnoreCase));
        if (match is null)
        {
            _owner.Fail(Path(key), $"must be one of {string.Join(", ", names)}, got {TomlValueText.Describe(value)}");
            return fallback;
        }
        return Enum.Parse<TEnum>(match);
    }

    public bool Bool(string key, bool fallback)
    {
        if (!TryGet(key, out var value))
        {
            return fallback;
        }
        if (value is not bool flag)
        {
            _owner.Fail(Path(key), $"expected true or false, got {TomlValueText.Describe(value)}");
            return fallback;
        }
        return flag;
    }

    public string String(string key, string fallback)
    {
        if (!TryGet(key, out var value))
        {
            return fallback;
        }
        if (value is not string text)
        {
            _owner.Fail(Path(key), $"expected a string, got {TomlValueText.Describe(value)}");
            return fallback;
        }
        return text;
    }

    /// <summary>
    /// Every key of the section read as an integer, in file order: for a section whose keys are names the user
    /// chooses (<c>[groups]</c>). They all become known keys.
    /// </summary>
    public IReadOnlyList<(string Key, int Value)> AllInts()
    {
        if (_table is null) return [];
        var keys = _table.Keys.ToArray();
        var values = new List<(string, int)>();
        foreach (var key in keys)
        {
            var before = _owner.InvalidKeys.Count;
            var value = Int(key, 0);
            if (_owner.InvalidKeys.Count == before) values.Add((key, value));
        }
        return values;
    }

    private bool TryGet(string key, out object? value)
    {
        _knownKeys.Add(key);
        value = null;
        return _table is not null && _table.TryGetValue(key, out value);
    }

    private string Path(string key) => $"{Name}.{key}";
}
