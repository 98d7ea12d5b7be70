namespace Lstm.MLNet.TimeSeries;

/// <summary>
/// Forecast accuracy per horizon step h over a set of forecasts: MAE, RMSE, MAPE and sMAPE (both in
/// percent). MAPE = mean 100·|a − f|/|a| over the actuals that are not zero (undefined there: a series
/// with zeros, such as sunspots, is better judged by sMAPE); NaN when every actual is zero. sMAPE =
/// mean 200·|a − f|/(|a| + |f|), counting 0 where both are zero.
/// </summary>
public sealed record ForecastMetrics
{
    private ForecastMetrics(double[] mae, double[] rmse, double[] mape, double[] smape)
    {
        MeanAbsoluteError = mae; RootMeanSquaredError = rmse;
        MeanAbsolutePercentageError = mape; SymmetricMeanAbsolutePercentageError = smape;
    }

    /// <summary>MAE per horizon step.</summary>
    public IReadOnlyList<double> MeanAbsoluteError { get; }
    /// <summary>RMSE per horizon step.</summary>
    public IReadOnlyList<double> RootMeanSquaredError { get; }
    /// <summary>MAPE per horizon step, in percent.</summary>
    public IReadOnlyList<double> MeanAbsolutePercentageError { get; }
    /// <summary>sMAPE per horizon step, in percent.</summary>
    public IReadOnlyList<double> SymmetricMeanAbsolutePercentageError { get; }
    /// <summary>Horizon steps the metrics cover.</summary>
    public int Horizon => MeanAbsoluteError.Count;

    /// <summary>Metrics of forecasts against actuals, both [windows × <paramref name="horizon"/>] row-major.</summary>
    public static ForecastMetrics Compute(ReadOnlySpan<float> forecasts, ReadOnlySpan<float> actuals, int horizon)
    {
        int windows = CheckShapes(forecasts, actuals, horizon);
        double[] mae = new double[horizon], rmse = new double[horizon], mape = new double[horizon], smape = new double[horizon];
        for (int h = 0; h < horizon; h++)
        {
            double absolute = 0, squared = 0, percentage = 0, symmetric = 0;
            int nonZeroActuals = 0;
            for (int i = 0; i < windows; i++)
            {
                double a = actuals[i * horizon + h], f = forecasts[i * horizon + h], error = Math.Abs(a - f);
                absolute += error;
                squared += error * error;
                if (a != 0) { percentage += 100 * error / Math.Abs(a); nonZeroActuals++; }
                double scale = Math.Abs(a) + Math.Abs(f);
                if (scale > 0) symmetric += 200 * error / scale;
            }
            mae[h] = absolute / windows;
            rmse[h] = Math.Sqrt(squared / windows);
            mape[h] = nonZeroActuals > 0 ? percentage / nonZeroActuals : double.NaN;
            smape[h] = symmetric / windows;
        }
        return new ForecastMetrics(mae, rmse, mape, smape);
    }

    /// <summary>Checks two [windows × horizon] tables of finite values and returns the window count.</summary>
    internal static int CheckShapes(ReadOnlySpan<float> forecasts, ReadOnlySpan<float> actuals, int horizon)
    {
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "The horizon must be at least 1.");
        if (forecasts.Length != actuals.Length)
            throw new ArgumentException($"{forecasts.Length} forecasts but {actuals.Length} actuals.", nameof(actuals));
        int windows = SeriesChecks.RowCount(forecasts.Length, horizon, nameof(forecasts));
        if (windows == 0) throw new ArgumentException("There are no forecasts to score.", nameof(forecasts));
        SeriesChecks.RequireFinite(forecasts, horizon, nameof(forecasts), "Forecast", rowName: "window", columnName: "step");
        SeriesChecks.RequireFinite(actuals, horizon, nameof(actuals), "Actual", rowName: "window", columnName: "step");
        return windows;
    }
}
