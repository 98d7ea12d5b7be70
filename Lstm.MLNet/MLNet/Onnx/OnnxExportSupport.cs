using Lstm.MLNet.Text;

namespace Lstm.MLNet;

/// <summary>
/// What the ONNX export cannot reproduce exactly, per model kind. ML.NET's converter only logs a warning and then fails with
/// a generic "can not be fully converted" when a step answers <c>CanSaveOnnx</c> with false, so a model that cannot be
/// exported throws from <c>CanSaveOnnx</c> instead, naming the reason: never a silently different graph.
/// </summary>
internal static class OnnxExportSupport
{
    /// <summary>
    /// The reasons the text classifier <paramref name="model"/> cannot be exported exactly. Every pooling, both input kinds,
    /// the word n-gram wide path and the temperature have exact graphs; what the graph reads is the network over word ids
    /// alone, so the check is semantic: on probe texts (frequent vocabulary words and an unknown one) the model's own
    /// prediction must be bit-identical to the network's over the word ids alone. A model whose prediction reads anything
    /// more (character n-grams of the tokens, say) fails it, whatever option added that input.
    /// </summary>
    public static IEnumerable<string> TextClassifierGaps(TextClassifierModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Tokenizer is not { } tokenizer) yield break;
        var vocabulary = tokenizer.Vocabulary;
        string[] probes =
        [
            string.Join(" ", vocabulary.Skip(WordTokenizer.ReservedIds).Take(12)) + " zyxqvw",
            "Zyxqvw, " + string.Join(" ", vocabulary.Skip(WordTokenizer.ReservedIds + 12).Take(12)) + " !",
        ];
        var predictor = model.CreatePredictor();
        var network = model.Network.CreateInferenceView();
        var wordsOnly = new float[model.NumberOfClasses];
        float inverseTemperature = 1f / model.Temperature;
        foreach (string text in probes)
        {
            predictor.Predict(model.Prepare(text));
            network.PredictLogits(new[] { tokenizer.Encode(text, model.MaxSequenceLength) }, wordsOnly);
            if (inverseTemperature != 1f)
                for (int c = 0; c < wordsOnly.Length; c++) wordsOnly[c] *= inverseTemperature;
            if (!predictor.Logits.AsSpan().SequenceEqual(wordsOnly))
            {
                yield return "its prediction reads more than the network over word ids (e.g. character n-grams of the tokens in the wide " +
                    "path, CharNgramLength > 0), which has no exact ONNX graph here; train it with CharNgramLength = 0 (or NgramLength = 0) to export it";
                yield break;
            }
        }
    }

    /// <summary>True when <paramref name="gaps"/> is empty; otherwise throws <see cref="NotSupportedException"/> listing them.</summary>
    public static bool Require(IEnumerable<string> gaps, string model)
    {
        var reasons = gaps.ToArray();
        if (reasons.Length > 0)
            throw new NotSupportedException($"This {model} cannot be exported to ONNX exactly: {string.Join("; ", reasons)}.");
        return true;
    }
}
