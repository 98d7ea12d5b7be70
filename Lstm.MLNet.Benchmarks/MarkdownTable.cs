using System.Text;

namespace Lstm.MLNet.Benchmarks;

/// <summary>
/// A Markdown table printed with padded columns, so it reads well in a terminal and pastes into a
/// README as is. Numeric columns (all but the first <c>textColumns</c>) are right-aligned.
/// </summary>
internal sealed class MarkdownTable(int textColumns, params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Length)
            throw new ArgumentException($"A row needs {headers.Length} cells; got {cells.Length}.");
        _rows.Add(cells);
    }

    public void Print(TextWriter writer)
    {
        var widths = headers.Select((h, c) => _rows.Select(r => r[c].Length).Append(h.Length).Append(3).Max()).ToArray();
        var line = new StringBuilder();
        void Write(IReadOnlyList<string> cells, Func<int, string, string> format)
        {
            line.Clear().Append('|');
            for (int c = 0; c < cells.Count; c++) line.Append(' ').Append(format(c, cells[c])).Append(" |");
            writer.WriteLine(line.ToString());
        }
        Write(headers, (c, h) => c < textColumns ? h.PadRight(widths[c]) : h.PadLeft(widths[c]));
        Write(headers, (c, _) => c < textColumns ? new string('-', widths[c]) : new string('-', widths[c] - 1) + ":");
        foreach (var row in _rows)
            Write(row, (c, v) => c < textColumns ? v.PadRight(widths[c]) : v.PadLeft(widths[c]));
        writer.WriteLine();
    }

    // ---- number formats shared by every section

    /// <summary>Throughput with three significant digits (1234, 123, 12.3, 1.23).</summary>
    public static string Rate(double value) => value switch
    {
        >= 1000 => value.ToString("N0"),
        >= 100 => value.ToString("F0"),
        >= 10 => value.ToString("F1"),
        _ => value.ToString("F2"),
    };

    /// <summary>GFLOP/s with its fraction of a peak: "152 (69%)".</summary>
    public static string RateOfPeak(double gflops, double peak) =>
        peak > 0 ? $"{Rate(gflops)} ({Percent(gflops / peak)})" : Rate(gflops);

    public static string Percent(double fraction) => $"{fraction * 100:F0}%";

    public static string Ratio(double value) => $"{value:F2}×";
}
