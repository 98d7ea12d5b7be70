using Microsoft.ML;
using Spectre.Console;

namespace Lstm.MLNet.Samples.Consumption;

/// <summary>
/// The <c>--explain</c> flag of the commands that predict: after each prediction, the text again with every word
/// coloured by its contribution (<see cref="LstmTextClassificationTransformer.Explain"/>: integrated gradients), green
/// towards the explained class, red against it, stronger for larger contributions, then the contributions as numbers.
/// </summary>
public static class ExplainOption
{
    public const string Flag = "--explain";
    public const string Usage = "colour each word of a prediction by its contribution (integrated gradients)";

    // Each side keeps its hue from weak to strong, so 256- and 16-colour terminals still tell green from red.
    private static readonly Color WeakTowards = new(20, 72, 36), Towards = new(0, 175, 70), WeakAgainst = new(88, 24, 24), Against = new(215, 35, 35);
    private const int StrongestShown = 10;

    /// <summary>True when the command was given <see cref="Flag"/> (declared on the commands in <c>SampleCommands</c>).</summary>
    public static bool IsRequested(Common.SampleArguments arguments) => arguments.Named.ContainsKey(Flag);

    /// <summary>The text classifier of a loaded model (itself, or the last one in its chain).</summary>
    public static LstmTextClassificationTransformer ClassifierOf(ITransformer model) =>
        model as LstmTextClassificationTransformer
        ?? (model as IEnumerable<ITransformer>)?.OfType<LstmTextClassificationTransformer>().LastOrDefault()
        ?? throw new InvalidDataException($"{Flag} explains an LSTM text classifier; the model holds none ({model.GetType().Name}).");

    /// <summary>
    /// Explains <paramref name="text"/> with <paramref name="classifier"/> and writes it to the console.
    /// <paramref name="labelNames"/>: display names of the classes in score order (binary: false, true), or null for the model's.
    /// </summary>
    public static void Write(LstmTextClassificationTransformer classifier, string text, IReadOnlyList<string>? labelNames = null)
    {
        var explanation = classifier.Explain(text);
        string className = labelNames is { } names && names.Count == classifier.NumberOfClasses ? names[explanation.ClassIndex] : explanation.ClassName;
        if (explanation.Tokens.Count == 0)
        {
            AnsiConsole.MarkupLine($"    [grey]no words to explain: the model read padding (score {explanation.InputScore:F3} for {Markup.Escape(className)})[/]");
            return;
        }

        float strongest = explanation.Tokens.Max(t => Math.Abs(t.Attribution));
        var coloured = new Paragraph("    ");
        int written = 0;
        foreach (var token in explanation.Tokens)
        {
            if (token.Offset > written) coloured.Append(text[written..token.Offset]);
            coloured.Append(token.Text, StyleOf(token.Attribution, strongest));
            written = token.Offset + token.Text.Length;
        }
        if (written < text.Length) coloured.Append(text[written..], new Style(foreground: Color.Grey));
        AnsiConsole.Write(coloured);
        AnsiConsole.WriteLine();

        AnsiConsole.MarkupLine($"    [grey]{explanation.InputScore:F3} ({Markup.Escape(className)}) = baseline {explanation.BaselineScore:F3} " +
                               $"+ Σ words {explanation.Tokens.Sum(t => t.Attribution):F3}, gap {explanation.ConvergenceDelta:F4}[/]");
        var table = new Table().Border(TableBorder.Rounded).AddColumn("word").AddColumn(new TableColumn("contribution").RightAligned());
        foreach (var token in explanation.Tokens.OrderByDescending(t => Math.Abs(t.Attribution)).Take(StrongestShown))
            table.AddRow(new Spectre.Console.Text(token.Text + (token.InVocabulary ? "" : " (unknown)")), new Spectre.Console.Text($"{token.Attribution:+0.000;-0.000}", StyleOf(token.Attribution, strongest)));
        AnsiConsole.Write(new Padder(table).Padding(4, 0, 0, 0));
    }

    /// <summary>White on a background from dark to bright green (towards the class) or red (against), by |a| / the strongest |a|.</summary>
    private static Style StyleOf(float attribution, float strongest)
    {
        float strength = strongest > 0 ? Math.Abs(attribution) / strongest : 0;
        var background = attribution >= 0 ? WeakTowards.Blend(Towards, strength) : WeakAgainst.Blend(Against, strength);
        return new Style(foreground: Color.White, background: background, decoration: strength > 0.5f ? Decoration.Bold : Decoration.None);
    }
}
