namespace Lstm.MLNet.Model.Training;

/// <summary>
/// What <see cref="SequenceTrainer"/> needs from a network: train on a batch, evaluate a batch, and save or
/// restore its weights (early stopping keeps the best epoch). The classifier implements it over token
/// sequences and class labels; a regressor implements it over its own sequence and target types, and the
/// same training loop (shuffling, length buckets, validation, early stopping, progress, cancellation) serves both.
/// </summary>
/// <typeparam name="TSequence">One input sequence (e.g. <c>int[]</c> token ids).</typeparam>
/// <typeparam name="TTarget">One target (e.g. a class index).</typeparam>
internal interface ISequenceTrainable<TSequence, TTarget>
{
    /// <summary>The number of steps of <paramref name="sequence"/>: batches group sequences of similar length.</summary>
    int LengthOf(TSequence sequence);

    /// <summary>One optimizer step on the batch; returns its mean loss.</summary>
    float TrainBatch(ReadOnlySpan<TSequence> sequences, ReadOnlySpan<TTarget> targets);

    /// <summary>Inference on a batch with known targets: summed loss and summed metric (e.g. the number correct).</summary>
    SequenceEvaluation Evaluate(ReadOnlySpan<TSequence> sequences, ReadOnlySpan<TTarget> targets);

    /// <summary>A copy of every trainable tensor.</summary>
    float[][] CaptureParameters();

    /// <summary>Puts back a <see cref="CaptureParameters"/> copy.</summary>
    void RestoreParameters(IReadOnlyList<float[]> snapshot);
}

/// <summary>Sums over evaluated sequences: the loss, and the metric (for a classifier, the number of correct predictions; NaN for none, e.g. a regressor).</summary>
internal readonly record struct SequenceEvaluation(double LossSum, double MetricSum);
