namespace Lstm.MLNet.Model.Training;

/// <summary>How <see cref="SequenceTrainer"/> runs epochs (the network's own hyperparameters live in its options).</summary>
internal sealed record SequenceTrainingOptions
{
    /// <summary>Sequences per optimizer step.</summary>
    public int BatchSize { get; init; } = 32;
    /// <summary>Upper bound on passes over the training data.</summary>
    public int MaxEpochs { get; init; } = 10;
    /// <summary>Stop after this many epochs without a lower monitored loss (validation loss, or training loss without validation data); 0 = never stop early. The best epoch's weights are restored either way.</summary>
    public int EarlyStoppingPatience { get; init; } = 3;
    /// <summary>Seeds the epoch shuffles: equal seeds and data give the same batches.</summary>
    public int Seed { get; init; }
    /// <summary>
    /// Length bucketing: each epoch's shuffled order is cut into chunks of this many batches, each chunk is
    /// sorted by length and cut into batches, and the batches are shuffled. Batches then hold sequences of
    /// similar length (little wasted work at the ragged end) while every epoch still mixes the data.
    /// 1 turns bucketing off.
    /// </summary>
    public int BucketBatches { get; init; } = 50;
    /// <summary>How the network's learning rate changes during training (<see cref="LearningRateScheduler"/>).</summary>
    public LstmLearningRateSchedule LearningRateSchedule { get; init; }
    /// <summary>With validation data, the weights of this many lowest-validation-loss epochs are averaged, and the average kept when it validates better than the best epoch; 1 = off.</summary>
    public int AverageBestEpochs { get; init; } = 1;
    /// <summary>The most epochs <see cref="AverageBestEpochs"/> may average: each is a copy of every weight, held until training ends.</summary>
    public const int MaxAveragedEpochs = 10;

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "Must be at least 1.");
        if (MaxEpochs < 1) throw new ArgumentOutOfRangeException(nameof(MaxEpochs), MaxEpochs, "Must be at least 1.");
        if (EarlyStoppingPatience < 0) throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "Must be 0 (no early stopping) or positive.");
        if (BucketBatches < 1) throw new ArgumentOutOfRangeException(nameof(BucketBatches), BucketBatches, "Must be at least 1.");
        if (AverageBestEpochs is < 1 or > MaxAveragedEpochs)
            throw new ArgumentOutOfRangeException(nameof(AverageBestEpochs), AverageBestEpochs, $"Must be in [1, {MaxAveragedEpochs}] (1: the best epoch alone).");
        if (!Enum.IsDefined(LearningRateSchedule)) throw new ArgumentOutOfRangeException(nameof(LearningRateSchedule), LearningRateSchedule, "Unknown learning-rate schedule.");
    }
}

/// <summary>What a <see cref="SequenceTrainer"/> run did.</summary>
/// <param name="History">One entry per finished epoch.</param>
/// <param name="BestEpoch">The epoch whose weights the network holds now (0 when training was cancelled before the first epoch finished: the network then holds the weights of the last step taken).</param>
/// <param name="StoppedEarly">True when early stopping ended training before MaxEpochs.</param>
/// <param name="Cancelled">True when the cancellation token ended training.</param>
internal sealed record SequenceTrainingResult(IReadOnlyList<LstmTrainingProgress> History, int BestEpoch, bool StoppedEarly, bool Cancelled)
{
    /// <summary>The epochs whose average the network holds, when <see cref="SequenceTrainingOptions.AverageBestEpochs"/> kept one (else empty: it holds <see cref="BestEpoch"/>'s weights).</summary>
    public IReadOnlyList<int> AveragedEpochs { get; init; } = [];

    /// <summary>Which weights the network kept, for the log: "Kept the weights of epoch 4 of 7 (stopped early)."</summary>
    public string Outcome =>
        (AveragedEpochs.Count > 0 ? $"Kept the average of the weights of epochs {string.Join(", ", AveragedEpochs)} of {History.Count}" : $"Kept the weights of epoch {BestEpoch} of {History.Count}") +
        (StoppedEarly ? " (stopped early)" : "") + (Cancelled ? " (cancelled)" : "") + ".";
}
