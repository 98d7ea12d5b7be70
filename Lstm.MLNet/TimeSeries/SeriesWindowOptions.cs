using Lstm.MLNet.Model;

namespace Lstm.MLNet.TimeSeries;

/// <summary>
/// The window a forecaster reads and the horizon it forecasts, bounded so that every size derived from them
/// (W + H + lag, windows × W × F, the network's outputs) is exact in 32 bits. Training and a saved model's
/// loader check the same bounds.
/// </summary>
internal sealed record SeriesWindowOptions
{
    /// <summary>WindowSize cap: steps the LSTM runs one after another per forecast.</summary>
    public const int MaxWindowSize = 100_000;

    /// <summary>Observations per window (W).</summary>
    public int WindowSize { get; init; }
    /// <summary>Values forecast ahead (H); the direct strategy's network has H outputs.</summary>
    public int Horizon { get; init; }
    /// <summary>Covariate values read at each step (the network sees 1 + Covariates features).</summary>
    public int Covariates { get; init; }

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming WindowSize, Horizon or the covariates when out of range.</summary>
    public void Validate()
    {
        ModelLimits.RequireInRange(WindowSize, 1, MaxWindowSize, nameof(WindowSize));
        ModelLimits.RequireInRange(Horizon, 1, ModelLimits.MaxOutputs, nameof(Horizon));
        ModelLimits.RequireInRange(Covariates, 0, ModelLimits.MaxFeaturesPerStep - 1, nameof(Covariates));
    }
}
