using Spectre.Console;

namespace Lstm.MLNet.Samples.Common;

/// <summary>
/// Training with a Spectre.Console progress bar driven by the trainer's per-epoch reports (epoch, losses, validation
/// accuracy, speed; the best epoch so far starred). In a terminal the bar redraws in place; when the output is
/// redirected (logs, CI) each epoch is one line. Reports arrive on the training thread.
/// </summary>
public static class TrainingProgress
{
    /// <summary>Runs <paramref name="train"/> with a progress reporter to hand to the options; returns its result and every report, in order.</summary>
    public static (T Result, IReadOnlyList<LstmTrainingProgress> History) Run<T>(string label, Func<IProgress<LstmTrainingProgress>, T> train)
    {
        var history = new List<LstmTrainingProgress>();
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            return (train(new Reporter(history, report => AnsiConsole.MarkupLine($"{Markup.Escape(label)} {Describe(report)}"))), history);

        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 16 }, new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(label), autoStart: true);
                result = train(new Reporter(history, report =>
                {
                    task.MaxValue = report.MaxEpochs;
                    task.Value = report.Epoch;
                    task.Description = $"{Markup.Escape(label)} {Describe(report, compact: true)}";
                }));
                task.Value = task.MaxValue;  // early stopping ends before the last epoch: the training itself is complete
            });
        return (result, history);
    }

    /// <summary>One epoch's report; <paramref name="compact"/> (beside a bar, in an 80-column terminal): without the speed.</summary>
    private static string Describe(LstmTrainingProgress p, bool compact = false) =>
        $"epoch {p.Epoch,2}/{p.MaxEpochs} loss {p.TrainLoss:F4}" +
        (p.ValidationLoss is double vl ? $" val {vl:F4}" : "") +
        (p.ValidationAccuracy is double va ? $" acc {va:P1}" : "") +
        (compact ? "" : $" {p.SequencesPerSecond:F0} seq/s") + (p.IsBest ? " [yellow]*[/]" : "");

    private sealed class Reporter(List<LstmTrainingProgress> history, Action<LstmTrainingProgress> show) : IProgress<LstmTrainingProgress>
    {
        public void Report(LstmTrainingProgress value)
        {
            history.Add(value);
            show(value);
        }
    }
}
