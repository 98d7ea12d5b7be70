using Lstm.MLNet.Model;
using Lstm.MLNet.Model.Training;
using Lstm.MLNet.TimeSeries;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Lstm.MLNet;

/// <summary>
/// Trains an LSTM forecaster on a series (one Single value per row, in time order, optional covariate columns): it
/// transforms and standardises the series, cuts (WindowSize → Horizon) windows itself (as Keras'
/// <c>timeseries_dataset_from_array</c>), keeps the last windows in time for validation (early stopping and the
/// interval residuals), trains with the shared training engine, and returns an <see cref="LstmForecastingTransformer"/>
/// holding the series' last observations as its state.
/// </summary>
public sealed class LstmForecastingEstimator : IEstimator<LstmForecastingTransformer>
{
    private readonly IHost _host;
    private readonly LstmForecastingOptions _options;

    /// <summary>A forecaster estimator with <paramref name="options"/>, logging to <paramref name="ml"/>.</summary>
    public LstmForecastingEstimator(MLContext ml, LstmForecastingOptions options) : this((IHostEnvironment)ml, options)
    {
    }

    internal LstmForecastingEstimator(IHostEnvironment environment, LstmForecastingOptions options)
    {
        MLNetCompatibility.EnsureSupported();
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateForecasting();
        _host = environment.Register(nameof(LstmForecastingEstimator));
        _options = (LstmForecastingOptions)options.Copy();
    }

    /// <summary>Trains on the series in <paramref name="input"/> (rows in time order); the model holds the series' last observations as its state.</summary>
    public LstmForecastingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        var (seriesColumn, covariateColumns) = SeriesColumns.Resolve(input.Schema, o);
        int C = covariateColumns.Length, W = o.WindowSize, H = o.Horizon, lag = SeriesTransform.Lag(o.Transform);
        using var channel = _host.Start("Training LSTM forecaster");
        var (raw, covariates) = SeriesColumns.Read(input, seriesColumn, covariateColumns, "training", o.TrainSize);
        int needed = W + H + lag;
        if (raw.Length < needed)
            throw new ArgumentException($"The series '{seriesColumn.Name}' has {raw.Length} observations{(o.TrainSize > 0 ? $" in its first {o.TrainSize} rows" : "")}; " +
                $"a window of {W} and a horizon of {H}{(lag > 0 ? $" after {o.Transform} (which uses one more)" : "")} need at least {needed}.", nameof(input));

        // Transformed series (step t ↔ raw row t + lag) with its covariates, standardised on the training part only.
        var transformed = SeriesTransform.Forward(o.Transform, raw);
        var stepCovariates = covariates.AsSpan(lag * C).ToArray();
        int outputs = o.Strategy == ForecastStrategy.Direct ? H : 1;
        int windowCount = transformed.Length - W - outputs + 1;
        int validationCount = o.ValidationFraction == 0 ? 0 : Math.Max(1, (int)Math.Round(windowCount * o.ValidationFraction));
        if (validationCount >= windowCount)
            throw new ArgumentException($"The series gives {windowCount} training window(s); a validation fraction of {o.ValidationFraction} leaves none to train on.", nameof(input));
        int trainSteps = windowCount - validationCount + W + outputs - 1; // the steps the training windows cover
        var interleaved = new float[transformed.Length * (1 + C)];
        for (int t = 0; t < transformed.Length; t++)
        {
            interleaved[t * (1 + C)] = transformed[t];
            for (int c = 0; c < C; c++) interleaved[t * (1 + C) + 1 + c] = stepCovariates[t * C + c];
        }
        var scaler = Standardizer.Fit(interleaved.AsSpan(0, trainSteps * (1 + C)), 1 + C);
        var scaledSeries = transformed.Select(v => scaler.Transform(0, v)).ToArray();
        var scaledCovariates = new float[stepCovariates.Length];
        for (int t = 0; t < transformed.Length; t++)
            for (int c = 0; c < C; c++) scaledCovariates[t * C + c] = scaler.Transform(1 + c, stepCovariates[t * C + c]);

        var windows = SeriesWindows.Create(scaledSeries, W, outputs, scaledCovariates);
        var train = windows.Slice(0, windowCount - validationCount);
        var validation = windows.Slice(windowCount - validationCount, validationCount);
        float[][] Targets(SeriesWindows w) => Enumerable.Range(0, w.Count).Select(i => w.Targets.AsSpan(i * outputs, outputs).ToArray()).ToArray();

        var network = new SequenceRegressorNetwork(1 + C, o.ToNetworkOptions(new SequenceRegressorOptions { Outputs = o.Outputs }));
        channel.Info($"Forecasting '{seriesColumn.Name}' ({raw.Length} observations{(C > 0 ? $", {C} covariate(s)" : "")}, {o.Transform} transform): {train.Count} training and " +
                     $"{validation.Count} validation windows of {W} → {H} ({o.Strategy}); LSTM {o.NumberOfLayers}×{o.HiddenSize}; {network.Context}.");
        var result = SequenceTrainer.Train(network, train.Inputs, Targets(train), validation.Count > 0 ? validation.Inputs : null,
            validation.Count > 0 ? Targets(validation) : null, o.ToTrainingOptions(), o.Progress, line => channel.Info(line), o.CancellationToken);
        channel.Info($"Kept the weights of epoch {result.BestEpoch} of {result.History.Count}.");

        var forecaster = new SeriesForecaster(network, scaler, o.Transform, o.Strategy, W, H, C);
        // Residuals of the last origins: as many as validation windows (the training's last 50 in-sample ones without validation).
        int residualOrigins = validationCount > 0 ? validationCount : 50;
        var intervals = FitIntervals(forecaster, raw, covariates, firstOrigin: raw.Length - H - residualOrigins + 1, o.ConfidenceLevel);
        var tail = raw.AsSpan(raw.Length - forecaster.TailLength).ToArray();
        var covariateTail = covariates.AsSpan(covariates.Length - W * C).ToArray();
        return new LstmForecastingTransformer(_host, o, forecaster, intervals, tail, covariateTail, result.History, result.BestEpoch);
    }

    /// <summary>
    /// Interval offsets from the residuals of full-horizon forecasts whose targets lie in the last part of the series (the
    /// validation windows; the last in-sample ones without validation), in raw units.
    /// </summary>
    private static ResidualIntervals FitIntervals(SeriesForecaster forecaster, float[] raw, float[] covariates, int firstOrigin, float confidence)
    {
        int H = forecaster.Horizon, C = forecaster.Covariates, tailLength = forecaster.TailLength, W = forecaster.WindowSize;
        // An origin is the index of the first forecast value; it needs tailLength observations before it and H after.
        int lastOrigin = raw.Length - H;
        int first = Math.Clamp(firstOrigin, tailLength, lastOrigin);
        int count = lastOrigin - first + 1;
        var forecasts = new float[count * H];
        var actuals = new float[count * H];
        for (int i = 0; i < count; i++)
        {
            int origin = first + i;
            forecaster.Forecast(raw.AsSpan(origin - tailLength, tailLength), covariates.AsSpan((origin - W) * C, W * C), forecasts.AsSpan(i * H, H));
            raw.AsSpan(origin, H).CopyTo(actuals.AsSpan(i * H, H));
        }
        return ResidualIntervals.Fit(forecasts, actuals, H, confidence);
    }

    /// <summary>The network's hyperparameters (also used when loading a saved model).</summary>

    /// <summary>Checks the series (and covariate) columns and adds Forecast, LowerBound and UpperBound.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var name in _options.CovariateColumnNames.Prepend(_options.InputColumnName))
        {
            if (!inputSchema.TryFindColumn(name, out var column))
                throw LstmColumns.MissingColumn(name == _options.InputColumnName ? "series" : "covariate", name, inputSchema.Select(c => c.Name));
            if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not NumberDataViewType { RawType: var raw } || raw != typeof(float))
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Column '{name}' has type {LstmColumns.Describe(column)}; the forecaster expects Single.");
        }
        var columns = inputSchema.ToDictionary(c => c.Name);
        foreach (var name in new[] { _options.OutputColumnName, _options.ConfidenceLowerBoundColumn, _options.ConfidenceUpperBoundColumn })
            columns[name] = new SchemaShape.Column(name, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false);
        return new SchemaShape(columns.Values);
    }
}

/// <summary><c>ml.Forecasting.ForecastByLstm(...)</c>, beside ML.NET's <c>ForecastBySsa</c>.</summary>
public static class LstmForecastingCatalog
{
    /// <summary>An LSTM forecaster of a series, with SSA-style columns (<c>ForecastBySsa</c>'s names).</summary>
    public static LstmForecastingEstimator ForecastByLstm(this ForecastingCatalog catalog, LstmForecastingOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new LstmForecastingEstimator(CatalogUtils.GetEnvironment(catalog), options);
    }

    /// <summary>The SSA-style overload: column names, window, horizon, train size and confidence; the LSTM defaults otherwise.</summary>
    public static LstmForecastingEstimator ForecastByLstm(this ForecastingCatalog catalog, string outputColumnName, string inputColumnName,
        int windowSize, int horizon, int trainSize = 0, float confidenceLevel = 0.95f, string confidenceLowerBoundColumn = "LowerBound",
        string confidenceUpperBoundColumn = "UpperBound")
        => catalog.ForecastByLstm(new LstmForecastingOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, WindowSize = windowSize, Horizon = horizon,
            TrainSize = trainSize, ConfidenceLevel = confidenceLevel, ConfidenceLowerBoundColumn = confidenceLowerBoundColumn,
            ConfidenceUpperBoundColumn = confidenceUpperBoundColumn,
        });
}
