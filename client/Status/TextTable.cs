using Spectre.Console;
using Spectre.Console.Rendering;

namespace RaftOrleans.Client.Status;

/// <summary>
/// A table of the console's output (status, member list), drawn by Spectre.Console: text left-aligned, columns of
/// numbers right-aligned so that digits line up. To a terminal at its width, with colour where it has any; to a file
/// or pipe plain and wide enough that no row wraps, so scripts and logs read one row per line.
/// </summary>
internal sealed class TextTable
{
    /// <summary>The width used when the output is not a terminal: wide enough for every table of ours.</summary>
    private const int RedirectedWidth = 240;

    private readonly string[] _headers;
    private readonly List<string[]> _rows = [];

    public TextTable(params string[] headers) => _headers = headers;

    public void Add(params object?[] cells)
    {
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"expected {_headers.Length} cells, got {cells.Length}", nameof(cells));
        }
        _rows.Add(cells.Select(cell => cell?.ToString() ?? "-").ToArray());
    }

    public void WriteTo(TextWriter output, string indent = "")
    {
        var table = new Table().Border(TableBorder.Rounded);
        for (var column = 0; column < _headers.Length; column++)
        {
            var numeric = _rows.Count > 0 && _rows.All(row => IsNumberLike(row[column]));
            var header = new TableColumn(Markup.Escape(_headers[column]));
            table.AddColumn(numeric ? header.RightAligned() : header);
        }
        foreach (var row in _rows) table.AddRow(row.Select(cell => new Text(cell)).ToArray<IRenderable>());
        Write(output, indent.Length == 0 ? table : new Padder(table, new Padding(indent.Length, 0, 0, 0)));
    }

    /// <summary>Renders to <paramref name="output"/>: the terminal's width and colours, or plain and wide when redirected.</summary>
    private static void Write(TextWriter output, IRenderable renderable)
    {
        var terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = terminal ? Math.Max(Console.WindowWidth, 80) : RedirectedWidth;
        console.Write(renderable);
    }

    /// <summary>"-" for none, or a number, a time or a list of numbers, possibly with a unit: "12 ms ago", "1, 4, 5".</summary>
    private static bool IsNumberLike(string cell)
    {
        var first = cell.Split(' ')[0];
        return cell == "-" || (first.Length > 0 && char.IsAsciiDigit(first[0]) && first.All(c => char.IsAsciiDigit(c) || c is '.' or ',' or ':'));
    }
}
