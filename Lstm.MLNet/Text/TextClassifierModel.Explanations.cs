using Lstm.MLNet.Model;

namespace Lstm.MLNet.Text;

internal sealed partial class TextClassifierModel
{
    /// <summary>
    /// Per-token attributions of one text by integrated gradients (<see cref="SequenceClassifierNetwork.IntegratedGradients(int[], System.ReadOnlySpan{float}, int)"/>)
    /// for class <paramref name="classIndex"/> (null: binary, class 1 = True; multiclass, the predicted class).
    /// <paramref name="binary"/>: the score is the margin (z_c − z_other) / T, the binary <c>Score</c>; otherwise the
    /// class's logit z_c / T. The text is read as prediction reads it (<see cref="Prepare(string?)"/>); an empty or blank
    /// text has no tokens and nothing to attribute. Thread-safe: each call runs on its own inference views.
    /// </summary>
    public TextExplanation Explain(string? text, int? classIndex, int steps, bool binary, IReadOnlyList<string> classNames)
    {
        if (Tokenizer is null) throw new InvalidOperationException("This model reads key-typed token ids, not text: there is no text to explain.");
        int C = NumberOfClasses;
        if (classNames.Count != C) throw new ArgumentException($"{classNames.Count} class names for {C} classes.", nameof(classNames));
        if (binary && C != 2) throw new ArgumentException($"A binary model has 2 classes; this one has {C}.", nameof(binary));
        if (classIndex is { } requested && (uint)requested >= (uint)C)
            throw new ArgumentOutOfRangeException(nameof(classIndex), requested,
                $"The class to explain must be in [0, {C}): {string.Join(", ", classNames.Take(10).Select((name, c) => $"{c} = {name}"))}{(C > 10 ? ", …" : "")}.");
        ModelLimits.RequireInRange(steps, 1, ModelLimits.MaxExplanationSteps, nameof(steps));

        // Read as Prepare reads it, keeping which token each sub-word hash comes from.
        var owners = new List<int>();
        int[] ids = Tokenizer.Encode(text, MaxSequenceLength, CharNgrams, out var subwords, owners);
        var predictor = CreatePredictor();
        predictor.Predict(new ClassifierInput(ids, subwords));
        int target = classIndex ?? (binary ? 1 : ArgMax(predictor.Probabilities));
        // The explained score is a linear read-out of the logits: readOut · (z / T).
        var readOut = new float[C];
        readOut[target] = 1f;
        if (binary) readOut[1 - target] = -1f;
        if (ids.Length == 0)
        {
            float score = Dot(readOut, predictor.Logits); // the predictor's logits are already divided by T
            return new TextExplanation([], target, classNames[target], score, score, steps);
        }
        for (int c = 0; c < C; c++) readOut[c] /= Temperature;

        var result = Network.CreateInferenceView().IntegratedGradients(ids, subwords, owners.ToArray(), readOut, steps);
        // Prepare reads the first ids.Length pieces of the text in order; the tokenizer's pieces give their place in it.
        // Lower-casing (ToLowerInvariant) keeps every character's position, so the offsets are the original text's.
        var pieces = Tokenizer.EncodeToTokens(text!, out _);
        var tokens = new TokenAttribution[ids.Length];
        for (int t = 0; t < ids.Length; t++)
        {
            var (offset, length) = pieces[t].Offset.GetOffsetAndLength(text!.Length);
            tokens[t] = new TokenAttribution(text.Substring(offset, length), offset, ids[t] != WordTokenizer.UnknownId, result.Tokens[t]);
        }
        return new TextExplanation(tokens, target, classNames[target], (float)result.InputScore, (float)result.BaselineScore, steps);
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (double)a[i] * b[i];
        return (float)sum;
    }
}
