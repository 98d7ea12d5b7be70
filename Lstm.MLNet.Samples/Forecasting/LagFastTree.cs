using Lstm.MLNet.TimeSeries;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Samples.Forecasting;

/// <summary>
/// The tabular baseline: ML.NET's FastTree regression on the same lag windows as the LSTM, one model per horizon
/// step (direct strategy), in the same transformed space (so a trend does not push the test beyond the trees' range).
/// </summary>
public sealed class LagFastTree
{
    private sealed class LagRow
    {
        public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    private readonly MLContext _ml;
    private readonly SeriesTransformKind _transform;
    private readonly int _window;
    private readonly List<PredictionEngine<LagRow, ScoreRow>> _steps = [];
    private readonly SchemaDefinition _schema;

    private sealed class ScoreRow
    {
        public float Score { get; set; }
    }

    /// <summary>Trains on the series' first <paramref name="trainCount"/> raw values.</summary>
    public LagFastTree(MLContext ml, float[] raw, int trainCount, int window, int horizon, SeriesTransformKind transform)
    {
        _ml = ml;
        _transform = transform;
        _window = window;
        _schema = SchemaDefinition.Create(typeof(LagRow));
        _schema[nameof(LagRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, window);
        var z = SeriesTransform.Forward(transform, raw.AsSpan(0, trainCount));
        for (int h = 0; h < horizon; h++)
        {
            var rows = Enumerable.Range(0, z.Length - window - h).Select(s => new LagRow { Features = z[s..(s + window)], Label = z[s + window + h] }).ToList();
            var data = ml.Data.LoadFromEnumerable(rows, _schema);
            var model = ml.Regression.Trainers.FastTree(numberOfLeaves: 8, numberOfTrees: 100, minimumExampleCountPerLeaf: 2).Fit(data);
            _steps.Add(ml.Model.CreatePredictionEngine<LagRow, ScoreRow>(model, inputSchemaDefinition: _schema));
        }
    }

    /// <summary>The next values after <paramref name="tail"/> (the last window + transform lag raw values).</summary>
    public float[] Forecast(ReadOnlySpan<float> tail)
    {
        var window = SeriesTransform.Forward(_transform, tail);
        var forecast = _steps.Select(engine => engine.Predict(new LagRow { Features = window[^_window..] }).Score).ToArray();
        SeriesTransform.Inverse(_transform, tail[^1], forecast);
        return forecast;
    }
}
