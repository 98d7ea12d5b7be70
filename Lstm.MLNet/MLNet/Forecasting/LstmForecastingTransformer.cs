using Lstm.MLNet.Model;
using Lstm.MLNet.Model.Persistence;
using Lstm.MLNet.TimeSeries;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Lstm.MLNet;

/// <summary>One forecast: the next values and their interval.</summary>
public sealed record LstmForecast(float[] Forecast, float[] LowerBound, float[] UpperBound);

/// <summary>
/// A trained LSTM forecaster, the counterpart of ML.NET's SSA forecasting transformer. It carries the state of the
/// series (its last observations); <see cref="Transform"/> reads the rows as the series' continuation, in order, and
/// gives each row <c>Forecast</c> (the next Horizon values after it), <c>LowerBound</c> and <c>UpperBound</c>. For
/// serving, <see cref="CreateForecastingEngine"/> gives a stateful engine (Update / Predict / CheckPoint), like ML.NET's
/// <c>TimeSeriesPredictionEngine</c>. Not a row-to-row mapper (each row depends on the rows before it), so use the engine
/// rather than a <c>PredictionEngine</c>. Saved and loaded with <c>ml.Model.Save</c>/<c>Load</c>, state included.
/// </summary>
public sealed class LstmForecastingTransformer : ITransformer
{
    internal const string LoaderSignature = "LstmForecaster";
    internal const string UserName = "LSTM Forecaster";

    private readonly IHost _host;
    private readonly LstmForecastingOptions _options;
    private readonly GuardedForecaster? _model;           // one series
    private readonly GlobalSeriesForecaster? _global;     // or many (SeriesIdColumnName)
    private readonly GlobalSeriesState? _globalState;
    private readonly ForecastDiagnostics _diagnostics;
    private readonly float[] _tail;           // [StateLength] the last raw observations, oldest first
    private readonly float[] _covariateTail;  // [WindowSize × C] the covariates of the window's steps
    private readonly LstmTrainingProgress[] _history;

    internal LstmForecastingTransformer(IHostEnvironment environment, LstmForecastingOptions options, GuardedForecaster model,
        float[] tail, float[] covariateTail, IReadOnlyList<LstmTrainingProgress> history, int bestEpoch)
    {
        _host = environment.Register(nameof(LstmForecastingTransformer));
        _options = SavedOptions.Of(options);
        _model = model;
        _diagnostics = model.Diagnostics;
        model.CheckState(tail.Length, covariateTail.Length, message => new ArgumentException(message, nameof(tail)));
        _tail = tail.ToArray();
        _covariateTail = covariateTail.ToArray();
        _history = history.ToArray();
        BestEpoch = bestEpoch;
    }

    internal LstmForecastingTransformer(IHostEnvironment environment, LstmForecastingOptions options, GlobalSeriesForecaster model,
        GlobalSeriesState state, ForecastDiagnostics diagnostics, IReadOnlyList<LstmTrainingProgress> history, int bestEpoch)
    {
        _host = environment.Register(nameof(LstmForecastingTransformer));
        _options = SavedOptions.Of(options);
        _global = model;
        state.Check(model, message => new ArgumentException(message, nameof(state)));
        _globalState = state.Copy();
        _diagnostics = diagnostics;
        _tail = []; _covariateTail = [];
        _history = history.ToArray();
        BestEpoch = bestEpoch;
    }

    /// <summary>The options the model was trained with.</summary>
    public LstmForecastingOptions Options => (LstmForecastingOptions)_options.Copy();
    /// <summary>One entry per finished training epoch.</summary>
    public IReadOnlyList<LstmTrainingProgress> TrainingHistory => _history;
    /// <summary>The epoch whose weights the model holds.</summary>
    public int BestEpoch { get; }
    /// <summary>Values forecast ahead.</summary>
    public int Horizon => _model?.Horizon ?? _global!.Horizon;
    /// <summary>The interval offsets learned from the validation residuals of what is served.</summary>
    internal ResidualIntervals Intervals => _model?.Intervals ?? _global!.Intervals;
    /// <summary>
    /// What Fit decided and why: the transform and seasonal period used, the validation errors of the network, persistence
    /// and seasonal-naive, and whether the network, a blend or a naive forecast is served (also logged at Fit).
    /// </summary>
    public ForecastDiagnostics Diagnostics => _diagnostics;
    /// <summary>The last observations the model holds (oldest first): the state a forecast starts from (empty for a model of many series).</summary>
    public IReadOnlyList<float> LastObservations => _tail;

    /// <summary>False: each forecast depends on the rows before it.</summary>
    public bool IsRowToRowMapper => false;

    /// <summary>The forecast of the next Horizon values after the model's state (one series; a model of many series throws).</summary>
    public LstmForecast Predict() => CreateForecastingEngine().Predict();

    /// <summary>A stateful engine starting from the model's state (its own copy: the model does not change).</summary>
    public LstmForecastingEngine CreateForecastingEngine() => _model != null
        ? new(this, _model.CreateInferenceCopy(), _tail, _covariateTail)
        : new(this, _global!.CreateInferenceCopy(), _globalState!);

    /// <summary>
    /// An engine shaped like ML.NET's <c>TimeSeriesPredictionEngine</c>: <typeparamref name="TSrc"/> carries the observation
    /// (and covariates or series id), <typeparamref name="TDst"/> receives Forecast, LowerBound and UpperBound (float[]).
    /// </summary>
    public LstmTimeSeriesEngine<TSrc, TDst> CreateTimeSeriesEngine<TSrc, TDst>() where TSrc : class where TDst : class, new() => new(this);

    internal LstmForecastingTransformer WithState(float[] tail, float[] covariateTail) =>
        new(_host, _options, _model!, tail, covariateTail, _history, BestEpoch);

    internal LstmForecastingTransformer WithState(GlobalSeriesState state) =>
        new(_host, _options, _global!, state, _diagnostics, _history, BestEpoch);

    internal string? SeriesIdColumnName => _options.SeriesIdColumnName;

    internal string InputColumnName => _options.InputColumnName;
    internal IReadOnlyList<string> CovariateColumnNames => _options.CovariateColumnNames;

    /// <summary>The input schema with Forecast, LowerBound and UpperBound (vectors of <see cref="Horizon"/> values) added.</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SeriesColumns.Resolve(inputSchema, _options);
        if (_global != null) SeriesColumns.ResolveId(inputSchema, _options);
        var builder = new DataViewSchema.Builder();
        // Every input column keeps its index (an input column named like an output is hidden by it, as in ML.NET).
        foreach (var column in inputSchema) builder.AddColumn(column.Name, column.Type, column.Annotations);
        var vector = new VectorDataViewType(NumberDataViewType.Single, Horizon);
        foreach (var name in OutputNames) builder.AddColumn(name, vector);
        return builder.ToSchema();
    }

    private string[] OutputNames => [_options.OutputColumnName, _options.ConfidenceLowerBoundColumn, _options.ConfidenceUpperBoundColumn];

    /// <summary>Throws <see cref="NotSupportedException"/>: the forecaster is not a row-to-row mapper.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException("An LSTM forecast depends on the rows before it, so the forecaster is not a row-to-row mapper: " +
            "use Transform on the series in order, or CreateForecastingEngine() for one forecast at a time (a PredictionEngine cannot serve it).");

    /// <summary>Reads <paramref name="input"/>'s rows as the continuation of the series (in order) and forecasts after each.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var schema = GetOutputSchema(input.Schema);
        var (series, covariates) = SeriesColumns.Resolve(input.Schema, _options);
        if (_global != null)
        {
            var idColumn = SeriesColumns.ResolveId(input.Schema, _options);
            return new AppendedForecastDataView(input, schema, new Lazy<LstmForecast[]>(() =>
            {
                var engine = CreateForecastingEngine();
                var (ids, values) = SeriesColumns.ReadWithIds(input, series, idColumn, "input");
                var result = new LstmForecast[values.Length];
                for (int row = 0; row < values.Length; row++)
                {
                    engine.Update(ids[row], values[row]);
                    result[row] = engine.Predict(ids[row]);
                }
                return result;
            }));
        }
        var forecasts = new Lazy<LstmForecast[]>(() =>
        {
            var engine = CreateForecastingEngine();
            var (values, covariateValues) = SeriesColumns.Read(input, series, covariates, "input");
            var result = new LstmForecast[values.Length];
            int C = covariates.Length;
            for (int row = 0; row < values.Length; row++)
            {
                engine.Update(values[row], covariateValues.AsSpan(row * C, C));
                result[row] = engine.Predict();
            }
            return result;
        });
        return new AppendedForecastDataView(input, schema, forecasts);
    }

    // ---------------------------------------------------------------------------------------------
    // Persistence. Payload: the shared options (LstmModelFormat); series, covariate and output column names;
    // window, horizon, train size, confidence, strategy, transform; then the forecaster (GuardedForecaster.Write: scaler,
    // intervals, engine state, tensors, guard) with this transformer's history and best epoch between state and tensors.
    // v2 (0x00020001) wraps it in a ModelEnvelope, so the scaler and the checkpointed state are under the same hash as the
    // weights; v1 (0x00010001) wrote it straight.
    // ---------------------------------------------------------------------------------------------

    private static VersionInfo GetVersionInfo() => LstmModelFormat.VersionOf("LSTMFCST", LoaderSignature);

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        _host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        if (_global != null) { ModelEnvelope.Write(ctx.Writer, ModelKind.GlobalForecaster, WriteGlobal); return; }
        ModelEnvelope.Write(ctx.Writer, ModelKind.Forecaster, w =>
        {
            LstmModelFormat.WriteOptions(w, _options);
            w.Write(_options.InputColumnName);
            w.Write(_options.CovariateColumnNames.Length);
            foreach (var name in _options.CovariateColumnNames) w.Write(name);
            w.Write(_options.OutputColumnName); w.Write(_options.ConfidenceLowerBoundColumn); w.Write(_options.ConfidenceUpperBoundColumn);
            w.Write(_options.WindowSize); w.Write(_options.Horizon); w.Write(_options.TrainSize); w.Write(_options.ConfidenceLevel);
            w.Write((int)_options.Strategy); w.Write((int)_options.Transform);
            _model!.Write(w, _tail, _covariateTail, record =>
            {
                LstmModelFormat.WriteHistory(record, _history);
                record.Write(BestEpoch);
            });
        });
    }

    private static LstmForecastingTransformer Create(IHostEnvironment env, ModelLoadContext ctx) =>
        LstmModelFormat.Load(env, ctx, GetVersionInfo(), "LSTM forecaster", [ModelKind.Forecaster, ModelKind.GlobalForecaster],
            (r, kind, formatVersion) => kind == ModelKind.GlobalForecaster ? ReadGlobal(env, r, formatVersion) : Read(env, r, isV1: kind == null));

    // Global model payload (ModelKind.GlobalForecaster): the shared options (LstmModelFormat); series, series-id and output
    // column names; window, horizon, confidence, seasonal period; the model (GlobalSeriesForecaster.Write); the engine state
    // (per series its tail and int64 position); the training history and best epoch; the diagnostics' reason.
    private void WriteGlobal(BinaryWriter w)
    {
        LstmModelFormat.WriteOptions(w, _options);
        w.Write(_options.InputColumnName); w.Write(_options.SeriesIdColumnName!);
        w.Write(_options.OutputColumnName); w.Write(_options.ConfidenceLowerBoundColumn); w.Write(_options.ConfidenceUpperBoundColumn);
        w.Write(_options.WindowSize); w.Write(_options.Horizon); w.Write(_options.ConfidenceLevel); w.Write(_options.SeasonalPeriod);
        _global!.Write(w);
        for (int i = 0; i < _globalState!.Tails.Length; i++) { ModelPayload.WriteFloats(w, _globalState.Tails[i]); w.Write(_globalState.Positions[i]); }
        LstmModelFormat.WriteHistory(w, _history);
        w.Write(BestEpoch);
        w.Write(_diagnostics.Reason);
    }

    private static LstmForecastingTransformer ReadGlobal(IHostEnvironment env, BinaryReader r, int formatVersion)
    {
        var options = LstmModelFormat.ReadOptions(r, new LstmForecastingOptions());
        options.InputColumnName = r.ReadString(); options.SeriesIdColumnName = r.ReadString();
        options.OutputColumnName = r.ReadString(); options.ConfidenceLowerBoundColumn = r.ReadString(); options.ConfidenceUpperBoundColumn = r.ReadString();
        options.WindowSize = r.ReadInt32(); options.Horizon = r.ReadInt32(); options.ConfidenceLevel = r.ReadSingle(); options.SeasonalPeriod = r.ReadInt32();
        try { options.ValidateForecasting(); }
        catch (ArgumentException e) { throw new InvalidDataException($"The saved options are invalid: {e.Message}", e); }
        var networkOptions = options.ToNetworkOptions(new SequenceRegressorOptions { Outputs = options.Horizon });
        networkOptions.Validate();
        var model = GlobalSeriesForecaster.Read(r, networkOptions, options.ConfidenceLevel, formatVersion);
        options.EnsembleSize = model.Networks.Count;
        if (model.WindowSize != options.WindowSize || model.Horizon != options.Horizon || model.SeasonalPeriod != options.SeasonalPeriod)
            throw new InvalidDataException($"The saved global model ({model.WindowSize} → {model.Horizon}, period {model.SeasonalPeriod}) disagrees with its options " +
                $"({options.WindowSize} → {options.Horizon}, period {options.SeasonalPeriod}).");
        var tails = new float[model.SeriesIds.Count][];
        var positions = new long[tails.Length];
        for (int i = 0; i < tails.Length; i++) { tails[i] = ModelPayload.ReadFloats(r, $"state of series {i}"); positions[i] = r.ReadInt64(); }
        var history = LstmModelFormat.ReadHistory(r);
        int bestEpoch = r.ReadInt32();
        string reason = r.ReadString();
        GlobalSeriesState state;
        try { state = new GlobalSeriesState(tails, positions); }
        catch (ArgumentException e) { throw new InvalidDataException($"The saved engine state is invalid: {e.Message}", e); }
        state.Check(model, message => new InvalidDataException(message));
        var diagnostics = LstmForecastingEstimator.GlobalDiagnostics(model, reason);
        return new LstmForecastingTransformer(env, options, model, state, diagnostics, history, bestEpoch);
    }

    private static LstmForecastingTransformer Read(IHostEnvironment env, BinaryReader r, bool isV1)
    {
        var options = LstmModelFormat.ReadOptions(r, new LstmForecastingOptions());
        options.InputColumnName = r.ReadString();
        options.CovariateColumnNames = new string[ModelPayload.CheckCount(r, r.ReadInt32(), 1, "covariates")];
        for (int i = 0; i < options.CovariateColumnNames.Length; i++) options.CovariateColumnNames[i] = r.ReadString();
        options.OutputColumnName = r.ReadString(); options.ConfidenceLowerBoundColumn = r.ReadString(); options.ConfidenceUpperBoundColumn = r.ReadString();
        options.WindowSize = r.ReadInt32(); options.Horizon = r.ReadInt32(); options.TrainSize = r.ReadInt32(); options.ConfidenceLevel = r.ReadSingle();
        options.Strategy = (ForecastStrategy)r.ReadInt32(); options.Transform = (SeriesTransformKind)r.ReadInt32();
        try { options.ValidateForecasting(); }
        catch (ArgumentException e) { throw new InvalidDataException($"The saved options are invalid: {e.Message}", e); }
        int C = options.CovariateColumnNames.Length;
        var networkOptions = options.ToNetworkOptions(new SequenceRegressorOptions { Outputs = options.Outputs });
        networkOptions.Validate();   // the network's own checks (sizes, budget) before anything is allocated for it
        var history = Array.Empty<LstmTrainingProgress>();
        int bestEpoch = 0;
        var shape = new ForecasterShape(networkOptions, options.Transform, options.Strategy, options.WindowSize, options.Horizon, C, options.ConfidenceLevel);
        var (model, tail, covariateTail) = GuardedForecaster.Read(r, shape, mayHoldGuard: !isV1, record =>
        {
            history = LstmModelFormat.ReadHistory(record);
            bestEpoch = record.ReadInt32();
        });
        options.SeasonalPeriod = model.Diagnostics.SeasonalPeriod;
        return new LstmForecastingTransformer(env, options, model, tail, covariateTail, history, bestEpoch);
    }
}

/// <summary>
/// The stateful forecasting engine, like ML.NET's <c>TimeSeriesPredictionEngine</c>: feed observations with
/// <see cref="Update(string, float)"/>, ask for the next values with <see cref="Predict(string)"/>, and save the state into a model zip with
/// <see cref="CheckPoint(MLContext, string)"/> so a reloaded model continues where this engine stopped. Not thread-safe (one per thread).
/// </summary>
public sealed class LstmForecastingEngine
{
    private readonly LstmForecastingTransformer _model;
    private readonly GuardedForecaster? _forecaster;       // one series
    private readonly GlobalSeriesForecaster? _global;     // or many
    private readonly GlobalSeriesState? _globalState;
    private readonly float[] _tail, _covariateTail;
    private readonly int _covariates;

    internal LstmForecastingEngine(LstmForecastingTransformer model, GlobalSeriesForecaster global, GlobalSeriesState state)
    {
        _model = model;
        _global = global;
        _globalState = state.Copy();
        _tail = []; _covariateTail = [];
    }

    /// <summary>The series a model of many series (<see cref="LstmForecastingOptions.SeriesIdColumnName"/>) forecasts; empty for one series.</summary>
    public IReadOnlyList<string> SeriesIds => _global?.SeriesIds ?? [];

    /// <summary>Appends one observation to series <paramref name="seriesId"/> of a model of many series.</summary>
    public void Update(string seriesId, float observation)
    {
        int series = SeriesIndex(seriesId);
        if (!float.IsFinite(observation))
            throw new ArgumentOutOfRangeException(nameof(observation), observation, $"The observation of series '{seriesId}' is not finite; impute it before updating.");
        _globalState!.Update(series, observation);
        Updates++;
    }

    /// <summary>The next Horizon values of series <paramref name="seriesId"/> after its last observation, with their interval.</summary>
    public LstmForecast Predict(string seriesId)
    {
        int series = SeriesIndex(seriesId);
        int H = _global!.Horizon;
        var forecast = new float[H];
        var lower = new float[H];
        var upper = new float[H];
        _global.Forecast(series, _globalState!.Tails[series], _globalState.Positions[series], forecast, lower, upper);
        return new LstmForecast(forecast, lower, upper);
    }

    private int SeriesIndex(string seriesId)
    {
        ArgumentNullException.ThrowIfNull(seriesId);
        if (_global == null)
            throw new InvalidOperationException("This model forecasts one series: use Update(observation) and Predict() (SeriesIdColumnName was not set at training).");
        int series = _global.IndexOf(seriesId);
        if (series < 0)
            throw new ArgumentException($"Series '{seriesId}' is not one of the {_global.SeriesIds.Count} series the model was trained on " +
                $"(e.g. {string.Join(", ", _global.SeriesIds.Take(3).Select(i => $"'{i}'"))}).", nameof(seriesId));
        return series;
    }

    private void RequireOneSeries()
    {
        if (_global != null)
            throw new InvalidOperationException($"This model forecasts {_global.SeriesIds.Count} series (column '{_model.SeriesIdColumnName}'): use Update(seriesId, observation) and Predict(seriesId).");
    }

    internal LstmForecastingEngine(LstmForecastingTransformer model, GuardedForecaster forecaster, float[] tail, float[] covariateTail)
    {
        _model = model;
        _forecaster = forecaster;
        _tail = tail.ToArray();
        _covariateTail = covariateTail.ToArray();
        _covariates = forecaster.Network.Covariates;
    }

    /// <summary>Observations fed since the engine was created.</summary>
    public long Updates { get; private set; }

    /// <summary>Appends one observation (and, for a model with covariates, that step's covariate values).</summary>
#pragma warning disable RS0027 // shipped before Update(seriesId, observation); the covariates stay optional so existing calls compile
    public void Update(float observation, ReadOnlySpan<float> covariates = default)
#pragma warning restore RS0027
    {
        RequireOneSeries();
        if (!float.IsFinite(observation))
            throw new ArgumentOutOfRangeException(nameof(observation), observation, $"Observation {Updates} after the model's state is not finite; impute it before updating.");
        if (covariates.Length != _covariates)
            throw new ArgumentException($"The model reads {_covariates} covariate(s) per step ({string.Join(", ", _model.CovariateColumnNames)}); got {covariates.Length}.", nameof(covariates));
        for (int c = 0; c < covariates.Length; c++)
            if (!float.IsFinite(covariates[c]))
                throw new ArgumentOutOfRangeException(nameof(covariates), covariates[c], $"Covariate '{_model.CovariateColumnNames[c]}' of observation {Updates} is not finite.");
        Array.Copy(_tail, 1, _tail, 0, _tail.Length - 1);
        _tail[^1] = observation;
        if (_covariates > 0)
        {
            Array.Copy(_covariateTail, _covariates, _covariateTail, 0, _covariateTail.Length - _covariates);
            covariates.CopyTo(_covariateTail.AsSpan(_covariateTail.Length - _covariates));
        }
        Updates++;
    }

    /// <summary>The next Horizon values after the last observation, with their interval.</summary>
    public LstmForecast Predict()
    {
        RequireOneSeries();
        int H = _forecaster!.Horizon;
        var forecast = new float[H];
        var lower = new float[H];
        var upper = new float[H];
        _forecaster!.Forecast(_tail, _covariateTail, forecast, lower, upper);
        return new LstmForecast(forecast, lower, upper);
    }

    /// <summary>
    /// Saves the model with this engine's state into <paramref name="modelPath"/> (a normal model zip: <c>ml.Model.Load</c> it),
    /// atomically: a failed write leaves the previous checkpoint intact.
    /// </summary>
    public void CheckPoint(MLContext ml, string modelPath)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        Model.Persistence.AtomicFile.Write(modelPath, stream => CheckPoint(ml, stream));
    }

    /// <summary>The same, into a stream.</summary>
    public void CheckPoint(MLContext ml, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ml.Model.Save(_global != null ? _model.WithState(_globalState!) : _model.WithState(_tail, _covariateTail), InputSchema(), stream);
    }

    private DataViewSchema InputSchema()
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(_model.InputColumnName, NumberDataViewType.Single);
        if (_model.SeriesIdColumnName is { Length: > 0 } id) builder.AddColumn(id, TextDataViewType.Instance);
        foreach (var name in _model.CovariateColumnNames) builder.AddColumn(name, NumberDataViewType.Single);
        return builder.ToSchema();
    }
}
