namespace Lstm.MLNet.TimeSeries;

/// <summary>
/// Prediction intervals from held-out residuals (split-conformal style): for each horizon step h, the
/// residuals rₕ = actual − forecast on validation windows give the (1 − c)/2 and (1 + c)/2 quantiles
/// (linear interpolation, numpy's default) at confidence level c; a forecast f gets
/// [f + q_low(h), f + q_high(h)]. Asymmetric when the model is biased, wider at far steps when the
/// errors grow with the horizon. Stored as two float arrays, so it saves with a model.
/// </summary>
internal sealed class ResidualIntervals
{
    private readonly float[] _lowerOffsets, _upperOffsets;

    /// <summary>Rebuilds intervals from saved offsets (lower ≤ upper per step).</summary>
    public ResidualIntervals(float[] lowerOffsets, float[] upperOffsets, float confidenceLevel)
    {
        ArgumentNullException.ThrowIfNull(lowerOffsets);
        ArgumentNullException.ThrowIfNull(upperOffsets);
        CheckConfidence(confidenceLevel);
        if (lowerOffsets.Length == 0 || lowerOffsets.Length != upperOffsets.Length)
            throw new ArgumentException($"Need one lower and one upper offset per horizon step; got {lowerOffsets.Length} and {upperOffsets.Length}.", nameof(upperOffsets));
        for (int h = 0; h < lowerOffsets.Length; h++)
            if (!(float.IsFinite(lowerOffsets[h]) && float.IsFinite(upperOffsets[h]) && lowerOffsets[h] <= upperOffsets[h]))
                throw new ArgumentException($"Step {h}: offsets [{lowerOffsets[h]}, {upperOffsets[h]}] must be finite with lower ≤ upper.", nameof(lowerOffsets));
        _lowerOffsets = lowerOffsets.ToArray();
        _upperOffsets = upperOffsets.ToArray();
        ConfidenceLevel = confidenceLevel;
    }

    /// <summary>
    /// Learns the offsets from validation forecasts and actuals, both [windows × <paramref name="horizon"/>]
    /// in the units the intervals will be applied in.
    /// </summary>
    public static ResidualIntervals Fit(ReadOnlySpan<float> forecasts, ReadOnlySpan<float> actuals, int horizon, float confidenceLevel)
    {
        CheckConfidence(confidenceLevel);
        int windows = ForecastMetrics.CheckShapes(forecasts, actuals, horizon);
        var lower = new float[horizon];
        var upper = new float[horizon];
        var residuals = new double[windows];
        for (int h = 0; h < horizon; h++)
        {
            for (int i = 0; i < windows; i++) residuals[i] = (double)actuals[i * horizon + h] - forecasts[i * horizon + h];
            Array.Sort(residuals);
            lower[h] = (float)Quantile(residuals, (1 - confidenceLevel) / 2);
            upper[h] = (float)Quantile(residuals, (1 + confidenceLevel) / 2);
        }
        return new ResidualIntervals(lower, upper, confidenceLevel);
    }

    public float ConfidenceLevel { get; }
    public int Horizon => _lowerOffsets.Length;
    /// <summary>Per-step lower offsets, added to the forecast (a copy).</summary>
    public float[] LowerOffsets => _lowerOffsets.ToArray();
    /// <summary>Per-step upper offsets, added to the forecast (a copy).</summary>
    public float[] UpperOffsets => _upperOffsets.ToArray();

    /// <summary>Bounds for forecasts [windows × Horizon] (row-major), written into <paramref name="lower"/> and <paramref name="upper"/>.</summary>
    public void Apply(ReadOnlySpan<float> forecasts, Span<float> lower, Span<float> upper)
    {
        SeriesChecks.RowCount(forecasts.Length, Horizon, nameof(forecasts));
        if (lower.Length < forecasts.Length || upper.Length < forecasts.Length)
            throw new ArgumentException($"The bounds need {forecasts.Length} floats each; got {lower.Length} and {upper.Length}.", nameof(lower));
        for (int i = 0; i < forecasts.Length; i++)
        {
            lower[i] = forecasts[i] + _lowerOffsets[i % Horizon];
            upper[i] = forecasts[i] + _upperOffsets[i % Horizon];
        }
    }

    /// <summary>Quantile p of sorted values, interpolating linearly between order statistics (numpy's "linear").</summary>
    internal static double Quantile(double[] sorted, double p)
    {
        double position = p * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    private static void CheckConfidence(float confidenceLevel)
    {
        if (!(confidenceLevel > 0f && confidenceLevel < 1f))
            throw new ArgumentOutOfRangeException(nameof(confidenceLevel), confidenceLevel, "The confidence level must be in (0, 1), e.g. 0.95.");
    }
}
