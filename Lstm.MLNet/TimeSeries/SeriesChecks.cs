namespace Lstm.MLNet.TimeSeries;

/// <summary>Input checks shared by the time-series helpers, with errors that say where the bad value is.</summary>
internal static class SeriesChecks
{
    /// <summary>
    /// Throws unless every value of the row-major [rows × columns] table is finite; the message names the
    /// row and column in the caller's terms (e.g. "Covariate at time 17, column 2 is NaN").
    /// </summary>
    public static void RequireFinite(ReadOnlySpan<float> values, int columns, string parameterName,
        string what = "Value", string rowName = "index", string columnName = "feature")
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new ArgumentException(
                    columns == 1
                        ? $"{what} at {rowName} {i} is {values[i]}; every value must be finite."
                        : $"{what} at {rowName} {i / columns}, {columnName} {i % columns} is {values[i]}; every value must be finite.",
                    parameterName);
    }

    /// <summary>Throws unless <paramref name="length"/> is a whole number of <paramref name="features"/>-wide rows.</summary>
    public static int RowCount(int length, int features, string parameterName)
    {
        if (features < 1) throw new ArgumentOutOfRangeException(nameof(features), features, "There must be at least one feature.");
        if (length % features != 0)
            throw new ArgumentException($"{length} values is not a multiple of {features} features per step.", parameterName);
        return length / features;
    }
}
