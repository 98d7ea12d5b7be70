namespace Lstm.MLNet.Model.Training;

/// <summary>A network whose optimizer's step size a schedule may change between batches.</summary>
internal interface ILearningRateAdjustable
{
    double LearningRate { get; set; }
}

/// <summary>
/// Applies a <see cref="LstmLearningRateSchedule"/> for <see cref="SequenceTrainer"/>: before each batch
/// (<see cref="LstmLearningRateSchedule.WarmupCosine"/>) and after each epoch (<see cref="LstmLearningRateSchedule.ReduceOnPlateau"/>).
/// <see cref="LstmLearningRateSchedule.Constant"/> never touches the network, so it trains exactly as without a schedule.
/// </summary>
internal sealed class LearningRateScheduler
{
    /// <summary>Warm-up length as a fraction of the planned steps.</summary>
    internal const double WarmupFraction = 0.1;
    /// <summary>ReduceOnPlateau: the factor per epoch without improvement, and the floor as a fraction of the starting rate.</summary>
    internal const double PlateauFactor = 0.5, PlateauFloor = 1e-3;

    private readonly ILearningRateAdjustable? _network;
    private readonly LstmLearningRateSchedule _schedule;
    private readonly double _baseRate;
    private readonly long _plannedSteps, _warmupSteps;
    private long _step;

    /// <param name="model">The network (must implement <see cref="ILearningRateAdjustable"/> unless the schedule is Constant).</param>
    /// <param name="schedule">The schedule.</param>
    /// <param name="batchesPerEpoch">Optimizer steps per epoch.</param>
    /// <param name="maxEpochs">Planned epochs.</param>
    public LearningRateScheduler(object model, LstmLearningRateSchedule schedule, int batchesPerEpoch, int maxEpochs)
    {
        _schedule = schedule;
        if (schedule == LstmLearningRateSchedule.Constant) return;
        _network = model as ILearningRateAdjustable
            ?? throw new InvalidOperationException($"LearningRateSchedule {schedule} needs a network whose learning rate can change; {model.GetType().Name}'s cannot.");
        _baseRate = _network.LearningRate;
        _plannedSteps = Math.Max(1L, (long)batchesPerEpoch * maxEpochs);
        _warmupSteps = Math.Max(1L, (long)Math.Round(WarmupFraction * _plannedSteps));
    }

    /// <summary>The rate the next batch trains with (the starting rate for Constant).</summary>
    public double Current => _network?.LearningRate ?? double.NaN;

    /// <summary>Before each batch: the warm-up/cosine rate of this step.</summary>
    public void BeforeBatch()
    {
        if (_schedule != LstmLearningRateSchedule.WarmupCosine) return;
        _step++;
        _network!.LearningRate = RateAt(_step, _baseRate, _warmupSteps, _plannedSteps);
    }

    /// <summary>WarmupCosine's rate at 1-based step <paramref name="step"/>: linear to <paramref name="rate"/> over the warm-up, then cosine to 0 at <paramref name="planned"/>.</summary>
    internal static double RateAt(long step, double rate, long warmup, long planned)
    {
        if (step <= warmup) return rate * step / warmup;
        double progress = Math.Min(1.0, (double)(step - warmup) / Math.Max(1, planned - warmup));
        return rate * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    /// <summary>After each epoch: ReduceOnPlateau halves the rate unless the epoch was the best so far; returns a log line when it changed.</summary>
    public string? AfterEpoch(int epoch, bool improved)
    {
        if (_schedule != LstmLearningRateSchedule.ReduceOnPlateau || improved) return null;
        double before = _network!.LearningRate, after = Math.Max(before * PlateauFactor, _baseRate * PlateauFloor);
        if (after == before) return null;
        _network.LearningRate = after;
        return $"Learning rate {before:G3} → {after:G3} (ReduceOnPlateau: epoch {epoch} did not improve).";
    }
}
