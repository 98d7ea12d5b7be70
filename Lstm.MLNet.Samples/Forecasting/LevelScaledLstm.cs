using Lstm.MLNet.Model;
using Lstm.MLNet.Model.Training;
using Lstm.MLNet.TimeSeries;

namespace Lstm.MLNet.Samples.Forecasting;

/// <summary>
/// Per-window level scaling, as DeepAR and ES-RNN scale each series window by its own level, built on the model layer
/// (the forecaster has no such transform yet): each window's level L is the mean of its last season (or of the whole
/// window when the season is longer); inputs and targets are ln(x / L) for a positive series, x − L otherwise; one
/// standardiser over the training windows' inputs; the network and training options are the forecaster's defaults.
/// Forecasts are mapped back with the same window's level.
/// </summary>
public sealed class LevelScaledLstm
{
    private readonly SequenceRegressorNetwork _network;
    private readonly Standardizer _scaler;
    private readonly bool _ratio;
    private readonly int _window, _levelSpan, _horizon;

    public int BestEpoch { get; }
    public string Description => _ratio ? $"ln(x / level of last {_levelSpan})" : $"x − level of last {_levelSpan}";

    public LevelScaledLstm(float[] values, int trainCount, int period, int window, int horizon, int seed, int? maxEpochs, int? threads)
    {
        _window = window; _horizon = horizon;
        _levelSpan = period >= 2 && period <= window ? period : window;
        _ratio = values.AsSpan(0, trainCount).IndexOfAnyExceptInRange(float.Epsilon, float.MaxValue) < 0;
        var options = new LstmForecastingOptions { WindowSize = window, Horizon = horizon, Seed = seed, NumberOfThreads = threads };
        if (maxEpochs is int epochs) options.MaxEpochs = epochs;

        int windowCount = trainCount - window - horizon + 1;
        if (windowCount < 2) throw new ArgumentException($"{trainCount} training values give no windows of {window} → {horizon}.", nameof(trainCount));
        var inputs = new float[windowCount][];
        var targets = new float[windowCount][];
        for (int s = 0; s < windowCount; s++)
        {
            double level = Level(values.AsSpan(s, window));
            inputs[s] = Scale(values.AsSpan(s, window), level);
            targets[s] = Scale(values.AsSpan(s + window, horizon), level);
        }
        int validation = Math.Max(1, (int)Math.Round(windowCount * options.ValidationFraction));
        int train = windowCount - validation;
        _scaler = Standardizer.Fit(inputs.Take(train).SelectMany(w => w).ToArray());
        foreach (var w in inputs) _scaler.Transform(w);
        foreach (var t in targets) _scaler.Transform(t);
        _network = new SequenceRegressorNetwork(1, options.ToNetworkOptions(new SequenceRegressorOptions { Outputs = options.Outputs }));
        var result = SequenceTrainer.Train(_network, inputs[..train], targets[..train], inputs[train..], targets[train..], options.ToTrainingOptions());
        BestEpoch = result.BestEpoch;
    }

    /// <summary>The next horizon values after <paramref name="history"/>.</summary>
    public float[] Forecast(ReadOnlySpan<float> history)
    {
        var window = history[^_window..];
        double level = Level(window);
        var input = Scale(window, level);
        _scaler.Transform(input);
        var output = _network.Predict([input]);
        _scaler.InverseTransform(output);
        var forecast = new float[_horizon];
        for (int h = 0; h < _horizon; h++) forecast[h] = (float)(_ratio ? level * Math.Exp(output[h]) : level + output[h]);
        return forecast;
    }

    private double Level(ReadOnlySpan<float> window)
    {
        double sum = 0;
        foreach (float v in window[^_levelSpan..]) sum += v;
        return sum / _levelSpan;
    }

    private float[] Scale(ReadOnlySpan<float> values, double level)
    {
        var scaled = new float[values.Length];
        for (int i = 0; i < values.Length; i++) scaled[i] = (float)(_ratio ? Math.Log(values[i] / level) : values[i] - level);
        return scaled;
    }
}
