using System.Globalization;
using Tomlyn;
using Tomlyn.Model;

namespace RaftOrleans.Configuration;

/// <summary>Describes a parsed TOML value for error messages: <c>string "five"</c>, <c>float 1.5</c>, <c>table</c>.</summary>
internal static class TomlValueText
{
    private const int MaxShownStringLength = 40;

    public static string Describe(object? value) => value switch
    {
        null => "nothing",
        string s => $"string \"{Shorten(s)}\"",
        long n => $"integer {n.ToString(CultureInfo.InvariantCulture)}",
        double d => $"float {d.ToString(CultureInfo.InvariantCulture)}",
        bool b => b ? "boolean true" : "boolean false",
        TomlDateTime dt => $"date-time {dt}",
        TomlArray => "an array",
        TomlTableArray => "an array of tables",
        TomlTable => "a table",
        _ => $"a {value.GetType().Name}",
    };

    private static string Shorten(string s) =>
        s.Length <= MaxShownStringLength ? s : string.Concat(s.AsSpan(0, MaxShownStringLength), "...");
}
