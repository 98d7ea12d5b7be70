using Lstm.MLNet.Text;

namespace Lstm.MLNet;

public sealed partial class LstmTextClassificationTransformer
{
    /// <summary>
    /// Which words made the score: per-token attributions for one text by integrated gradients (Sundararajan et al. 2017)
    /// through the network's own backward pass. The path runs from a baseline (every token's embedding zero, the wide
    /// path's n-gram bag empty) to the text; each token gets its embedding × the mean gradient along the path (and its
    /// share of the n-grams it belongs to), so the attributions sum to <see cref="TextExplanation.InputScore"/> −
    /// <see cref="TextExplanation.BaselineScore"/> up to <see cref="TextExplanation.ConvergenceDelta"/>.
    /// Text input only; thread-safe.
    /// </summary>
    /// <param name="text">The text, read as prediction reads it (its first <c>MaxSequenceLength</c> tokens).</param>
    /// <param name="classIndex">The class to explain, in <see cref="ClassNames"/> order; null: binary, True (the
    /// <c>Score</c> margin); multiclass, the predicted class. Binary class 0 explains the negated margin.</param>
    /// <param name="steps">Integration steps, 1 to 1,024: the gap falls roughly as 1/steps²; 50 keeps it well below the
    /// attributions of a trained model (one forward and backward over steps + 2 copies of the text).</param>
    /// <exception cref="InvalidOperationException">The model reads key-typed token ids, not text.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classIndex"/> or <paramref name="steps"/> is out of range.</exception>
    public TextExplanation Explain(string? text, int? classIndex = null, int steps = 50)
    {
        if (Tokenizer is null) throw new InvalidOperationException($"This model reads key-typed token ids from '{InputColumnName}', not text: there is no text to explain.");
        return _model.Explain(text, classIndex, steps, Task == LstmTask.BinaryClassification, _classNames);
    }
}
