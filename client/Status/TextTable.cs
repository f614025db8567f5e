using System.Text;

namespace RaftOrleans.Client.Status;

/// <summary>
/// Plain-text columns, each as wide as its widest cell; text left-aligned, columns of numbers
/// right-aligned so that digits line up. Enough for a terminal, and no package to depend on.
/// </summary>
internal sealed class TextTable
{
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
        var widths = _headers.Select((header, column) =>
            _rows.Select(row => row[column].Length).Append(header.Length).Max()).ToArray();
        var numeric = _headers.Select((_, column) =>
            _rows.Count > 0 && _rows.All(row => IsNumberLike(row[column]))).ToArray();

        output.WriteLine(indent + Line(_headers, widths, numeric));
        foreach (var row in _rows)
        {
            output.WriteLine(indent + Line(row, widths, numeric));
        }
    }

    private static string Line(string[] cells, int[] widths, bool[] numeric)
    {
        var line = new StringBuilder();
        for (var column = 0; column < cells.Length; column++)
        {
            if (column > 0)
            {
                line.Append("  ");
            }
            line.Append(numeric[column] ? cells[column].PadLeft(widths[column]) : cells[column].PadRight(widths[column]));
        }
        return line.ToString().TrimEnd();
    }

    /// <summary>"-" for none, or a number, a time or a list of numbers, possibly with a unit: "12 ms ago", "1, 4, 5".</summary>
    private static bool IsNumberLike(string cell)
    {
        var first = cell.Split(' ')[0];
        return cell == "-" || (first.Length > 0 && char.IsAsciiDigit(first[0]) && first.All(c => char.IsAsciiDigit(c) || c is '.' or ',' or ':'));
    }
}
