using Lstm.MLNet.Model;
using Lstm.MLNet.TimeSeries;

namespace Lstm.MLNet;

/// <summary>
/// Options of <c>ml.Forecasting.ForecastByLstm</c>: a series with one value per row in time order (and optional
/// covariate columns), the window and horizon, and the network and training options of <see cref="LstmTrainingOptions"/> (no text or score columns). Column names follow
/// ML.NET's <c>ForecastBySsa</c>, so one can replace the other.
/// </summary>
public sealed class LstmForecastingOptions : LstmTrainingOptions
{
    /// <summary>Options with the forecaster's defaults (unidirectional, last-state pooling, no dropout, 15% validation).</summary>
    public LstmForecastingOptions()
    {
        UseNumericSequenceDefaults();
        HiddenSize = 32;
        BatchSize = 16;
        MaxEpochs = 200;
        EarlyStoppingPatience = 20;
        ValidationFraction = 0.15;
    }

    /// <summary>The series: a Single column, one observation per row, in time order.</summary>
    public string InputColumnName { get; set; } = "Value";
    /// <summary>Extra Single columns read at each step (direct strategy only: their future values are unknown).</summary>
    public string[] CovariateColumnNames { get; set; } = [];
    /// <summary>The forecast: a vector of <see cref="Horizon"/> values.</summary>
    public string OutputColumnName { get; set; } = "Forecast";
    /// <summary>The interval's lower bound: a vector of <see cref="Horizon"/> values.</summary>
    public string ConfidenceLowerBoundColumn { get; set; } = "LowerBound";
    /// <summary>The interval's upper bound: a vector of <see cref="Horizon"/> values.</summary>
    public string ConfidenceUpperBoundColumn { get; set; } = "UpperBound";
    /// <summary>Observations the network reads per forecast.</summary>
    public int WindowSize { get; set; } = 12;
    /// <summary>Values forecast ahead.</summary>
    public int Horizon { get; set; } = 1;
    /// <summary>Rows of the input used for training (the first ones); 0 = all.</summary>
    public int TrainSize { get; set; }
    /// <summary>Coverage of the interval [LowerBound, UpperBound], from the validation residuals' quantiles per horizon step.</summary>
    public float ConfidenceLevel { get; set; } = 0.95f;
    /// <summary>Direct (one model, Horizon outputs; the default) or recursive (one-step model fed its own forecasts). See <see cref="ForecastStrategy"/>.</summary>
    public ForecastStrategy Strategy { get; set; } = ForecastStrategy.Direct;
    /// <summary>
    /// Transform of the series before windowing (undone on the forecasts). <see cref="SeriesTransformKind.Auto"/> (the
    /// default) trains the candidates and keeps the best on the validation windows; an explicit kind is always used as
    /// given, e.g. LogDifference for a trend with growing seasonality, or Log for a count whose interval must stay at or
    /// above zero. A trained model's options show the transform it uses.
    /// </summary>
    public SeriesTransformKind Transform { get; set; } = SeriesTransformKind.Auto;
    /// <summary>
    /// The seasonal period (12 for monthly data, 24 for hourly, 7 for daily with a weekly pattern) for seasonal-naive and
    /// the seasonal-difference transforms; 0 (the default) detects it from the series' autocorrelation, 1 means not seasonal.
    /// </summary>
    public int SeasonalPeriod { get; set; }

    /// <summary>
    /// The column naming each row's series (Text or a number), for one model across many series (a global model, as
    /// ES-RNN and DeepAR): rows of each series in time order, series interleaved or one after another. Each series is put
    /// on a shared scale by its own seasonal figure and each window's level, windows of all series are pooled for training
    /// (at most <see cref="MaxGlobalTrainingWindows"/>, thinned per series in proportion), and the engine keeps one state
    /// per series (<c>Update(seriesId, value)</c>, <c>Predict(seriesId)</c>). Null or empty (the default): one series.
    /// With it, the transform is the global model's own scaling (leave <see cref="Transform"/> at Auto), the strategy is
    /// direct, there are no covariates, and the naive guard decides per series; <see cref="SeasonalPeriod"/> 0 takes the
    /// period detected most often.
    /// </summary>
    public string? SeriesIdColumnName { get; set; }

    /// <summary>
    /// A global model's networks (1 to 8): each trained from its own seed (<see cref="LstmTrainingOptions.Seed"/>, + 1, …),
    /// the forecast their mean, at that many times the training time. 1 (the default): one network. Only with
    /// <see cref="SeriesIdColumnName"/>.
    /// </summary>
    public int EnsembleSize { get; set; } = 1;

    /// <summary>The pooled training windows of a global model are thinned to at most this many (it bounds the time of an epoch).</summary>
    internal const int MaxGlobalTrainingWindows = 20_000;

    /// <summary>Whether this is a global model over the series named by <see cref="SeriesIdColumnName"/>.</summary>
    internal bool IsGlobal => !string.IsNullOrEmpty(SeriesIdColumnName);

    /// <summary>The network's outputs per forecast: the horizon (direct) or one step (recursive).</summary>
    internal int Outputs => Strategy == ForecastStrategy.Direct ? Horizon : 1;

    internal void ValidateForecasting()
    {
        ArgumentNullException.ThrowIfNull(CovariateColumnNames, nameof(CovariateColumnNames));
        // The window before the network: Horizon becomes the network's Outputs, and the user set Horizon.
        new SeriesWindowOptions { WindowSize = WindowSize, Horizon = Horizon, Covariates = CovariateColumnNames.Length }.Validate();
        ValidateTraining(ToNetworkOptions(new SequenceRegressorOptions { Outputs = Outputs }));
        if (string.IsNullOrWhiteSpace(InputColumnName)) throw new ArgumentException("InputColumnName must name the series column.", nameof(InputColumnName));
        foreach (var name in new[] { OutputColumnName, ConfidenceLowerBoundColumn, ConfidenceUpperBoundColumn })
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("Output column names must not be blank.", nameof(OutputColumnName));
        if (TrainSize < 0) throw new ArgumentOutOfRangeException(nameof(TrainSize), TrainSize, "Must be 0 (all rows) or positive.");
        if (!(ConfidenceLevel > 0 && ConfidenceLevel < 1)) throw new ArgumentOutOfRangeException(nameof(ConfidenceLevel), ConfidenceLevel, "Must be in (0, 1).");
        if (!Enum.IsDefined(Strategy)) throw new ArgumentOutOfRangeException(nameof(Strategy), Strategy, "Unknown strategy.");
        if (!Enum.IsDefined(Transform)) throw new ArgumentOutOfRangeException(nameof(Transform), Transform, "Unknown transform.");
        if (SeasonalPeriod < 0 || SeasonalPeriod > SeriesTransform.MaxSeasonalPeriod)
            throw new ArgumentOutOfRangeException(nameof(SeasonalPeriod), SeasonalPeriod, $"Must be 0 (detect), 1 (not seasonal) or a period from 2 to {SeriesTransform.MaxSeasonalPeriod}.");
        if (SeasonalPeriod == 1 && SeriesTransform.IsSeasonal(Transform))
            throw new ArgumentException($"The {Transform} transform needs a seasonal period; SeasonalPeriod is 1 (not seasonal).", nameof(SeasonalPeriod));
        if (EnsembleSize is < 1 or > GlobalSeriesForecaster.MaxNetworks)
            throw new ArgumentOutOfRangeException(nameof(EnsembleSize), EnsembleSize, $"Must be 1 to {GlobalSeriesForecaster.MaxNetworks}.");
        if (EnsembleSize > 1 && !IsGlobal)
            throw new ArgumentException("EnsembleSize above 1 trains several networks of a global model: set SeriesIdColumnName too.", nameof(EnsembleSize));
        if (IsGlobal)
        {
            if (string.IsNullOrWhiteSpace(SeriesIdColumnName)) throw new ArgumentException("SeriesIdColumnName must name a column (or be null for one series).", nameof(SeriesIdColumnName));
            if (CovariateColumnNames.Length > 0) throw new ArgumentException("A global model (SeriesIdColumnName set) takes no covariates.", nameof(CovariateColumnNames));
            if (Strategy != ForecastStrategy.Direct) throw new ArgumentException("A global model (SeriesIdColumnName set) forecasts directly; use ForecastStrategy.Direct.", nameof(Strategy));
            if (Transform != SeriesTransformKind.Auto)
                throw new ArgumentException($"A global model (SeriesIdColumnName set) scales each series by its own season and level; Transform must stay Auto, not {Transform}.", nameof(Transform));
            if (TrainSize != 0) throw new ArgumentException("A global model (SeriesIdColumnName set) trains on every row: TrainSize must be 0 (filter the rows instead).", nameof(TrainSize));
        }
        if (Strategy == ForecastStrategy.Recursive && CovariateColumnNames.Length > 0)
            throw new ArgumentException("The recursive strategy cannot use covariates (their future values are unknown); use ForecastStrategy.Direct.", nameof(CovariateColumnNames));
    }
}
