using Lstm.MLNet.TimeSeries;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet;

/// <summary>
/// Evaluation of multi-step (vector) predictions, which <c>ml.Regression.Evaluate</c> does not take: MAE, RMSE, MAPE and
/// sMAPE for each horizon step (see <see cref="ForecastMetrics"/>). Also accepts Single label and score (horizon 1).
/// </summary>
public static class LstmForecastEvaluation
{
    /// <summary>MAE, RMSE, MAPE and sMAPE per horizon step of a scored view whose label and score are vectors of the horizon's length.</summary>
    public static ForecastMetrics Evaluate(IDataView scored, string labelColumnName = "Label", string scoreColumnName = "Score")
    {
        ArgumentNullException.ThrowIfNull(scored);
        var label = scored.Schema.GetColumnOrNull(labelColumnName) ?? throw LstmColumns.MissingColumn("label", labelColumnName, scored.Schema.Select(c => c.Name));
        var score = scored.Schema.GetColumnOrNull(scoreColumnName) ?? throw LstmColumns.MissingColumn("score", scoreColumnName, scored.Schema.Select(c => c.Name));
        int horizon = SequenceRows.TargetSize(label);
        if ((score.Type is VectorDataViewType v ? v.Size : 1) != horizon)
            throw new ArgumentOutOfRangeException(nameof(scoreColumnName), $"Score column '{score.Name}' has type {LstmColumns.Describe(score.Type)}; the label '{label.Name}' has {horizon} value(s) per row.");
        var forecasts = new List<float>();
        var actuals = new List<float>();
        using var cursor = scored.GetRowCursor([label, score]);
        var readLabel = Reader(cursor, label);
        var readScore = Reader(cursor, score);
        while (cursor.MoveNext())
        {
            actuals.AddRange(readLabel());
            forecasts.AddRange(readScore());
        }
        return ForecastMetrics.Compute(forecasts.ToArray(), actuals.ToArray(), horizon);
    }

    private static Func<float[]> Reader(DataViewRow row, DataViewSchema.Column column)
    {
        if (column.Type is VectorDataViewType)
        {
            var getter = row.GetGetter<VBuffer<float>>(column);
            VBuffer<float> buffer = default;
            return () => { getter(ref buffer); return buffer.DenseValues().ToArray(); };
        }
        var scalar = row.GetGetter<float>(column);
        float value = 0;
        return () => { scalar(ref value); return [value]; };
    }
}
