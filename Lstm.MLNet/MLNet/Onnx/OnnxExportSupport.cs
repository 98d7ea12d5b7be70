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
    /// the word n-gram wide path, the character n-gram sub-word bag and the temperature have exact graphs; what the graph
    /// reads is the network over word ids and those ids' pieces' character n-gram hashes (<see cref="CharNgramHasher"/>),
    /// so the check is semantic: on probe texts (frequent vocabulary words and an unknown one) the model's own prediction
    /// must be bit-identical to the network's over exactly those inputs. A model whose prediction reads anything more fails
    /// it, whatever option added that input.
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
        var exported = new float[model.NumberOfClasses];
        float inverseTemperature = 1f / model.Temperature;
        foreach (string text in probes)
        {
            predictor.Predict(model.Prepare(text));
            int[] ids = tokenizer.Encode(text, model.MaxSequenceLength, model.CharNgrams, out int[] subwords);
            network.PredictLogits(new[] { ids }, model.CharNgrams is null ? default : new[] { subwords }, exported);
            if (inverseTemperature != 1f)
                for (int c = 0; c < exported.Length; c++) exported[c] *= inverseTemperature;
            if (!predictor.Logits.AsSpan().SequenceEqual(exported))
            {
                yield return "its prediction reads more than the network over word ids and their character n-grams, " +
                    "which is all the ONNX graph computes";
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
