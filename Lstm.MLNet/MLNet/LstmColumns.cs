using Microsoft.ML;
using Microsoft.ML.Data;
using static Microsoft.ML.SchemaShape.Column;

namespace Lstm.MLNet;

/// <summary>What the LSTM reads: text (tokenised by the model's <see cref="Text.WordTokenizer"/>) or token ids from upstream.</summary>
internal enum LstmInputKind : byte
{
    /// <summary>A string column.</summary>
    Text = 1,
    /// <summary>A vector of key type: raw key k (1…Count) is network id k + 1; 0 (missing) is the unknown id 1; id 0 stays padding.</summary>
    KeyTokens = 2,
}

/// <summary>Schema checks shared by the estimator (on <see cref="SchemaShape"/>), Fit and the mapper (on <see cref="DataViewSchema"/>), so every path gives the same messages.</summary>
internal static class LstmColumns
{
    public const string ExpectedInput = "String (text) or a vector of key type (token ids, e.g. from TokenizeIntoWords + MapValueToKey)";

    public static string Describe(DataViewType type) => type switch
    {
        VectorDataViewType v => v.Size == 0 ? $"Vector<{v.ItemType}> (variable length)" : $"Vector<{v.ItemType}, {v.Size}>",
        _ => type.ToString() ?? type.GetType().Name,
    };

    public static string Describe(SchemaShape.Column column) => column.Kind switch
    {
        VectorKind.Scalar => column.ItemType.ToString() ?? column.ItemType.GetType().Name,
        VectorKind.Vector => $"Vector<{column.ItemType}> (fixed length)",
        _ => $"Vector<{column.ItemType}> (variable length)",
    };

    /// <summary>The input's kind, or an <see cref="ArgumentOutOfRangeException"/> naming the column, what was expected and what was found.</summary>
    public static LstmInputKind InputKind(string columnName, DataViewType type)
    {
        if (type is TextDataViewType) return LstmInputKind.Text;
        if (type is VectorDataViewType { ItemType: KeyDataViewType }) return LstmInputKind.KeyTokens;
        throw new ArgumentOutOfRangeException("input", $"Input column '{columnName}' has type {Describe(type)}; expected {ExpectedInput}.");
    }

    public static LstmInputKind InputKind(SchemaShape.Column column)
    {
        if (column.Kind == VectorKind.Scalar && column.ItemType is TextDataViewType) return LstmInputKind.Text;
        if (column.Kind != VectorKind.Scalar && column.IsKey) return LstmInputKind.KeyTokens;
        throw new ArgumentOutOfRangeException("inputSchema", $"Input column '{column.Name}' has type {Describe(column)}; expected {ExpectedInput}.");
    }

    public static Exception MissingColumn(string role, string name, IEnumerable<string> available) =>
        new ArgumentOutOfRangeException("input", $"The {role} column '{name}' is not in the data; columns: {string.Join(", ", available.Select(n => $"'{n}'"))}.");

    private static bool IsFloatOrFloatVector(DataViewType type) => type switch
    {
        NumberDataViewType { RawType: var raw } => raw == typeof(float),
        VectorDataViewType { ItemType: NumberDataViewType { RawType: var raw } } => raw == typeof(float),
        _ => false,
    };

    /// <summary>The task the label's type asks for (constrained by the catalog method's <paramref name="required"/> task), or a specific exception.</summary>
    public static LstmTask TaskOf(string labelName, DataViewType labelType, DataViewType inputType, LstmTask? required)
    {
        LstmTask? inferred = labelType switch
        {
            BooleanDataViewType => LstmTask.BinaryClassification,
            KeyDataViewType => LstmTask.MulticlassClassification,
            _ => null,
        };
        if (inferred is null && IsFloatOrFloatVector(labelType)
            && inputType is VectorDataViewType { ItemType: NumberDataViewType { RawType: var itemRaw } } && itemRaw == typeof(float))
            inferred = LstmTask.Regression;
        return (required, inferred) switch
        {
            (null, LstmTask task) => task,
            (LstmTask r, LstmTask task) when r == task => task,
            (LstmTask.BinaryClassification, _) => throw new ArgumentOutOfRangeException("input", $"Label column '{labelName}' has type {Describe(labelType)}; binary classification expects Boolean."),
            (LstmTask.MulticlassClassification, _) => throw new ArgumentOutOfRangeException("input", $"Label column '{labelName}' has type {Describe(labelType)}; multiclass classification expects a key type (e.g. from MapValueToKey)."),
            (LstmTask.Regression, _) => throw new ArgumentOutOfRangeException("input", $"Label column '{labelName}' has type {Describe(labelType)} and the input {Describe(inputType)}; " +
                "sequence regression expects a Single (or Single vector) label and a vector of Single input."),
            _ => throw new ArgumentOutOfRangeException("input", $"Label column '{labelName}' has type {Describe(labelType)}; expected Boolean (binary classification), " +
                "a key type (multiclass, e.g. from MapValueToKey), or Single with a Single-vector input (sequence regression)."),
        };
    }

    /// <summary>Key token input: the key's values plus the padding and unknown ids.</summary>
    public static int KeyTokenVocabularySize(DataViewSchema.Column column)
    {
        ulong count = ((KeyDataViewType)((VectorDataViewType)column.Type).ItemType).Count;
        if (count > 50_000_000)
            throw new ArgumentOutOfRangeException("input", $"Input column '{column.Name}' is a key with {count} values; at most 50,000,000 token ids are supported.");
        return (int)count + Text.WordTokenizer.ReservedIds;
    }

    /// <summary>The input and label columns of <paramref name="schema"/>, or an exception naming the missing one and the columns there are.</summary>
    public static (SchemaShape.Column Input, SchemaShape.Column Label) Find(SchemaShape schema, string inputName, string labelName)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (!schema.TryFindColumn(inputName, out var input)) throw MissingColumn("input", inputName, schema.Select(c => c.Name));
        if (!schema.TryFindColumn(labelName, out var label)) throw MissingColumn("label", labelName, schema.Select(c => c.Name));
        return (input, label);
    }
}
