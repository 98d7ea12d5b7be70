using Lstm.MLNet.Model;

namespace Lstm.MLNet.TimeSeries;

/// <summary>How a network predicts H steps ahead.</summary>
public enum ForecastStrategy
{
    /// <summary>
    /// One model with one output, applied H times, each prediction appended to the window as if observed.
    /// Any horizon from one model, and each step learns the easiest task; but errors compound along the
    /// horizon, the model sees its own predictions at inference though never in training, and it only
    /// works for a univariate window (future covariates would be unknown).
    /// </summary>
    Recursive = 0,
    /// <summary>
    /// One model with H outputs, trained on all horizons at once: no error feedback, one forward per
    /// forecast, covariates allowed; but the horizon is fixed at training and far steps are learned from
    /// fewer effective examples.
    /// </summary>
    Direct = 1,
}

/// <summary>Multi-step forecasts from a <see cref="SequenceRegressorNetwork"/> (values in the network's own units, e.g. standardised).</summary>
internal static class ForecastStrategies
{
    /// <summary>Forecasts [windows × <paramref name="horizon"/>] with <paramref name="strategy"/> (for Direct, horizon must equal the network's outputs).</summary>
    public static float[] Forecast(ForecastStrategy strategy, SequenceRegressorNetwork network, ReadOnlySpan<float[]> windows, int horizon) =>
        strategy switch
        {
            ForecastStrategy.Recursive => Recursive(network, windows, horizon),
            ForecastStrategy.Direct => network.Outputs == horizon
                ? Direct(network, windows)
                : throw new ArgumentException($"A direct forecast of horizon {horizon} needs a network with {horizon} outputs; this one has {network.Outputs}.", nameof(horizon)),
            _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Unknown strategy."),
        };

    /// <summary>
    /// Recursive strategy: the one-output, one-feature <paramref name="oneStep"/> network predicts the next
    /// value of every window; each window then drops its oldest value and appends the prediction; H times.
    /// All windows advance together, so each step is one batched forward. Returns [windows × H].
    /// </summary>
    public static float[] Recursive(SequenceRegressorNetwork oneStep, ReadOnlySpan<float[]> windows, int horizon)
    {
        ArgumentNullException.ThrowIfNull(oneStep);
        if (oneStep.Outputs != 1)
            throw new ArgumentException($"The recursive strategy needs a one-step network (1 output); this one has {oneStep.Outputs}. Use the direct strategy.", nameof(oneStep));
        if (oneStep.FeaturesPerStep != 1)
            throw new ArgumentException($"The recursive strategy feeds predictions back as inputs, so it needs a univariate network (1 feature per step); this one reads {oneStep.FeaturesPerStep}, whose future values are unknown. Use the direct strategy.", nameof(oneStep));
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "The horizon must be at least 1.");

        int count = windows.Length;
        var rolling = new float[count][];
        for (int i = 0; i < count; i++)
        {
            ArgumentNullException.ThrowIfNull(windows[i], nameof(windows));
            rolling[i] = windows[i].ToArray(); // the caller's windows stay as they are
        }
        var next = new float[count];
        var forecasts = new float[count * horizon];
        for (int h = 0; h < horizon; h++)
        {
            oneStep.Predict(rolling, next);
            for (int i = 0; i < count; i++)
            {
                forecasts[i * horizon + h] = next[i];
                var window = rolling[i];
                Array.Copy(window, 1, window, 0, window.Length - 1);
                window[^1] = next[i];
            }
        }
        return forecasts;
    }

    /// <summary>Direct strategy: one forward; the network's K outputs are the horizon. Returns [windows × K].</summary>
    public static float[] Direct(SequenceRegressorNetwork network, ReadOnlySpan<float[]> windows)
    {
        ArgumentNullException.ThrowIfNull(network);
        return network.Predict(windows);
    }

    /// <summary>
    /// The seasonal-naive forecast: each future value is the value one season earlier (same month last
    /// year for monthly data, <paramref name="seasonLength"/> = 12; 1 gives the persistence forecast).
    /// Steps beyond a season repeat the last observed season. <paramref name="origins"/>: the index of the
    /// first forecast step in <paramref name="series"/>, each ≥ seasonLength. Returns [origins × H].
    /// </summary>
    public static float[] SeasonalNaive(ReadOnlySpan<float> series, ReadOnlySpan<int> origins, int horizon, int seasonLength)
    {
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "The horizon must be at least 1.");
        if (seasonLength < 1) throw new ArgumentOutOfRangeException(nameof(seasonLength), seasonLength, "The season must be at least 1 step.");
        var forecasts = new float[origins.Length * horizon];
        for (int i = 0; i < origins.Length; i++)
        {
            int origin = origins[i];
            if (origin < seasonLength || origin > series.Length)
                throw new ArgumentOutOfRangeException(nameof(origins), origin, $"Origin {i} must be in [{seasonLength}, {series.Length}]: a full season of history is needed.");
            for (int h = 0; h < horizon; h++)
                forecasts[i * horizon + h] = series[origin - seasonLength + h % seasonLength];
        }
        return forecasts;
    }
}
