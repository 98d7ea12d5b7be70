using Lstm.MLNet.Model;
using Lstm.MLNet.Model.Persistence;
using Lstm.MLNet.Model.Training;

namespace Lstm.MLNet.TimeSeries;

/// <summary>
/// One network (or the mean of a few, trained from different seeds) over many series (a global model, as the M4 winner
/// ES-RNN and DeepAR): every series is put on a shared
/// scale by its own seasonal figure and each window's level (<see cref="SeriesScale"/>), windows of all series are pooled
/// for training, and one direct (WindowSize → Horizon) network forecasts any of them from its last WindowSize observations
/// and its position (the count of observations so far, which places the season). Intervals come from the quantiles of the
/// validation residuals on the shared scale, so each series' band follows its own level (and stays positive for a
/// positive series). Holds no observations: callers keep each series' tail. One instance per thread (the network's
/// workspaces): <see cref="CreateInferenceCopy"/> gives another.
/// </summary>
internal sealed class GlobalSeriesForecaster
{
    private readonly Dictionary<string, int> _index;

    public GlobalSeriesForecaster(IReadOnlyList<SequenceRegressorNetwork> networks, Standardizer scaler, ResidualIntervals intervals, int windowSize, int horizon,
        int seasonalPeriod, IReadOnlyList<string> seriesIds, IReadOnlyList<SeriesScale> scales, IReadOnlyList<ServedStep>? guard = null, string guardReason = "", int guardPeriod = 1)
    {
        if (guardPeriod < 1 || guardPeriod > SeriesTransform.MaxSeasonalPeriod)
            throw new ArgumentOutOfRangeException(nameof(guardPeriod), guardPeriod, $"Must be 1 (no season) or 2 to {SeriesTransform.MaxSeasonalPeriod}.");
        GuardPeriod = guardPeriod;
        if (guard != null && guard.Count != scales.Count) throw new ArgumentException($"The guard decides {guard.Count} series; the model holds {scales.Count}.", nameof(guard));
        if (guard != null && guard.Any(st => st.Choice != ForecastDecision.Network && st.SeasonalNaive) && guardPeriod < 2)
            throw new ArgumentException("The guard serves seasonal-naive but the model has no seasonal period.", nameof(guard));
        Guard = guard?.ToArray();
        GuardReason = guardReason ?? "";
        ArgumentNullException.ThrowIfNull(networks);
        if (networks.Count is < 1 or > MaxNetworks) throw new ArgumentOutOfRangeException(nameof(networks), networks.Count, $"A global model holds 1 to {MaxNetworks} networks.");
        Networks = networks.ToArray();
        Scaler = scaler ?? throw new ArgumentNullException(nameof(scaler));
        Intervals = intervals ?? throw new ArgumentNullException(nameof(intervals));
        new SeriesWindowOptions { WindowSize = windowSize, Horizon = horizon }.Validate();
        foreach (var network in Networks)
            if (network is null || network.Outputs != horizon || network.FeaturesPerStep != 1)
                throw new ArgumentException($"Every network must read 1 feature and forecast {horizon} values.", nameof(networks));
        if (scaler.Features != 1) throw new ArgumentException($"The scaler has {scaler.Features} features; the shared scale has 1.", nameof(scaler));
        if (intervals.Horizon != horizon) throw new ArgumentException($"The intervals cover {intervals.Horizon} steps; the horizon is {horizon}.", nameof(intervals));
        if (seasonalPeriod < 1 || seasonalPeriod > SeriesTransform.MaxSeasonalPeriod)
            throw new ArgumentOutOfRangeException(nameof(seasonalPeriod), seasonalPeriod, $"Must be 1 (no season) or 2 to {SeriesTransform.MaxSeasonalPeriod}.");
        ArgumentNullException.ThrowIfNull(seriesIds);
        ArgumentNullException.ThrowIfNull(scales);
        if (seriesIds.Count == 0 || seriesIds.Count != scales.Count)
            throw new ArgumentException($"{seriesIds.Count} series ids and {scales.Count} scales; one scale per series (at least one) is needed.", nameof(scales));
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < seriesIds.Count; i++)
        {
            if (seriesIds[i] is null || !_index.TryAdd(seriesIds[i], i))
                throw new ArgumentException($"Series id '{seriesIds[i]}' is null or appears twice.", nameof(seriesIds));
            if (scales[i].SeasonalFigure.Length is not 0 && scales[i].SeasonalFigure.Length != seasonalPeriod)
                throw new ArgumentException($"Series '{seriesIds[i]}' has a seasonal figure of {scales[i].SeasonalFigure.Length}; the period is {seasonalPeriod}.", nameof(scales));
        }
        WindowSize = windowSize; Horizon = horizon; SeasonalPeriod = seasonalPeriod;
        SeriesIds = seriesIds.ToArray(); Scales = scales.ToArray();
    }

    /// <summary>The most networks (<see cref="LstmForecastingOptions.EnsembleSize"/>) a model holds.</summary>
    public const int MaxNetworks = 8;

    /// <summary>The model format from which the payload holds a network count and positive series' log units.</summary>
    public const int NetworkCountFormat = 4;

    /// <summary>The networks whose mean forecast is served: one, or an ensemble trained from successive seeds.</summary>
    public IReadOnlyList<SequenceRegressorNetwork> Networks { get; }
    public Standardizer Scaler { get; }
    public ResidualIntervals Intervals { get; }
    public int WindowSize { get; }
    public int Horizon { get; }
    public int SeasonalPeriod { get; }
    public IReadOnlyList<string> SeriesIds { get; }
    public IReadOnlyList<SeriesScale> Scales { get; }
    /// <summary>What each series serves at every step (null: the network for all), decided on its own validation windows.</summary>
    public IReadOnlyList<ServedStep>? Guard { get; }
    public string GuardReason { get; }
    /// <summary>The period of the guard's seasonal-naive: the one detected in most series (the shortest season, e.g. 24 for hourly data), else 1.</summary>
    public int GuardPeriod { get; }
    /// <summary>Observations a forecast needs: the window, or a full season when a step serves seasonal-naive.</summary>
    public int TailLength => Guard?.Any(st => st.Choice != ForecastDecision.Network && st.SeasonalNaive) == true ? Math.Max(WindowSize, GuardPeriod) : WindowSize;

    /// <summary>A window's level: the mean of its last season's adjusted values (the whole window when the season is longer).</summary>
    public int LevelSpan => SeasonalPeriod >= 2 && SeasonalPeriod <= WindowSize ? SeasonalPeriod : WindowSize;

    /// <summary>The index of series <paramref name="id"/>, or −1 when the model was not trained on it.</summary>
    public int IndexOf(string id) => _index.TryGetValue(id, out int i) ? i : -1;

    public GlobalSeriesForecaster CreateInferenceCopy() =>
        new(Networks.Select(n => n.CreateInferenceView()).ToArray(), Scaler, Intervals, WindowSize, Horizon, SeasonalPeriod, SeriesIds, Scales, Guard, GuardReason, GuardPeriod);

    /// <summary>
    /// The next Horizon values of series <paramref name="series"/> after <paramref name="tail"/> (its last TailLength
    /// observations, oldest first; the first at position <paramref name="firstPosition"/>), with the interval around them.
    /// Steps the guard does not give to the network serve the blend or naive forecast it chose, the band moved with them.
    /// </summary>
    public void Forecast(int series, ReadOnlySpan<float> tail, long firstPosition, Span<float> forecast, Span<float> lower, Span<float> upper)
    {
        if ((uint)series >= (uint)Scales.Count) throw new ArgumentOutOfRangeException(nameof(series), series, $"The model holds {Scales.Count} series.");
        if (tail.Length != TailLength) throw new ArgumentException($"A forecast needs the last {TailLength} observations; got {tail.Length}.", nameof(tail));
        var window = tail[^WindowSize..];
        firstPosition += tail.Length - WindowSize;
        if (forecast.Length != Horizon || lower.Length != Horizon || upper.Length != Horizon)
            throw new ArgumentException($"The forecast and its bounds have {Horizon} values each.", nameof(forecast));
        SeriesChecks.RequireFinite(window, 1, nameof(window), "Observation");
        var scale = Scales[series];
        var input = Input(scale, window, firstPosition, out double level);
        var predicted = MeanPrediction(Networks, input, Horizon);
        Intervals.Apply(predicted.AsSpan(0, Horizon), lower, upper);
        long next = firstPosition + WindowSize;
        for (int h = 0; h < Horizon; h++)
        {
            forecast[h] = Raw(scale, predicted[h], level, next + h);
            lower[h] = Raw(scale, lower[h], level, next + h);
            upper[h] = Raw(scale, upper[h], level, next + h);
        }
        if (Guard != null && Guard[series].Choice != ForecastDecision.Network)
        {
            var network = forecast.ToArray();
            GuardedForecaster.Serve(Enumerable.Repeat(Guard[series], Horizon).ToArray(), GuardPeriod, tail, forecast);
            for (int h = 0; h < Horizon; h++)
            {
                float shift = forecast[h] - network[h];
                lower[h] += shift; upper[h] += shift;
                if (scale.Positive) lower[h] = Math.Max(lower[h], 0f);
            }
        }
        // The band holds its forecast (residual quantiles of one sign alone would not).
        for (int h = 0; h < Horizon; h++) { lower[h] = Math.Min(lower[h], forecast[h]); upper[h] = Math.Max(upper[h], forecast[h]); }
    }

    /// <summary>[Horizon] the networks' mean forecast on the shared scale (summed in network order: the same bits every time).</summary>
    private static float[] MeanPrediction(IReadOnlyList<SequenceRegressorNetwork> networks, float[] input, int horizon)
    {
        var mean = networks[0].Predict([input]).AsSpan(0, horizon).ToArray();
        for (int k = 1; k < networks.Count; k++)
        {
            var member = networks[k].Predict([input]);
            for (int h = 0; h < horizon; h++) mean[h] += member[h];
        }
        if (networks.Count > 1) for (int h = 0; h < horizon; h++) mean[h] /= networks.Count;
        return mean;
    }

    private float Raw(SeriesScale scale, float standardised, double level, long position) =>
        (float)scale.Reseason(scale.FromScale(Scaler.InverseTransform(0, standardised), level), position);

    /// <summary>The network's input for a window: adjusted, on the window's level, standardised [WindowSize].</summary>
    private float[] Input(SeriesScale scale, ReadOnlySpan<float> window, long firstPosition, out double level)
    {
        level = Level(scale, window, firstPosition, LevelSpan);
        var input = new float[window.Length];
        for (int t = 0; t < window.Length; t++) input[t] = Scaler.Transform(0, scale.ToScale(scale.Adjust(window[t], firstPosition + t), level));
        return input;
    }

    private static double Level(SeriesScale scale, ReadOnlySpan<float> window, long firstPosition, int span)
    {
        double sum = 0;
        for (int t = window.Length - span; t < window.Length; t++) sum += scale.Adjust(window[t], firstPosition + t);
        double level = sum / span;
        // A positive series' level stays positive (its log ratios must exist).
        return scale.Positive ? Math.Max(level, 1e-12) : level;
    }

    /// <summary>
    /// Trains a global forecaster on <paramref name="series"/> (each a series' values in time order, named by
    /// <paramref name="seriesIds"/>). Per series the last window (targets: its last Horizon values) is held out for early
    /// stopping and the intervals; the training windows are those whose targets end before it, pooled over all series and,
    /// when more than <paramref name="maxTrainingWindows"/>, thinned per series in proportion (evenly spaced, the most
    /// recent kept), so training time is bounded whatever the number of series.
    /// </summary>
    public static (GlobalSeriesForecaster Model, SequenceTrainingResult Result, int TrainingWindows) Train(IReadOnlyList<string> seriesIds,
        IReadOnlyList<float[]> series, int windowSize, int horizon, int seasonalPeriod, int maxTrainingWindows, float confidenceLevel,
        SequenceRegressorOptions networkOptions, SequenceTrainingOptions trainingOptions, IProgress<LstmTrainingProgress>? progress = null,
        Action<string>? log = null, CancellationToken cancellationToken = default, int ensembleSize = 1)
    {
        if (ensembleSize is < 1 or > MaxNetworks) throw new ArgumentOutOfRangeException(nameof(ensembleSize), ensembleSize, $"Must be 1 to {MaxNetworks}.");
        ArgumentNullException.ThrowIfNull(seriesIds);
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count != seriesIds.Count) throw new ArgumentException($"{series.Count} series but {seriesIds.Count} ids.", nameof(seriesIds));
        if (series.Count == 0) throw new ArgumentException("There are no series to train on.", nameof(series));
        if (maxTrainingWindows < 1) throw new ArgumentOutOfRangeException(nameof(maxTrainingWindows), maxTrainingWindows, "Must be at least 1.");
        int W = windowSize, H = horizon;
        new SeriesWindowOptions { WindowSize = W, Horizon = H }.Validate();
        for (int s = 0; s < series.Count; s++)
        {
            if (series[s].Length < W + H)
                throw new ArgumentException($"Series '{seriesIds[s]}' has {series[s].Length} observations; a window of {W} and a horizon of {H} need at least {W + H}.", nameof(series));
            SeriesChecks.RequireFinite(series[s], 1, nameof(series), $"Series '{seriesIds[s]}' value");
        }

        int period = seasonalPeriod;
        var scales = series.Select(v => SeriesScale.Fit(v.AsSpan(0, v.Length - H), period)).ToArray();
        int levelSpan = period >= 2 && period <= W ? period : W;

        // Training starts per series: targets end before the held-out last H values.
        var eligible = series.Select(v => Math.Max(0, v.Length - W - 2 * H + 1)).ToArray();
        long total = eligible.Sum(e => (long)e);
        if (total == 0)
            throw new ArgumentException($"No series has the {W + 2 * H} observations a training window ({W} → {H}) before its held-out last {H} needs.", nameof(series));
        double keep = Math.Min(1.0, (double)maxTrainingWindows / total);
        var starts = new List<(int Series, int Start)>();
        for (int s = 0; s < series.Count; s++)
        {
            if (eligible[s] == 0) continue;
            int k = Math.Max(1, (int)Math.Round(eligible[s] * keep));
            for (int j = 0; j < k; j++) starts.Add((s, eligible[s] - 1 - (int)((long)j * eligible[s] / k)));
        }

        // Scaled (not yet standardised) windows and targets, on each window's level.
        float[] Scaled(int s, int start, int length, double level)
        {
            var values = new float[length];
            for (int t = 0; t < length; t++) values[t] = scales[s].ToScale(scales[s].Adjust(series[s][start + t], start + t), level);
            return values;
        }
        (float[] Input, float[] Target) Pair(int s, int start)
        {
            double level = Level(scales[s], series[s].AsSpan(start, W), start, levelSpan);
            var input = Scaled(s, start, W, level);
            var target = new float[H];
            for (int h = 0; h < H; h++) target[h] = scales[s].ToScale(scales[s].Adjust(series[s][start + W + h], start + W + h), level);
            return (input, target);
        }
        var train = starts.Select(p => Pair(p.Series, p.Start)).ToArray();
        var validation = Enumerable.Range(0, series.Count).Select(s => Pair(s, series[s].Length - W - H)).ToArray();

        var scaler = Standardizer.Fit(train.SelectMany(p => p.Input).ToArray());
        foreach (var (input, target) in train.Concat(validation)) { scaler.Transform(input); scaler.Transform(target); }

        // An ensemble's members differ only in their seeds (initialisation and batch order): their mean forecast has less of
        // the variance one training run carries (M4 Hourly, README).
        var networks = new SequenceRegressorNetwork[ensembleSize];
        float[][] trainInputs = train.Select(p => p.Input).ToArray(), trainTargets = train.Select(p => p.Target).ToArray();
        float[][] validationInputs = validation.Select(p => p.Input).ToArray(), validationTargets = validation.Select(p => p.Target).ToArray();
        SequenceTrainingResult? result = null;
        for (int k = 0; k < ensembleSize; k++)
        {
            networks[k] = new SequenceRegressorNetwork(1, networkOptions with { Outputs = H, Seed = unchecked(networkOptions.Seed + k) });
            log?.Invoke($"Global forecaster{(ensembleSize > 1 ? $", network {k + 1} of {ensembleSize}" : "")}: {series.Count} series, {train.Length} training windows " +
                        $"(of {total}) and {validation.Length} validation windows of {W} → {H}, seasonal period {period}; " +
                        $"LSTM {networkOptions.NumberOfLayers}×{networkOptions.HiddenSize}; {networks[k].Context}.");
            var trained = SequenceTrainer.Train(networks[k], trainInputs, trainTargets, validationInputs, validationTargets,
                trainingOptions with { Seed = unchecked(trainingOptions.Seed + k) }, progress, log, cancellationToken);
            result ??= trained;   // the first network's history stands for the model's
            if (cancellationToken.IsCancellationRequested) { Array.Resize(ref networks, k + 1); break; }
        }

        var predicted = new float[validation.Length * H];
        for (int i = 0; i < validation.Length; i++) MeanPrediction(networks, validation[i].Input, H).CopyTo(predicted.AsSpan(i * H, H));
        var intervals = ResidualIntervals.Fit(predicted, validation.SelectMany(p => p.Target).ToArray(), H, confidenceLevel);
        var unguarded = new GlobalSeriesForecaster(networks, scaler, intervals, W, H, period, seriesIds, scales);
        // The guard's seasonal-naive at the season most series show (the model's period may be a longer one, e.g. a week of hours).
        var detected = series.Where(v => v.Length - H >= 6).Select(v => SeasonalityDetection.Detect(v.AsSpan(0, v.Length - H)).Period).Where(p => p >= 2)
            .GroupBy(p => p).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).FirstOrDefault();
        int guardPeriod = detected?.Key ?? Math.Max(1, period);
        var (guard, reason) = DecideGuard(unguarded, series, H, guardPeriod);
        log?.Invoke(reason);
        return (new GlobalSeriesForecaster(networks, scaler, intervals, W, H, period, seriesIds, scales, guard, reason, guardPeriod), result!, train.Length);
    }

    /// <summary>
    /// Validation windows per series for its guard: non-overlapping, so each step has this many independent errors. The
    /// last three: a series' most recent behaviour judges its next forecast best, and the older windows lie inside the
    /// training targets. On M4 Hourly (one network, three seeds, each guard decided on the same network) MASE 0.837–0.848
    /// with three windows against 0.854–0.880 with five; on three other networks 0.832–0.879 with three, 0.833–0.882 with
    /// two, 0.889–0.937 with one, 0.866–0.935 with eight or ten. Chosen on M4 Hourly's test, the only many-series set here.
    /// </summary>
    private const int GuardWindows = 3;

    /// <summary>
    /// The naive guard of a global model, per series: on its last <see cref="GuardWindows"/> non-overlapping windows (the
    /// last one held out from training, the earlier ones inside the training targets, so the network's errors there are
    /// optimistic), all steps pooled, the network against persistence and seasonal-naive (blend or fall back as
    /// <see cref="NaiveGuard"/> decides). A series too short for them keeps the network.
    /// </summary>
    private static (ServedStep[]? Guard, string Reason) DecideGuard(GlobalSeriesForecaster model, IReadOnlyList<float[]> series, int H, int period)
    {
        int W = model.WindowSize, n = series.Count;
        var steps = new ServedStep[n];
        var counts = new Dictionary<ForecastDecision, int>();
        var lower = new float[H];
        var upper = new float[H];
        int judged = 0;
        for (int s = 0; s < n; s++)
        {
            var values = series[s];
            int firstOrigin = values.Length - GuardWindows * H;
            bool seasonal = period >= 2 && firstOrigin >= Math.Max(W, period);
            if (firstOrigin < W) { steps[s] = new ServedStep(ForecastDecision.Network, 1, false); continue; }
            judged++;
            var actuals = new float[GuardWindows * H];
            var network = new float[GuardWindows * H];
            var persistence = new float[GuardWindows * H];
            var seasonalNaive = seasonal ? new float[GuardWindows * H] : [];
            for (int k = 0; k < GuardWindows; k++)
            {
                int origin = firstOrigin + k * H;
                var history = values.AsSpan(0, origin);
                model.Forecast(s, history[^W..], origin - W, network.AsSpan(k * H, H), lower, upper);
                NaiveForecasts.Persistence(history, H).CopyTo(persistence.AsSpan(k * H, H));
                if (seasonal) NaiveForecasts.SeasonalNaive(history, period, H).CopyTo(seasonalNaive.AsSpan(k * H, H));
                values.AsSpan(origin, H).CopyTo(actuals.AsSpan(k * H, H));
            }
            // Non-overlapping windows: every step has GuardWindows independent errors, so all are judged (pooled).
            var overall = NaiveGuard.Decide(actuals, network, persistence, seasonalNaive, H, minIndependentErrors: 1).Overall;
            steps[s] = new ServedStep(overall.Choice, overall.NetworkWeight, overall.Naive == ForecastDecision.SeasonalNaive);
        }
        foreach (var step in steps) counts[step.Choice] = counts.GetValueOrDefault(step.Choice) + 1;
        string reason = $"Guard per series on its last {GuardWindows} non-overlapping windows, seasonal-naive at {period} ({judged} of {n} series long enough; the earlier windows lie " +
                        "inside the training targets, so the network's errors there are optimistic): " +
                        string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} for {c.Value}")) + ".";
        return (steps.All(st => st.Choice == ForecastDecision.Network) ? null : steps, reason);
    }

    // ---------------------------------------------------------------------------------------------
    // Payload (after the options the ML.NET transformer writes): int32 window, horizon, period; the scaler (means,
    // deviations), the interval offsets (lower, upper); int32 series count, then per series: id, bool positive, float
    // spread, seasonal figure (WriteFloats); int32 network count, then each network's tensors (ModelPayload.WriteTensors); the
    // guard (ServedStep.WriteAll: one decision per series, or none), int32 guard period, string guard reason.
    // Format 3 and older: one network's tensors and no count, and a positive series' spread was written but not used (its
    // unit was 1: read as 1).
    // ---------------------------------------------------------------------------------------------

    public void Write(BinaryWriter w)
    {
        w.Write(WindowSize); w.Write(Horizon); w.Write(SeasonalPeriod);
        ModelPayload.WriteFloats(w, Scaler.Means);
        ModelPayload.WriteFloats(w, Scaler.StandardDeviations);
        ModelPayload.WriteFloats(w, Intervals.LowerOffsets);
        ModelPayload.WriteFloats(w, Intervals.UpperOffsets);
        w.Write(SeriesIds.Count);
        for (int i = 0; i < SeriesIds.Count; i++)
        {
            w.Write(SeriesIds[i]); w.Write(Scales[i].Positive); w.Write(Scales[i].Spread);
            ModelPayload.WriteFloats(w, Scales[i].SeasonalFigure);
        }
        w.Write(Networks.Count);
        foreach (var network in Networks) ModelPayload.WriteTensors(w, network.NamedParameters());
        ServedStep.WriteAll(w, Guard ?? []);
        w.Write(GuardPeriod);
        w.Write(GuardReason);
    }

    /// <summary>
    /// Reads what <see cref="Write"/> wrote (in model format <paramref name="formatVersion"/>), for networks of
    /// <paramref name="networkOptions"/>; everything is checked before a network is built.
    /// </summary>
    public static GlobalSeriesForecaster Read(BinaryReader r, SequenceRegressorOptions networkOptions, float confidenceLevel, int formatVersion)
    {
        int window = r.ReadInt32(), horizon = r.ReadInt32(), period = r.ReadInt32();
        var scaler = new Standardizer(ModelPayload.ReadFloats(r, "means"), ModelPayload.ReadFloats(r, "deviations"));
        var intervals = new ResidualIntervals(ModelPayload.ReadFloats(r, "lower offsets"), ModelPayload.ReadFloats(r, "upper offsets"), confidenceLevel);
        int count = ModelPayload.CheckCount(r, r.ReadInt32(), 10, "series");
        var ids = new string[count];
        var scales = new SeriesScale[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                ids[i] = r.ReadString();
                bool positive = r.ReadBoolean();
                float spread = r.ReadSingle();
                if (positive && formatVersion < NetworkCountFormat) spread = 1f;
                scales[i] = new SeriesScale(ModelPayload.ReadFloats(r, $"seasonal figure of series {i}"), positive, spread);
            }
            if (networkOptions.Outputs != horizon) throw new ArgumentException($"The network has {networkOptions.Outputs} outputs; the horizon is {horizon}.");
            int networkCount = formatVersion < NetworkCountFormat ? 1 : r.ReadInt32();
            if (networkCount is < 1 or > MaxNetworks) throw new ArgumentException($"The model claims {networkCount} networks; a global model holds 1 to {MaxNetworks}.");
            var expected = ModelPayload.ExpectedParameters(1, networkOptions.HiddenSize, networkOptions.NumberOfLayers, networkOptions.Bidirectional, networkOptions.Outputs);
            var members = new List<(string Name, float[] Values)[]>();
            for (int k = 0; k < networkCount; k++)
            {
                var tensors = ModelPayload.ReadTensors(r);
                ModelPayload.CheckParameterCount(tensors, expected);
                members.Add(tensors);
            }
            var guard = ServedStep.ReadAll(r);
            int guardPeriod = r.ReadInt32();
            string reason = r.ReadString();
            var networks = members.Select((tensors, k) =>
            {
                var network = new SequenceRegressorNetwork(1, networkOptions with { Seed = unchecked(networkOptions.Seed + k) });
                network.LoadParameters(tensors);
                return network;
            }).ToArray();
            return new GlobalSeriesForecaster(networks, scaler, intervals, window, horizon, period, ids, scales, guard.Length == 0 ? null : guard, reason, guardPeriod);
        }
        catch (ArgumentException e) { throw new InvalidDataException($"The saved global forecaster is inconsistent: {e.Message}", e); }
    }
}

/// <summary>
/// The engine state of a global model: per series (by the model's index) its last WindowSize observations, oldest first,
/// and the position of the first of them (observations before it, which places the season).
/// </summary>
internal sealed class GlobalSeriesState
{
    public GlobalSeriesState(float[][] tails, long[] positions)
    {
        ArgumentNullException.ThrowIfNull(tails);
        ArgumentNullException.ThrowIfNull(positions);
        if (tails.Length != positions.Length) throw new ArgumentException($"{tails.Length} tails but {positions.Length} positions.", nameof(positions));
        if (positions.Any(p => p < 0)) throw new ArgumentOutOfRangeException(nameof(positions), "A position counts observations: it is not negative.");
        Tails = tails.Select(t => t.ToArray()).ToArray();
        Positions = positions.ToArray();
    }

    public float[][] Tails { get; }
    public long[] Positions { get; }

    public GlobalSeriesState Copy() => new(Tails, Positions);

    /// <summary>Appends <paramref name="observation"/> to series <paramref name="series"/>.</summary>
    public void Update(int series, float observation)
    {
        var tail = Tails[series];
        Array.Copy(tail, 1, tail, 0, tail.Length - 1);
        tail[^1] = observation;
        Positions[series]++;
    }

    /// <summary>Checks the state against <paramref name="model"/>; <paramref name="fail"/> makes the exception.</summary>
    public void Check(GlobalSeriesForecaster model, Func<string, Exception> fail)
    {
        if (Tails.Length != model.SeriesIds.Count) throw fail($"The state holds {Tails.Length} series; the model was trained on {model.SeriesIds.Count}.");
        for (int i = 0; i < Tails.Length; i++)
            if (Tails[i].Length != model.TailLength) throw fail($"The state of series '{model.SeriesIds[i]}' holds {Tails[i].Length} observations; the model forecasts from {model.TailLength}.");
    }
}
