using System.Globalization;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet;

/// <summary>
/// A forecasting engine shaped like ML.NET's <c>TimeSeriesPredictionEngine&lt;TSrc, TDst&gt;</c>, over the forecaster's
/// own <see cref="LstmForecastingEngine"/>: <see cref="Predict(TSrc, int?, float?)"/> appends an observation and
/// forecasts after it, <see cref="Predict(int?, float?)"/> forecasts from the current state, and CheckPoint saves the
/// state into a model zip. <typeparamref name="TSrc"/> holds the series column (a float member named like
/// <see cref="LstmForecastingOptions.InputColumnName"/>, or marked with <see cref="ColumnNameAttribute"/>), its
/// covariates and, for a model of many series, the series id; <typeparamref name="TDst"/> receives the forecast and its
/// bounds (float[] members named like the output columns). Not thread-safe (one per thread).
/// </summary>
public sealed class LstmTimeSeriesEngine<TSrc, TDst> where TSrc : class where TDst : class, new()
{
    private readonly LstmForecastingEngine _engine;
    private readonly LstmForecastingOptions _options;
    private readonly Func<TSrc, float> _value;
    private readonly Func<TSrc, float>[] _covariates;
    private readonly Func<TSrc, string>? _seriesId;
    private readonly Action<TDst, float[]> _forecast, _lower, _upper;
    private readonly int _horizon;
    private readonly float _confidenceLevel;

    internal LstmTimeSeriesEngine(LstmForecastingTransformer model)
    {
        _engine = model.CreateForecastingEngine();
        _options = model.Options;
        _horizon = model.Horizon;
        _confidenceLevel = model.Intervals.ConfidenceLevel;
        _value = Reader<float>(typeof(TSrc), _options.InputColumnName, "series");
        _covariates = _options.CovariateColumnNames.Select(name => Reader<float>(typeof(TSrc), name, "covariate")).ToArray();
        if (_options.SeriesIdColumnName is { Length: > 0 } id)
        {
            var member = Member(typeof(TSrc), id, "series id");
            var type = member is PropertyInfo p ? p.PropertyType : ((FieldInfo)member).FieldType;
            var get = Getter(member);
            _seriesId = type == typeof(string) ? src => (string)get(src)!
                : src => Convert.ToString(get(src), CultureInfo.InvariantCulture) ?? "";
        }
        _forecast = Writer(_options.OutputColumnName);
        _lower = Writer(_options.ConfidenceLowerBoundColumn);
        _upper = Writer(_options.ConfidenceUpperBoundColumn);
    }

    /// <summary>Appends <paramref name="example"/>'s observation (to its series, for a model of many series) and forecasts after it.</summary>
    /// <param name="example">The next observation (and its covariates, or its series id).</param>
    /// <param name="horizon">Values to forecast: at most the trained horizon (a direct model's outputs are fixed at training); null = all.</param>
    /// <param name="confidenceLevel">The interval's coverage: the model's own (its residual quantiles were fit at one level); null = that.</param>
#pragma warning disable RS0026 // the two optional-parameter overloads are ML.NET TimeSeriesPredictionEngine's, kept so SSA code ports as is
    public TDst Predict(TSrc example, int? horizon = null, float? confidenceLevel = null)
    {
        ArgumentNullException.ThrowIfNull(example);
        int steps = Steps(horizon, confidenceLevel);
        var covariates = _covariates.Select(c => c(example)).ToArray();
        LstmForecast forecast;
        if (_seriesId != null)
        {
            string id = _seriesId(example);
            _engine.Update(id, _value(example));
            forecast = _engine.Predict(id);
        }
        else
        {
            _engine.Update(_value(example), covariates);
            forecast = _engine.Predict();
        }
        return Output(forecast, steps);
    }

    /// <summary>Forecasts from the current state without a new observation (a model of one series).</summary>
    public TDst Predict(int? horizon = null, float? confidenceLevel = null) => Output(_engine.Predict(), Steps(horizon, confidenceLevel));
#pragma warning restore RS0026

    /// <summary>Saves the model with this engine's state into <paramref name="modelPath"/> (atomically).</summary>
    public void CheckPoint(MLContext ml, string modelPath) => _engine.CheckPoint(ml, modelPath);

    /// <summary>Saves the model with this engine's state into <paramref name="stream"/>.</summary>
    public void CheckPoint(MLContext ml, Stream stream) => _engine.CheckPoint(ml, stream);

    private int Steps(int? horizon, float? confidenceLevel)
    {
        if (horizon is int h && (h < 1 || h > _horizon))
            throw new ArgumentOutOfRangeException(nameof(horizon), h, $"The model forecasts {_horizon} steps (fixed at training); ask for 1 to {_horizon}.");
        if (confidenceLevel is float c && c != _confidenceLevel)
            throw new ArgumentOutOfRangeException(nameof(confidenceLevel), c,
                $"The model's intervals were fit at {_confidenceLevel} (the quantiles of its validation residuals); train with ConfidenceLevel = {c} for another coverage.");
        return horizon ?? _horizon;
    }

    private TDst Output(LstmForecast forecast, int steps)
    {
        var result = new TDst();
        _forecast(result, forecast.Forecast[..steps]);
        _lower(result, forecast.LowerBound[..steps]);
        _upper(result, forecast.UpperBound[..steps]);
        return result;
    }

    private static MemberInfo Member(Type type, string column, string role) =>
        type.GetMembers(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m is PropertyInfo or FieldInfo)
            .FirstOrDefault(m => (m.GetCustomAttribute<ColumnNameAttribute>()?.Name ?? m.Name) == column)
        ?? throw new ArgumentException($"{type.Name} has no public property or field for the {role} column '{column}' (by name or [ColumnName]).");

    private static Func<object, object?> Getter(MemberInfo member) => member switch
    {
        PropertyInfo p => p.GetValue,
        FieldInfo f => f.GetValue,
        _ => throw new ArgumentException($"{member.Name} is not a property or field."),
    };

    private static Func<TSrc, T> Reader<T>(Type type, string column, string role)
    {
        var member = Member(type, column, role);
        var memberType = member is PropertyInfo p ? p.PropertyType : ((FieldInfo)member).FieldType;
        if (memberType != typeof(T))
            throw new ArgumentException($"{type.Name}.{member.Name} (the {role} column '{column}') is {memberType.Name}; the forecaster expects {typeof(T).Name}.");
        var get = Getter(member);
        return src => (T)get(src)!;
    }

    private static Action<TDst, float[]> Writer(string column)
    {
        var member = Member(typeof(TDst), column, "output");
        switch (member)
        {
            case PropertyInfo { CanWrite: true } p when p.PropertyType == typeof(float[]): return (dst, v) => p.SetValue(dst, v);
            case FieldInfo f when f.FieldType == typeof(float[]): return (dst, v) => f.SetValue(dst, v);
            default: throw new ArgumentException($"{typeof(TDst).Name}.{member.Name} (the output column '{column}') must be a writable float[].");
        }
    }
}
