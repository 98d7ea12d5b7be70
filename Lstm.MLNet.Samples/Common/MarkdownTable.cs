using System.Text;

namespace Lstm.MLNet.Samples.Common;

/// <summary>A Markdown table that reads well in a terminal and pastes into README.md.</summary>
public sealed class MarkdownTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public MarkdownTable Add(params string[] cells)
    {
        if (cells.Length != headers.Length) throw new ArgumentException($"{cells.Length} cells for {headers.Length} columns.");
        _rows.Add(cells);
        return this;
    }

    public override string ToString()
    {
        var widths = headers.Select((h, i) => _rows.Select(r => r[i].Length).Prepend(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        void Line(IEnumerable<string> cells) => text.AppendLine("| " + string.Join(" | ", cells) + " |");
        Line(headers.Select((h, i) => h.PadRight(widths[i])));
        Line(widths.Select((w, i) => i == 0 ? new string('-', w) : new string('-', w - 1) + ":"));
        foreach (var row in _rows) Line(row.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i])));
        return text.ToString();
    }
}
