using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet;

/// <summary>
/// The usable rows of a regression IDataView: float sequences (T·F values, T ≥ 1) with a float target of K values.
/// A row whose vector is not whole steps always throws (a schema mistake, not bad data); a NaN/±∞ value throws or is
/// skipped and counted, as <see cref="LstmNonFiniteValues"/> says. Every message names the row, column and position.
/// </summary>
internal sealed class SequenceRows
{
    private SequenceRows(float[][] sequences, float[][] targets, int skippedNonFinite, int skippedEmpty)
    {
        Sequences = sequences;
        Targets = targets;
        SkippedNonFinite = skippedNonFinite;
        SkippedEmpty = skippedEmpty;
    }

    public float[][] Sequences { get; }
    public float[][] Targets { get; }
    public int SkippedNonFinite { get; }
    public int SkippedEmpty { get; }
    public int Count => Sequences.Length;

    public SequenceRows Subset(int[] indices) => new(indices.Select(i => Sequences[i]).ToArray(), indices.Select(i => Targets[i]).ToArray(), 0, 0);

    /// <summary>The label's value count: 1 for a float, the vector's size for a known-size float vector.</summary>
    public static int TargetSize(DataViewSchema.Column label) => label.Type switch
    {
        NumberDataViewType { RawType: var raw } when raw == typeof(float) => 1,
        VectorDataViewType { ItemType: NumberDataViewType { RawType: var raw }, Size: > 0 and var size } when raw == typeof(float) => size,
        _ => throw new ArgumentOutOfRangeException("input", $"Label column '{label.Name}' has type {LstmColumns.Describe(label.Type)}; " +
            "sequence regression expects Single, or a known-size vector of Single (one value per horizon step)."),
    };

    /// <summary>Checks that <paramref name="input"/> is a float vector (fixed or variable length).</summary>
    public static void CheckInput(DataViewSchema.Column input)
    {
        if (input.Type is not VectorDataViewType { ItemType: NumberDataViewType { RawType: var raw } } || raw != typeof(float))
            throw new ArgumentOutOfRangeException("input", $"Input column '{input.Name}' has type {LstmColumns.Describe(input.Type)}; " +
                "sequence regression expects a vector of Single (T steps × FeaturesPerStep values).");
    }

    public static SequenceRows Read(IDataView data, DataViewSchema.Column input, DataViewSchema.Column label, int featuresPerStep,
        LstmNonFiniteValues policy, string role)
    {
        CheckInput(input);
        int K = TargetSize(label);
        var sequences = new List<float[]>();
        var targets = new List<float[]>();
        int skippedNonFinite = 0, skippedEmpty = 0;
        using var cursor = data.GetRowCursor([input, label]);
        var readFeatures = cursor.GetGetter<VBuffer<float>>(input);
        ValueGetter<float>? readScalar = K == 1 && label.Type is NumberDataViewType ? cursor.GetGetter<float>(label) : null;
        ValueGetter<VBuffer<float>>? readVector = readScalar is null ? cursor.GetGetter<VBuffer<float>>(label) : null;
        VBuffer<float> features = default, labelVector = default;
        float scalar = 0;
        long row = -1;
        while (cursor.MoveNext())
        {
            row++;
            readFeatures(ref features);
            var sequence = features.DenseValues().ToArray();
            float[] target;
            if (readScalar is not null) { readScalar(ref scalar); target = [scalar]; }
            else { readVector!(ref labelVector); target = labelVector.DenseValues().ToArray(); }

            if (sequence.Length == 0) { skippedEmpty++; continue; }
            CheckWholeSteps(sequence.Length, featuresPerStep, input.Name, row);
            bool badFeature = FirstNonFinite(sequence, out int at), badLabel = FirstNonFinite(target, out int labelAt);
            if (badFeature || badLabel)
            {
                if (policy == LstmNonFiniteValues.SkipRow) { skippedNonFinite++; continue; }
                throw new InvalidOperationException(badFeature
                    ? $"Row {row} of the {role} data: column '{input.Name}' holds {sequence[at]} at position {at} (step {at / featuresPerStep}, feature {at % featuresPerStep}); " +
                      "values must be finite. Clean or impute the data, or set NonFiniteValues = SkipRow to skip such rows."
                    : $"Row {row} of the {role} data: label column '{label.Name}' holds {target[labelAt]}{(K > 1 ? $" at position {labelAt}" : "")}; " +
                      "labels must be finite. Clean the data, or set NonFiniteValues = SkipRow to skip such rows.");
            }
            sequences.Add(sequence);
            targets.Add(target);
        }
        return new SequenceRows(sequences.ToArray(), targets.ToArray(), skippedNonFinite, skippedEmpty);
    }

    public static void CheckWholeSteps(int length, int featuresPerStep, string column, long row)
    {
        if (length % featuresPerStep != 0)
            throw new InvalidOperationException($"Row {row}: column '{column}' holds {length} values, not a multiple of FeaturesPerStep = {featuresPerStep} " +
                "(each step must have all its features).");
    }

    public static bool FirstNonFinite(float[] values, out int index)
    {
        for (index = 0; index < values.Length; index++)
            if (!float.IsFinite(values[index])) return true;
        index = -1;
        return false;
    }
}
