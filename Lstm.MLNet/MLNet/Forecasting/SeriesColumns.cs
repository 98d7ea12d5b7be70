using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet;

/// <summary>The forecaster's input columns: the series and its covariates, each a Single column, read in row order.</summary>
internal static class SeriesColumns
{
    public static (DataViewSchema.Column Series, DataViewSchema.Column[] Covariates) Resolve(DataViewSchema schema, LstmForecastingOptions options)
    {
        DataViewSchema.Column Single(string role, string name)
        {
            var column = schema.GetColumnOrNull(name) ?? throw LstmColumns.MissingColumn(role, name, schema.Select(c => c.Name));
            if (column.Type is not NumberDataViewType { RawType: var raw } || raw != typeof(float))
                throw new ArgumentOutOfRangeException("input", $"The {role} column '{name}' has type {LstmColumns.Describe(column.Type)}; the forecaster expects Single " +
                    "(one observation per row; convert with ml.Transforms.Conversion.ConvertType).");
            return column;
        }
        return (Single("series", options.InputColumnName), options.CovariateColumnNames.Select(n => Single("covariate", n)).ToArray());
    }

    /// <summary>
    /// All rows in order: the series values and the covariates [rows × C]. A NaN or ±∞ (e.g. an "NA" field loaded by
    /// TextLoader) throws naming the row and column: a series cannot skip a step without shifting every later one.
    /// </summary>
    public static (float[] Values, float[] Covariates) Read(IDataView data, DataViewSchema.Column series, DataViewSchema.Column[] covariates, string role, int maxRows = 0)
    {
        var values = new List<float>();
        var covariateValues = new List<float>();
        using var cursor = data.GetRowCursor(covariates.Prepend(series));
        var getters = covariates.Prepend(series).Select(c => cursor.GetGetter<float>(c)).ToArray();
        var names = covariates.Prepend(series).Select(c => c.Name).ToArray();
        long row = -1;
        float value = 0;
        while ((maxRows == 0 || values.Count < maxRows) && cursor.MoveNext())
        {
            row++;
            for (int c = 0; c < getters.Length; c++)
            {
                getters[c](ref value);
                if (!float.IsFinite(value))
                    throw new InvalidOperationException($"Row {row} of the {role} data: column '{names[c]}' is {value} (a missing or non-numeric field, such as \"NA\", loads as NaN). " +
                        "A series cannot skip a step: impute it first (e.g. ml.Transforms.ReplaceMissingValues, or interpolate).");
                if (c == 0) values.Add(value);
                else covariateValues.Add(value);
            }
        }
        return (values.ToArray(), covariateValues.ToArray());
    }
}
