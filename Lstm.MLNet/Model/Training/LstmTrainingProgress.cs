namespace Lstm.MLNet;

/// <summary>
/// One finished training epoch, as reported through <c>LstmOptions.Progress</c>, ML.NET's log, and the
/// trained model's training history.
/// </summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="MaxEpochs">The configured maximum.</param>
/// <param name="TrainLoss">Mean training loss over the epoch's batches (with dropout active).</param>
/// <param name="ValidationLoss">Mean loss on the validation sequences, or null without validation data.</param>
/// <param name="ValidationAccuracy">The validation metric's mean: for classifiers, the fraction predicted correctly; null without validation data.</param>
/// <param name="SequencesPerSecond">Training throughput of the epoch (validation excluded).</param>
/// <param name="Elapsed">Time since training started, validation included.</param>
/// <param name="IsBest">True when this epoch has the lowest monitored loss so far (validation loss, or training loss without validation data): its weights are the ones kept.</param>
public sealed record LstmTrainingProgress(int Epoch, int MaxEpochs, double TrainLoss, double? ValidationLoss,
    double? ValidationAccuracy, double SequencesPerSecond, TimeSpan Elapsed, bool IsBest)
{
    /// <summary>Training sequences in the epoch.</summary>
    public int TrainingSequences { get; init; }
    /// <summary>Validation sequences evaluated after the epoch (0 without validation data).</summary>
    public int ValidationSequences { get; init; }

    /// <summary>One line: epoch, losses, accuracy, speed.</summary>
    public override string ToString() =>
        $"epoch {Epoch}/{MaxEpochs}: train loss {TrainLoss:F4}"
        + (ValidationLoss is double vl ? $", validation loss {vl:F4}" : "")
        + (ValidationAccuracy is double va ? $", validation accuracy {va:P2}" : "")
        + $", {SequencesPerSecond:F0} sequences/s, {Elapsed.TotalSeconds:F1}s" + (IsBest ? " (best)" : "");
}
