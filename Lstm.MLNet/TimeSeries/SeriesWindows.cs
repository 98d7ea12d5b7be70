namespace Lstm.MLNet.TimeSeries;

/// <summary>
/// Supervised pairs cut from a series, as Keras' <c>timeseries_dataset_from_array</c>: window i reads
/// steps [sᵢ, sᵢ + W) and its targets are the next H values of the series, steps [sᵢ + W, sᵢ + W + H),
/// with sᵢ = i·stride. Windows are in time order (never shuffled). Each step of a window holds the
/// series value followed by that step's covariates, so F = 1 + covariates; covariates are only read
/// inside the window (their future is not assumed known).
/// </summary>
internal sealed class SeriesWindows
{
    private SeriesWindows(float[][] inputs, float[] targets, int[] starts, int windowSize, int horizon, int featuresPerStep)
    {
        Inputs = inputs; Targets = targets; Starts = starts;
        WindowSize = windowSize; Horizon = horizon; FeaturesPerStep = featuresPerStep;
    }

    /// <summary>Window inputs: each W·F values, step by step.</summary>
    public float[][] Inputs { get; }
    /// <summary>Targets [Count × H], row-major.</summary>
    public float[] Targets { get; }
    /// <summary>Series index of each window's first step (its first target is at <c>Starts[i] + WindowSize</c>).</summary>
    public int[] Starts { get; }
    public int WindowSize { get; }
    public int Horizon { get; }
    public int FeaturesPerStep { get; }
    public int Count => Inputs.Length;

    /// <summary>
    /// Cuts every window of <paramref name="windowSize"/> steps followed by <paramref name="horizon"/>
    /// targets from <paramref name="series"/> (length T). <paramref name="covariates"/>: empty, or a
    /// row-major table [T × C] of extra values per time step. Throws if the series is shorter than
    /// W + H or holds a non-finite value (naming its index and feature).
    /// </summary>
    public static SeriesWindows Create(ReadOnlySpan<float> series, int windowSize, int horizon,
        ReadOnlySpan<float> covariates = default, int stride = 1)
    {
        new SeriesWindowOptions { WindowSize = windowSize, Horizon = horizon }.Validate();
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, "The stride must be at least 1.");
        int length = series.Length;
        if (length < (long)windowSize + horizon)
            throw new ArgumentException($"The series has {length} values; a window of {windowSize} and a horizon of {horizon} need at least {(long)windowSize + horizon}.", nameof(series));
        SeriesChecks.RequireFinite(series, 1, nameof(series), "Series value");
        int covariateCount = 0;
        if (!covariates.IsEmpty)
        {
            if (covariates.Length % length != 0)
                throw new ArgumentException($"The covariates hold {covariates.Length} values, not a whole number per each of the {length} time steps.", nameof(covariates));
            covariateCount = covariates.Length / length;
            SeriesChecks.RequireFinite(covariates, covariateCount, nameof(covariates), "Covariate", rowName: "time", columnName: "column");
        }

        int F = 1 + covariateCount;
        int count = (length - windowSize - horizon) / stride + 1;
        var inputs = new float[count][];
        var targets = new float[Compute.CheckedSize.Of(count, horizon, "Window targets")];
        Compute.CheckedSize.Of(windowSize, F, "Window inputs");
        var starts = new int[count];
        for (int i = 0; i < count; i++)
        {
            int start = i * stride;
            starts[i] = start;
            var window = inputs[i] = new float[windowSize * F];
            for (int t = 0; t < windowSize; t++)
            {
                window[t * F] = series[start + t];
                if (covariateCount > 0)
                    covariates.Slice((start + t) * covariateCount, covariateCount).CopyTo(window.AsSpan(t * F + 1, covariateCount));
            }
            series.Slice(start + windowSize, horizon).CopyTo(targets.AsSpan(i * horizon, horizon));
        }
        return new SeriesWindows(inputs, targets, starts, windowSize, horizon, F);
    }

    /// <summary>Windows [start, start + count), still in time order (e.g. the last part as a validation split).</summary>
    public SeriesWindows Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"Windows [{start}, {start + count}) are not within the {Count} windows.");
        return new SeriesWindows(Inputs[start..(start + count)], Targets[(start * Horizon)..((start + count) * Horizon)],
            Starts[start..(start + count)], WindowSize, Horizon, FeaturesPerStep);
    }
}
