using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet;

/// <summary>The annotations ML.NET's scorers put on their output columns, which its evaluators look for.</summary>
internal static class ScoreAnnotations
{
    /// <summary>The score-column set id a new scorer on <paramref name="input"/> takes: one more than any there.</summary>
    public static uint NextSetId(DataViewSchema input) => input.GetMaxAnnotationKind(out _, AnnotationUtils.Kinds.ScoreColumnSetId) + 1;

    /// <summary>Adds ScoreColumnSetId, ScoreColumnKind (e.g. "BinaryClassification") and ScoreValueKind (e.g. "Score") to <paramref name="builder"/>.</summary>
    public static DataViewSchema.Annotations.Builder Add(DataViewSchema.Annotations.Builder builder, uint setId, string columnKind, string valueKind)
    {
        builder.Add(AnnotationUtils.Kinds.ScoreColumnSetId, AnnotationUtils.ScoreColumnSetIdType, (ref uint value) => value = setId);
        builder.Add(AnnotationUtils.Kinds.ScoreColumnKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> value) => value = columnKind.AsMemory());
        builder.Add(AnnotationUtils.Kinds.ScoreValueKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> value) => value = valueKind.AsMemory());
        return builder;
    }

    /// <summary>A scorer output's annotations (with IsNormalized when <paramref name="normalized"/>: a probability).</summary>
    public static DataViewSchema.Annotations Of(uint setId, string columnKind, string valueKind, bool normalized = false)
    {
        var builder = Add(new DataViewSchema.Annotations.Builder(), setId, columnKind, valueKind);
        if (normalized) builder.Add(AnnotationUtils.Kinds.IsNormalized, BooleanDataViewType.Instance, (ref bool value) => value = true);
        return builder.ToAnnotations();
    }
}
