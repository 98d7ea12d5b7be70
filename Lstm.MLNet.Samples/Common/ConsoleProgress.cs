using System.Diagnostics;

namespace Lstm.MLNet.Samples.Common;

/// <summary>
/// A training progress bar driven by the trainer's per-epoch reports: redraws one line in a terminal, prints one
/// line per epoch when the output is redirected (logs, CI). Reports arrive on the training thread.
/// </summary>
public sealed class ConsoleProgress : IProgress<LstmTrainingProgress>
{
    private const int BarWidth = 24;
    private readonly TextWriter _out;
    private readonly bool _interactive;
    private readonly string _label;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public ConsoleProgress(string label, TextWriter? output = null)
    {
        _label = label;
        _out = output ?? Console.Out;
        _interactive = output is null && !Console.IsOutputRedirected;
    }

    /// <summary>Every report received, in order: the training curves.</summary>
    public List<LstmTrainingProgress> History { get; } = [];

    public void Report(LstmTrainingProgress value)
    {
        History.Add(value);
        int filled = (int)Math.Round(BarWidth * (double)value.Epoch / value.MaxEpochs);
        string bar = new string('█', filled) + new string('░', BarWidth - filled);
        string text = $"{_label} {bar} epoch {value.Epoch,2}/{value.MaxEpochs} | loss {value.TrainLoss:F4}" +
            (value.ValidationLoss is double vl ? $" | val loss {vl:F4}" : "") +
            (value.ValidationAccuracy is double va ? $" | val acc {va:P1}" : "") +
            $" | {value.SequencesPerSecond,6:F0} seq/s | {_clock.Elapsed.TotalSeconds,5:F1}s" + (value.IsBest ? " *" : "  ");
        if (_interactive) _out.Write("\r" + text + (value.Epoch == value.MaxEpochs ? Environment.NewLine : ""));
        else _out.WriteLine(text);
    }

    /// <summary>Ends the bar's line when training stopped before the last epoch (early stopping).</summary>
    public void Finish()
    {
        if (_interactive && History.Count > 0 && History[^1].Epoch != History[^1].MaxEpochs) _out.WriteLine();
    }
}
