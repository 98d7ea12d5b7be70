using System.Diagnostics;

namespace Lstm.MLNet.Model.Training;

/// <summary>
/// The training loop shared by every LSTM task: seeded epoch shuffles, batches bucketed by length,
/// validation after each epoch, early stopping that restores the best epoch's weights, progress reports,
/// and cancellation that stops cleanly with the best weights so far. Deterministic for a seed (the network
/// must be too). Task-specific work (reading data, tokenising, the loss) stays in the network and its caller.
/// </summary>
internal static class SequenceTrainer
{
    /// <summary>Sequences per evaluation call (bounds the network's inference workspaces).</summary>
    private const int EvaluationBatchSize = 256;

    /// <summary>
    /// Trains <paramref name="model"/> on the training sequences and targets. With validation data the
    /// monitored loss is the validation loss, otherwise the epoch's training loss; the network ends holding
    /// the weights of the epoch with the lowest monitored loss. <paramref name="log"/> receives one line per
    /// epoch (e.g. ML.NET's channel).
    /// </summary>
    public static SequenceTrainingResult Train<TSequence, TTarget>(
        ISequenceTrainable<TSequence, TTarget> model,
        IReadOnlyList<TSequence> trainSequences, IReadOnlyList<TTarget> trainTargets,
        IReadOnlyList<TSequence>? validationSequences, IReadOnlyList<TTarget>? validationTargets,
        SequenceTrainingOptions options,
        IProgress<LstmTrainingProgress>? progress = null, Action<string>? log = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(trainSequences);
        ArgumentNullException.ThrowIfNull(trainTargets);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (trainSequences.Count != trainTargets.Count)
            throw new ArgumentException($"{trainSequences.Count} training sequences but {trainTargets.Count} targets.", nameof(trainTargets));
        if (trainSequences.Count == 0)
            throw new ArgumentException("There are no training sequences.", nameof(trainSequences));
        if ((validationSequences is null) != (validationTargets is null))
            throw new ArgumentException("Pass both validation sequences and targets, or neither.", nameof(validationTargets));
        if (validationSequences is not null && validationSequences.Count != validationTargets!.Count)
            throw new ArgumentException($"{validationSequences.Count} validation sequences but {validationTargets.Count} targets.", nameof(validationTargets));
        bool hasValidation = validationSequences is { Count: > 0 };
        // A batch never holds more than the data: BatchSize = int.MaxValue on 30 rows trains in one batch of 30.
        if (options.BatchSize > trainSequences.Count) options = options with { BatchSize = trainSequences.Count };

        var validationOrder = hasValidation ? OrderByLength(model, validationSequences!) : [];
        var random = new Random(options.Seed);
        var order = Enumerable.Range(0, trainSequences.Count).ToArray();
        var batchSequences = new TSequence[options.BatchSize];
        var batchTargets = new TTarget[options.BatchSize];
        var history = new List<LstmTrainingProgress>();
        var kept = new List<(double Loss, int Epoch, float[][] Weights)>();  // the AverageBestEpochs lowest, lowest first
        float[][]? bestWeights = null;
        double bestLoss = double.PositiveInfinity;
        int bestEpoch = 0;
        bool cancelled = false, stoppedEarly = false;
        var total = Stopwatch.StartNew();
        var scheduler = new LearningRateScheduler(model, options.LearningRateSchedule,
            batchesPerEpoch: (trainSequences.Count + options.BatchSize - 1) / options.BatchSize, options.MaxEpochs);

        for (int epoch = 1; epoch <= options.MaxEpochs && !cancelled; epoch++)
        {
            var epochTimer = Stopwatch.StartNew();
            var batches = BucketedBatches(model, trainSequences, order, options, random);
            double lossSum = 0;
            int trained = 0;
            foreach (var (start, count) in batches)
            {
                if (cancellationToken.IsCancellationRequested) { cancelled = true; break; }
                for (int k = 0; k < count; k++)
                {
                    batchSequences[k] = trainSequences[order[start + k]];
                    batchTargets[k] = trainTargets[order[start + k]];
                }
                scheduler.BeforeBatch();
                lossSum += (double)model.TrainBatch(batchSequences.AsSpan(0, count), batchTargets.AsSpan(0, count)) * count;
                trained += count;
            }
            if (cancelled)
            {
                log?.Invoke($"Training cancelled during epoch {epoch} after {trained} of {order.Length} sequences; " +
                            (bestWeights is null ? "no epoch finished, keeping the current weights." : $"keeping the weights of epoch {bestEpoch}."));
                break;
            }
            double trainSeconds = epochTimer.Elapsed.TotalSeconds;
            double trainLoss = lossSum / trained;
            RequireFiniteLoss(trainLoss, "training", epoch);

            double? validationLoss = null, validationMetric = null;
            if (hasValidation)
            {
                var evaluation = Evaluate(model, validationSequences!, validationTargets!, validationOrder, batchSequences, batchTargets);
                validationLoss = evaluation.LossSum / validationSequences!.Count;
                // NaN: the network has no accuracy-like metric (a regressor); the report then carries none.
                validationMetric = double.IsNaN(evaluation.MetricSum) ? null : evaluation.MetricSum / validationSequences.Count;
                RequireFiniteLoss(validationLoss.Value, "validation", epoch);
            }

            double monitored = validationLoss ?? trainLoss;
            bool isBest = monitored < bestLoss; // NaN never counts as an improvement
            if (isBest)
            {
                bestLoss = monitored;
                bestEpoch = epoch;
                bestWeights = model.CaptureParameters();
            }
            if (options.AverageBestEpochs > 1 && hasValidation && (kept.Count < options.AverageBestEpochs || monitored < kept[^1].Loss))
            {
                if (kept.Count == options.AverageBestEpochs) kept.RemoveAt(kept.Count - 1);
                kept.Add((monitored, epoch, isBest ? bestWeights! : model.CaptureParameters()));
                kept.Sort((a, b) => a.Loss.CompareTo(b.Loss));
            }
            var report = new LstmTrainingProgress(epoch, options.MaxEpochs, trainLoss, validationLoss, validationMetric,
                trained / Math.Max(trainSeconds, 1e-9), total.Elapsed, isBest)
            {
                TrainingSequences = trained,
                ValidationSequences = hasValidation ? validationSequences!.Count : 0,
            };
            history.Add(report);
            log?.Invoke(report.ToString());
            progress?.Report(report);
            if (scheduler.AfterEpoch(epoch, isBest) is { } change) log?.Invoke(change);

            if (options.EarlyStoppingPatience > 0 && epoch - bestEpoch >= options.EarlyStoppingPatience && epoch < options.MaxEpochs)
            {
                stoppedEarly = true;
                log?.Invoke($"Early stopping after epoch {epoch}: no lower {(hasValidation ? "validation" : "training")} loss for {options.EarlyStoppingPatience} epoch(s); restoring epoch {bestEpoch}.");
                break;
            }
            if (cancellationToken.IsCancellationRequested)
            {
                cancelled = true;
                log?.Invoke($"Training cancelled after epoch {epoch}; keeping the weights of epoch {bestEpoch}.");
            }
        }

        // The network holds the last step's weights; put the best epoch's back unless they are the same.
        int lastFinished = history.Count;
        if (kept.Count > 1 && KeepsAverage(model, kept, bestLoss, validationSequences!, validationTargets!, validationOrder, batchSequences, batchTargets, log))
            return new SequenceTrainingResult(history, bestEpoch, stoppedEarly, cancelled) { AveragedEpochs = [.. kept.Select(e => e.Epoch).Order()] };
        if (bestWeights is not null && (bestEpoch != lastFinished || cancelled || kept.Count > 1))
            model.RestoreParameters(bestWeights);
        return new SequenceTrainingResult(history, bestEpoch, stoppedEarly, cancelled);
    }

    /// <summary>
    /// Puts the mean of the <paramref name="kept"/> epochs' weights in the network and keeps it when it validates lower than
    /// <paramref name="bestLoss"/> (averaging epochs near a minimum often lands lower in it, as in stochastic weight
    /// averaging; across a sharp turn it may not, hence the check). Returns false, the network then holding the mean,
    /// when the best epoch stays.
    /// </summary>
    private static bool KeepsAverage<TSequence, TTarget>(ISequenceTrainable<TSequence, TTarget> model, List<(double Loss, int Epoch, float[][] Weights)> kept,
        double bestLoss, IReadOnlyList<TSequence> validationSequences, IReadOnlyList<TTarget> validationTargets, int[] validationOrder,
        TSequence[] batchSequences, TTarget[] batchTargets, Action<string>? log)
    {
        var average = kept[0].Weights.Select(t => new float[t.Length]).ToArray();
        float share = 1f / kept.Count;
        foreach (var (_, _, weights) in kept)
            for (int t = 0; t < average.Length; t++)
                for (int i = 0; i < average[t].Length; i++) average[t][i] += weights[t][i] * share;
        model.RestoreParameters(average);
        double averageLoss = Evaluate(model, validationSequences, validationTargets, validationOrder, batchSequences, batchTargets).LossSum / validationSequences.Count;
        bool better = averageLoss < bestLoss;
        log?.Invoke($"Average of epochs {string.Join(", ", kept.Select(e => e.Epoch).Order())}: validation loss {averageLoss:F4} against {bestLoss:F4} for epoch {kept[0].Epoch}; " +
                    $"keeping {(better ? "the average" : $"epoch {kept[0].Epoch}")}.");
        return better;
    }

    /// <summary>
    /// Stops training that has diverged: a NaN or infinite epoch loss means the weights (or the data) are no longer
    /// finite, and returning such a model would give NaN scores with no error.
    /// </summary>
    private static void RequireFiniteLoss(double loss, string which, int epoch)
    {
        if (double.IsFinite(loss)) return;
        throw new InvalidOperationException(
            $"Training diverged in epoch {epoch}: the {which} loss is {loss}. Likely causes: a learning rate too high for this data " +
            "(lower LearningRate, or set GradientClipNorm), or non-finite (NaN/∞) input values or labels.");
    }

    /// <summary>
    /// Reshuffles <paramref name="order"/> in place and returns its batches as (start, count) ranges: the
    /// order is cut into chunks of <see cref="SequenceTrainingOptions.BucketBatches"/> batches, each chunk is
    /// stably sorted by length, cut into batches, and the batches are shuffled.
    /// </summary>
    internal static List<(int Start, int Count)> BucketedBatches<TSequence, TTarget>(ISequenceTrainable<TSequence, TTarget> model,
        IReadOnlyList<TSequence> sequences, int[] order, SequenceTrainingOptions options, Random random)
    {
        Shuffle(order, random);
        // Clamped, and in 64 bits: BatchSize × BucketBatches may exceed int even when each is valid.
        int batchSize = Math.Max(1, Math.Min(options.BatchSize, order.Length));
        int chunkSize = (int)Math.Min(order.Length, (long)batchSize * options.BucketBatches);
        var batches = new List<(int, int)>((order.Length + batchSize - 1) / batchSize);
        for (int chunkStart = 0; chunkStart < order.Length; chunkStart += chunkSize)
        {
            int chunkLength = Math.Min(chunkSize, order.Length - chunkStart);
            if (options.BucketBatches > 1)
            {
                // Stable: equal lengths keep their shuffled order, so the result depends only on the seed.
                var sorted = order.AsSpan(chunkStart, chunkLength).ToArray()
                    .Select((index, position) => (index, position, length: model.LengthOf(sequences[index])))
                    .OrderBy(e => e.length).ThenBy(e => e.position).Select(e => e.index).ToArray();
                sorted.CopyTo(order, chunkStart);
            }
            for (int start = chunkStart; start < chunkStart + chunkLength; start += batchSize)
                batches.Add((start, Math.Min(batchSize, chunkStart + chunkLength - start)));
        }
        Shuffle(batches, random);
        return batches;
    }

    private static SequenceEvaluation Evaluate<TSequence, TTarget>(ISequenceTrainable<TSequence, TTarget> model,
        IReadOnlyList<TSequence> sequences, IReadOnlyList<TTarget> targets, int[] order, TSequence[] sequenceBuffer, TTarget[] targetBuffer)
    {
        double lossSum = 0, metricSum = 0;
        var chunkSequences = sequenceBuffer.Length >= EvaluationBatchSize ? sequenceBuffer : new TSequence[EvaluationBatchSize];
        var chunkTargets = targetBuffer.Length >= EvaluationBatchSize ? targetBuffer : new TTarget[EvaluationBatchSize];
        for (int start = 0; start < order.Length; start += EvaluationBatchSize)
        {
            int count = Math.Min(EvaluationBatchSize, order.Length - start);
            for (int k = 0; k < count; k++)
            {
                chunkSequences[k] = sequences[order[start + k]];
                chunkTargets[k] = targets[order[start + k]];
            }
            var e = model.Evaluate(chunkSequences.AsSpan(0, count), chunkTargets.AsSpan(0, count));
            lossSum += e.LossSum;
            metricSum += e.MetricSum;
        }
        return new SequenceEvaluation(lossSum, metricSum);
    }

    /// <summary>Indices sorted by length (stable), so evaluation batches hold similar lengths.</summary>
    private static int[] OrderByLength<TSequence, TTarget>(ISequenceTrainable<TSequence, TTarget> model, IReadOnlyList<TSequence> sequences) =>
        Enumerable.Range(0, sequences.Count).OrderBy(i => model.LengthOf(sequences[i])).ThenBy(i => i).ToArray();

    /// <summary>Fisher–Yates with the given generator.</summary>
    internal static void Shuffle<T>(IList<T> items, Random random)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
