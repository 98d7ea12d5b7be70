using Lstm.MLNet.Model;

namespace Lstm.MLNet.TimeSeries;

/// <summary>
/// A trained forecaster of one series (and optional covariates) in raw units: the window of the last observations
/// → transform (<see cref="SeriesTransformKind"/>) → standardise → the network (<see cref="ForecastStrategy"/>) →
/// de-standardise → inverse transform. Holds no observations: callers pass the tail of the series they keep. One
/// instance per thread (the network's workspaces): use <see cref="CreateInferenceCopy"/> for another.
/// </summary>
internal sealed class SeriesForecaster
{
    public SeriesForecaster(SequenceRegressorNetwork network, Standardizer scaler, SeriesTransformKind transform, ForecastStrategy strategy,
        int windowSize, int horizon, int covariates, int seasonalPeriod = 0)
    {
        Network = network ?? throw new ArgumentNullException(nameof(network));
        Scaler = scaler ?? throw new ArgumentNullException(nameof(scaler));
        new SeriesWindowOptions { WindowSize = windowSize, Horizon = horizon, Covariates = covariates }.Validate();
        if (scaler.Features != 1 + covariates) throw new ArgumentException($"The scaler has {scaler.Features} features; the series and {covariates} covariate(s) need {1 + covariates}.", nameof(scaler));
        if (strategy == ForecastStrategy.Recursive && covariates > 0)
            throw new ArgumentException("The recursive strategy feeds forecasts back as inputs, so it cannot use covariates (their future values are unknown); use the direct strategy.", nameof(strategy));
        int outputs = strategy == ForecastStrategy.Direct ? horizon : 1;
        if (network.Outputs != outputs || network.FeaturesPerStep != 1 + covariates)
            throw new ArgumentException($"The network has {network.FeaturesPerStep} feature(s) and {network.Outputs} output(s); {1 + covariates} and {outputs} are needed.", nameof(network));
        if (transform == SeriesTransformKind.Auto) throw new ArgumentException("A trained forecaster holds the transform Auto chose, not Auto.", nameof(transform));
        SeriesTransform.Lag(transform, seasonalPeriod); // a seasonal kind needs its period
        SeasonalPeriod = SeriesTransform.IsSeasonal(transform) ? seasonalPeriod : 0;
        Transform = transform; Strategy = strategy; WindowSize = windowSize; Horizon = horizon; Covariates = covariates;
    }

    public SequenceRegressorNetwork Network { get; }
    public Standardizer Scaler { get; }
    public SeriesTransformKind Transform { get; }
    public ForecastStrategy Strategy { get; }
    public int WindowSize { get; }
    public int Horizon { get; }
    public int Covariates { get; }
    /// <summary>The period of a seasonal-difference transform (0 for the other kinds).</summary>
    public int SeasonalPeriod { get; }
    /// <summary>Raw observations a forecast needs: the window, plus the lag of a differencing transform.</summary>
    public int TailLength => WindowSize + SeriesTransform.Lag(Transform, SeasonalPeriod);

    /// <summary>The same forecaster on an inference view of the network (shared weights, own workspaces).</summary>
    public SeriesForecaster CreateInferenceCopy() => new(Network.CreateInferenceView(), Scaler, Transform, Strategy, WindowSize, Horizon, Covariates, SeasonalPeriod);

    /// <summary>
    /// The next <see cref="Horizon"/> raw values after <paramref name="tail"/> (the last <see cref="TailLength"/> observations,
    /// oldest first) with <paramref name="covariateTail"/> ([WindowSize × Covariates], the covariates of the window's steps).
    /// </summary>
    public void Forecast(ReadOnlySpan<float> tail, ReadOnlySpan<float> covariateTail, Span<float> forecast)
    {
        if (tail.Length != TailLength) throw new ArgumentException($"A forecast needs the last {TailLength} observations; got {tail.Length}.", nameof(tail));
        if (covariateTail.Length != WindowSize * Covariates) throw new ArgumentException($"The covariates of the window need {WindowSize * Covariates} values; got {covariateTail.Length}.", nameof(covariateTail));
        if (forecast.Length != Horizon) throw new ArgumentException($"The forecast has {Horizon} values; got room for {forecast.Length}.", nameof(forecast));
        var window = Window(tail, covariateTail);
        var predicted = Strategy == ForecastStrategy.Direct
            ? Network.Predict([window])
            : ForecastStrategies.Recursive(Network, [window], Horizon);
        for (int h = 0; h < Horizon; h++) predicted[h] = Scaler.InverseTransform(0, predicted[h]);
        SeriesTransform.Inverse(Transform, tail, SeasonalPeriod, predicted);
        predicted.AsSpan(0, Horizon).CopyTo(forecast);
    }

    /// <summary>The network's input for a tail: transformed and standardised, [WindowSize × (1 + Covariates)].</summary>
    private float[] Window(ReadOnlySpan<float> tail, ReadOnlySpan<float> covariateTail)
    {
        var series = SeriesTransform.Forward(Transform, tail, SeasonalPeriod);
        int F = 1 + Covariates;
        var window = new float[WindowSize * F];
        for (int t = 0; t < WindowSize; t++)
        {
            window[t * F] = Scaler.Transform(0, series[t]);
            for (int c = 0; c < Covariates; c++) window[t * F + 1 + c] = Scaler.Transform(1 + c, covariateTail[t * Covariates + c]);
        }
        return window;
    }
}
