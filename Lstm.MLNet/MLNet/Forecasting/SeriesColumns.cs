using System.Globalization;
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

    /// <summary>The series-id column of a global model: Text or a number (read as its invariant text).</summary>
    public static DataViewSchema.Column ResolveId(DataViewSchema schema, LstmForecastingOptions options)
    {
        string name = options.SeriesIdColumnName!;
        var column = schema.GetColumnOrNull(name) ?? throw LstmColumns.MissingColumn("series id", name, schema.Select(c => c.Name));
        if (column.Type is not (TextDataViewType or NumberDataViewType))
            throw new ArgumentOutOfRangeException("input", $"The series id column '{name}' has type {LstmColumns.Describe(column.Type)}; the forecaster expects Text or a number.");
        return column;
    }

    /// <summary>All rows in order: each row's series id and value. A missing value or id throws naming the row.</summary>
    public static (string[] Ids, float[] Values) ReadWithIds(IDataView data, DataViewSchema.Column series, DataViewSchema.Column id, string role)
    {
        var ids = new List<string>();
        var values = new List<float>();
        using var cursor = data.GetRowCursor([series, id]);
        var valueGetter = cursor.GetGetter<float>(series);
        Func<string> idGetter = IdGetter(cursor, id);
        float value = 0;
        long row = -1;
        while (cursor.MoveNext())
        {
            row++;
            valueGetter(ref value);
            string name = idGetter();
            if (string.IsNullOrEmpty(name))
                throw new InvalidOperationException($"Row {row} of the {role} data: the series id column '{id.Name}' is empty or missing.");
            if (!float.IsFinite(value))
                throw new InvalidOperationException($"Row {row} of the {role} data (series '{name}'): column '{series.Name}' is {value} (a missing or non-numeric field loads as NaN). " +
                    "A series cannot skip a step: impute it first.");
            ids.Add(name);
            values.Add(value);
        }
        return (ids.ToArray(), values.ToArray());
    }

    private static Func<string> IdGetter(DataViewRowCursor cursor, DataViewSchema.Column id)
    {
        var raw = id.Type.RawType;
        if (id.Type is TextDataViewType)
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(id);
            ReadOnlyMemory<char> text = default;
            return () => { getter(ref text); return text.ToString(); };
        }
        if (raw == typeof(float)) return Numeric<float>(cursor, id, v => float.IsFinite(v) ? v.ToString(CultureInfo.InvariantCulture) : "");
        if (raw == typeof(double)) return Numeric<double>(cursor, id, v => double.IsFinite(v) ? v.ToString(CultureInfo.InvariantCulture) : "");
        if (raw == typeof(int)) return Numeric<int>(cursor, id, v => v.ToString(CultureInfo.InvariantCulture));
        if (raw == typeof(long)) return Numeric<long>(cursor, id, v => v.ToString(CultureInfo.InvariantCulture));
        if (raw == typeof(uint)) return Numeric<uint>(cursor, id, v => v.ToString(CultureInfo.InvariantCulture));
        if (raw == typeof(ulong)) return Numeric<ulong>(cursor, id, v => v.ToString(CultureInfo.InvariantCulture));
        if (raw == typeof(short)) return Numeric<short>(cursor, id, v => v.ToString(CultureInfo.InvariantCulture));
        if (raw == typeof(byte)) return Numeric<byte>(cursor, id, v => v.ToString(CultureInfo.InvariantCulture));
        throw new ArgumentOutOfRangeException("input", $"The series id column '{id.Name}' has type {LstmColumns.Describe(id.Type)}; the forecaster expects Text or a number.");
    }

    private static Func<string> Numeric<T>(DataViewRowCursor cursor, DataViewSchema.Column id, Func<T, string> format)
    {
        var getter = cursor.GetGetter<T>(id);
        T value = default!;
        return () => { getter(ref value); return format(value); };
    }
}
