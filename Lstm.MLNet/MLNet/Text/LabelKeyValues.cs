using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet;

/// <summary>
/// The training label's key values, read through ML.NET's public schema API (<see cref="DataViewSchema.Column"/>'s
/// <c>GetKeyValues</c>) with no reflection: as text (the class names) and, in their own type, as the
/// <c>TrainingLabelValues</c> annotation ML.NET's multiclass scorers put on their Score column.
/// Key values of the types ML.NET's loaders and <c>MapValueToKey</c> produce are read; any other type is treated as
/// absent (the classes are then named by their 1-based key numbers).
/// </summary>
internal static class LabelKeyValues
{
    /// <summary>The key values as text, or null when the label has none (or of a type not read here).</summary>
    public static string[]? Names(DataViewSchema.Column label)
    {
        var reader = new NamesReader();
        return Visit(label, reader) ? reader.Names : null;
    }

    /// <summary>Adds the key values, in their own type, as <c>TrainingLabelValues</c>; false when the label has none to add.</summary>
    public static bool AddAsTrainingLabelValues(DataViewSchema.Annotations.Builder builder, DataViewSchema.Column label)
        => Visit(label, new TrainingLabelValuesAdder(builder));

    private interface IVisitor
    {
        void Visit<T>(DataViewSchema.Column label, VectorDataViewType keyValuesType);
    }

    /// <summary>Calls <paramref name="visitor"/> with the key values' item type as its type argument (a closed list, no reflection).</summary>
    private static bool Visit(DataViewSchema.Column label, IVisitor visitor)
    {
        if (label.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues) is not { Type: VectorDataViewType keyValuesType }) return false;
        var raw = keyValuesType.ItemType.RawType;
        if (raw == typeof(ReadOnlyMemory<char>)) visitor.Visit<ReadOnlyMemory<char>>(label, keyValuesType);
        else if (raw == typeof(float)) visitor.Visit<float>(label, keyValuesType);
        else if (raw == typeof(double)) visitor.Visit<double>(label, keyValuesType);
        else if (raw == typeof(int)) visitor.Visit<int>(label, keyValuesType);
        else if (raw == typeof(uint)) visitor.Visit<uint>(label, keyValuesType);
        else if (raw == typeof(long)) visitor.Visit<long>(label, keyValuesType);
        else if (raw == typeof(ulong)) visitor.Visit<ulong>(label, keyValuesType);
        else if (raw == typeof(short)) visitor.Visit<short>(label, keyValuesType);
        else if (raw == typeof(ushort)) visitor.Visit<ushort>(label, keyValuesType);
        else if (raw == typeof(byte)) visitor.Visit<byte>(label, keyValuesType);
        else if (raw == typeof(sbyte)) visitor.Visit<sbyte>(label, keyValuesType);
        else if (raw == typeof(bool)) visitor.Visit<bool>(label, keyValuesType);
        else return false;
        return true;
    }

    private sealed class NamesReader : IVisitor
    {
        public string[]? Names { get; private set; }

        public void Visit<T>(DataViewSchema.Column label, VectorDataViewType keyValuesType)
        {
            VBuffer<T> values = default;
            label.GetKeyValues(ref values);
            Names = values.DenseValues().Select(v => v switch
            {
                ReadOnlyMemory<char> text => text.ToString(),
                IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
                _ => v?.ToString() ?? "",
            }).ToArray();
        }
    }

    private sealed class TrainingLabelValuesAdder(DataViewSchema.Annotations.Builder builder) : IVisitor
    {
        public void Visit<T>(DataViewSchema.Column label, VectorDataViewType keyValuesType)
            => builder.Add(AnnotationUtils.Kinds.TrainingLabelValues, keyValuesType, (ref VBuffer<T> value) => label.GetKeyValues(ref value));
    }
}
