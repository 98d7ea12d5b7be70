using Lstm.MLNet.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet;

/// <summary>
/// The usable rows of a training or validation IDataView: texts (or token ids) with class labels. Rows with
/// an empty or blank text (or no tokens) and rows with a missing key label are skipped and counted.
/// </summary>
internal sealed class LabelledRows
{
    private LabelledRows(string[]? texts, int[][]? tokens, int[] labels, int skippedEmptyInput, int skippedMissingLabel)
    {
        Texts = texts;
        Tokens = tokens;
        Labels = labels;
        SkippedEmptyInput = skippedEmptyInput;
        SkippedMissingLabel = skippedMissingLabel;
    }

    /// <summary>Text input: the texts; null for key token input.</summary>
    public string[]? Texts { get; }
    /// <summary>Key token input: the network ids (see <see cref="LstmInputKind.KeyTokens"/>); null for text input.</summary>
    public int[][]? Tokens { get; }
    /// <summary>Class index per row: binary false = 0, true = 1; multiclass key k = k − 1.</summary>
    public int[] Labels { get; }
    public int SkippedEmptyInput { get; }
    public int SkippedMissingLabel { get; }
    public int Count => Labels.Length;

    public LabelledRows Subset(int[] indices) =>
        new(Texts is null ? null : indices.Select(i => Texts[i]).ToArray(), Tokens is null ? null : indices.Select(i => Tokens[i]).ToArray(),
            indices.Select(i => Labels[i]).ToArray(), 0, 0);

    public static LabelledRows Read(IDataView data, DataViewSchema.Column input, DataViewSchema.Column label, LstmInputKind kind, int classes, string role)
    {
        var texts = kind == LstmInputKind.Text ? new List<string>() : null;
        var tokens = kind == LstmInputKind.KeyTokens ? new List<int[]>() : null;
        var labels = new List<int>();
        int skippedEmpty = 0, skippedLabel = 0;
        using var cursor = data.GetRowCursor([input, label]);
        var readLabel = LabelReader(cursor, label, classes);
        ValueGetter<ReadOnlyMemory<char>>? readText = kind == LstmInputKind.Text ? cursor.GetGetter<ReadOnlyMemory<char>>(input) : null;
        var readTokens = kind == LstmInputKind.KeyTokens ? KeyTokenReader.Create(cursor, input, maxLength: 0) : null;
        ReadOnlyMemory<char> text = default;
        long row = -1;
        while (cursor.MoveNext())
        {
            row++;
            int labelValue = readLabel(row, role);
            if (labelValue < 0) { skippedLabel++; continue; }
            if (readText is not null)
            {
                readText(ref text);
                if (text.Span.IsWhiteSpace()) { skippedEmpty++; continue; }
                texts!.Add(text.ToString());
            }
            else
            {
                var ids = readTokens!();
                if (ids.Length == 0) { skippedEmpty++; continue; }
                tokens!.Add(ids);
            }
            labels.Add(labelValue);
        }
        return new LabelledRows(texts?.ToArray(), tokens?.ToArray(), labels.ToArray(), skippedEmpty, skippedLabel);
    }

    /// <summary>Reads the current row's class index; −1 for a missing key label (skipped, as ML.NET's trainers do).</summary>
    private static Func<long, string, int> LabelReader(DataViewRow row, DataViewSchema.Column label, int classes)
    {
        if (label.Type is BooleanDataViewType)
        {
            var getter = row.GetGetter<bool>(label);
            bool value = false;
            return (_, _) => { getter(ref value); return value ? 1 : 0; };
        }
        var readKey = KeyTokenReader.ScalarKey(row, label);
        return (index, role) =>
        {
            ulong key = readKey();
            if (key == 0) return -1;
            if (key > (ulong)classes)
                throw new InvalidDataException($"Row {index} of the {role} data: label '{label.Name}' has key {key}, outside its type's 1…{classes}.");
            return (int)(key - 1);
        };
    }
}

/// <summary>Reads key-typed values (any of ML.NET's key raw types) as network token ids.</summary>
internal static class KeyTokenReader
{
    /// <summary>
    /// A reader of the current row's token vector as network ids: raw key k → k + 1, missing (0) → the unknown
    /// id, keeping the first <paramref name="maxLength"/> (0 = all).
    /// </summary>
    public static Func<int[]> Create(DataViewRow row, DataViewSchema.Column column, int maxLength)
    {
        var keyType = (KeyDataViewType)((VectorDataViewType)column.Type).ItemType;
        ulong count = keyType.Count;
        return keyType.RawType switch
        {
            var t when t == typeof(uint) => Vector<uint>(row, column, count, maxLength, v => v),
            var t when t == typeof(ushort) => Vector<ushort>(row, column, count, maxLength, v => v),
            var t when t == typeof(byte) => Vector<byte>(row, column, count, maxLength, v => v),
            var t when t == typeof(ulong) => Vector<ulong>(row, column, count, maxLength, v => v),
            var t => throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' has keys of raw type {t.Name}; expected Byte, UInt16, UInt32 or UInt64."),
        };
    }

    /// <summary>A reader of the current row's scalar key as ulong (0 = missing).</summary>
    public static Func<ulong> ScalarKey(DataViewRow row, DataViewSchema.Column column)
    {
        var raw = column.Type.RawType;
        if (raw == typeof(uint)) { var g = row.GetGetter<uint>(column); uint v = 0; return () => { g(ref v); return v; }; }
        if (raw == typeof(ushort)) { var g = row.GetGetter<ushort>(column); ushort v = 0; return () => { g(ref v); return v; }; }
        if (raw == typeof(byte)) { var g = row.GetGetter<byte>(column); byte v = 0; return () => { g(ref v); return v; }; }
        if (raw == typeof(ulong)) { var g = row.GetGetter<ulong>(column); ulong v = 0; return () => { g(ref v); return v; }; }
        throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' has keys of raw type {raw.Name}; expected Byte, UInt16, UInt32 or UInt64.");
    }

    private static Func<int[]> Vector<T>(DataViewRow row, DataViewSchema.Column column, ulong count, int maxLength, Func<T, ulong> toUlong)
    {
        var getter = row.GetGetter<VBuffer<T>>(column);
        VBuffer<T> buffer = default;
        return () =>
        {
            getter(ref buffer);
            int length = maxLength == 0 ? buffer.Length : Math.Min(buffer.Length, maxLength);
            var ids = new int[length];
            if (buffer.IsDense)
            {
                var values = buffer.GetValues();
                for (int i = 0; i < length; i++) ids[i] = ToId(toUlong(values[i]), count);
            }
            else
            {
                // Implicit entries of a sparse key vector are 0, i.e. missing.
                Array.Fill(ids, WordTokenizer.UnknownId);
                var values = buffer.GetValues();
                var indices = buffer.GetIndices();
                for (int j = 0; j < indices.Length && indices[j] < length; j++) ids[indices[j]] = ToId(toUlong(values[j]), count);
            }
            return ids;
        };
    }

    private static int ToId(ulong key, ulong count) => key == 0 || key > count ? WordTokenizer.UnknownId : (int)key + 1;
}
