namespace RaftOrleans.Client.Bench;

/// <summary>
/// A status line that a terminal shows in place (rewritten after a carriage return) and a file or pipe
/// receives as plain lines, so a log holds no carriage returns.
/// </summary>
internal sealed class ProgressLine(TextWriter output, bool inPlace)
{
    private int _shownLength;

    /// <summary>A terminal: lines are rewritten in place (and the bench's progress is a live bar, see BenchProgress).</summary>
    public bool InPlace => inPlace;

    public TextWriter Output => output;

    public void Show(string text)
    {
        if (!inPlace)
        {
            output.WriteLine(text);
            return;
        }
        // Pad over what a longer previous line left behind.
        output.Write("\r" + text.PadRight(_shownLength));
        output.Flush();
        _shownLength = text.Length;
    }

    /// <summary>Ends the line in place, so what follows starts on a line of its own.</summary>
    public void Finish()
    {
        if (inPlace && _shownLength > 0)
        {
            output.WriteLine();
            _shownLength = 0;
        }
    }
}
