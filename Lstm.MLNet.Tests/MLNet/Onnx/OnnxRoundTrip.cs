using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Tests.MLNet.Onnx;

/// <summary>
/// As ML.NET's own ONNX tests do: <c>ml.Model.ConvertToOnnx</c> writes the model, <c>ml.Transforms.ApplyOnnxModel</c> runs it
/// in ONNX Runtime on the same data, and each exported column must equal the library's.
/// </summary>
internal static class OnnxRoundTrip
{
    public const float Tolerance = 1e-5f;

    /// <summary>The model's output and ONNX Runtime's for every row: (library values, ONNX values) per column, row by row.</summary>
    public static (float[][] Library, float[][] Onnx)[] Compare(MLContext ml, ITransformer model, IDataView data, string[] inputColumns, params string[] columns)
    {
        string path = Path.Combine(Path.GetTempPath(), $"lstm-onnx-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var stream = File.Create(path)) ml.Model.ConvertToOnnx(model, data, stream);
            var onnx = ml.Transforms.ApplyOnnxModel(columns.Select(c => c + ".output").ToArray(), inputColumns, path).Fit(data);
            // ML.NET names the graph's outputs "<column>.output" and ApplyOnnxModel gives them back as "<column>".
            var library = model.Transform(data);
            var runtime = onnx.Transform(data);
            return columns.Select(c => (Read(library, c), Read(runtime, c))).ToArray();
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A binary classifier's Score, Probability and PredictedLabel through ONNX Runtime, each asserted equal; returns the largest Score difference.</summary>
    public static float AssertBinaryColumnsEqual(MLContext ml, ITransformer model, IDataView data)
    {
        var columns = Compare(ml, model, data, ["Text", "Label"], "Score", "Probability", "PredictedLabel");
        float score = AssertEqual(columns[0], "Score");
        AssertEqual(columns[1], "Probability");
        AssertEqual(columns[2], "PredictedLabel");
        Console.WriteLine($"largest Score difference {score:G3} over {columns[0].Library.Length} rows");
        return score;
    }

    /// <summary>Asserts every value within <see cref="Tolerance"/> (NaN must meet NaN); returns the largest difference.</summary>
    public static float AssertEqual((float[][] Library, float[][] Onnx) column, string name)
    {
        Assert.HasCount(column.Library.Length, column.Onnx);
        float worst = 0;
        for (int row = 0; row < column.Library.Length; row++)
        {
            var (expected, actual) = (column.Library[row], column.Onnx[row]);
            Assert.HasCount(expected.Length, actual, $"{name}, row {row}: value count");
            for (int i = 0; i < expected.Length; i++)
            {
                if (float.IsNaN(expected[i]) && float.IsNaN(actual[i])) continue;
                float difference = MathF.Abs(expected[i] - actual[i]);
                Assert.IsLessThanOrEqualTo(Tolerance, difference, $"{name}, row {row}[{i}]: library {expected[i]}, ONNX {actual[i]}");
                worst = MathF.Max(worst, difference);
            }
        }
        return worst;
    }

    /// <summary>A column's values per row as floats (a float, bool, key/uint or a vector of them).</summary>
    private static float[][] Read(IDataView view, string column)
    {
        var type = view.Schema[column].Type;
        var item = type is VectorDataViewType vector ? vector.ItemType : type;
        var rows = new List<float[]>();
        using var cursor = view.GetRowCursor([view.Schema[column]]);
        if (item.RawType == typeof(float))
            Collect<float>(cursor, view.Schema[column], type is VectorDataViewType, v => v, rows);
        else if (item.RawType == typeof(bool))
            Collect<bool>(cursor, view.Schema[column], type is VectorDataViewType, v => v ? 1 : 0, rows);
        else if (item.RawType == typeof(uint))
            Collect<uint>(cursor, view.Schema[column], type is VectorDataViewType, v => v, rows);
        else
            throw new AssertFailedException($"Column {column}: unexpected type {type}.");
        return rows.ToArray();
    }

    private static void Collect<T>(DataViewRowCursor cursor, DataViewSchema.Column column, bool isVector, Func<T, float> toFloat, List<float[]> rows)
    {
        if (isVector)
        {
            var getter = cursor.GetGetter<VBuffer<T>>(column);
            VBuffer<T> value = default;
            while (cursor.MoveNext()) { getter(ref value); rows.Add(value.DenseValues().Select(toFloat).ToArray()); }
        }
        else
        {
            var getter = cursor.GetGetter<T>(column);
            T value = default!;
            while (cursor.MoveNext()) { getter(ref value); rows.Add([toFloat(value)]); }
        }
    }
}
