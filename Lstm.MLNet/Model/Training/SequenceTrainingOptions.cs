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

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "Must be at least 1.");
        if (MaxEpochs < 1) throw new ArgumentOutOfRangeException(nameof(MaxEpochs), MaxEpochs, "Must be at least 1.");
        if (EarlyStoppingPatience < 0) throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "Must be 0 (no early stopping) or positive.");
        if (BucketBatches < 1) throw new ArgumentOutOfRangeException(nameof(BucketBatches), BucketBatches, "Must be at least 1.");
        if (!Enum.IsDefined(LearningRateSchedule)) throw new ArgumentOutOfRangeException(nameof(LearningRateSchedule), LearningRateSchedule, "Unknown learning-rate schedule.");
    }
}

/// <summary>What a <see cref="SequenceTrainer"/> run did.</summary>
/// <param name="History">One entry per finished epoch.</param>
/// <param name="BestEpoch">The epoch whose weights the network holds now (0 when training was cancelled before the first epoch finished: the network then holds the weights of the last step taken).</param>
/// <param name="StoppedEarly">True when early stopping ended training before MaxEpochs.</param>
/// <param name="Cancelled">True when the cancellation token ended training.</param>
internal sealed record SequenceTrainingResult(IReadOnlyList<LstmTrainingProgress> History, int BestEpoch, bool StoppedEarly, bool Cancelled);
