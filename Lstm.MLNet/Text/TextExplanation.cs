namespace Lstm.MLNet.Text;

/// <summary>One token of an explained text and its share of the score (<see cref="TextExplanation"/>).</summary>
public sealed record TokenAttribution
{
    internal TokenAttribution(string text, int offset, bool inVocabulary, float attribution)
    {
        Text = text; Offset = offset; InVocabulary = inVocabulary; Attribution = attribution;
    }

    /// <summary>The token as it appears in the explained text (original case).</summary>
    public string Text { get; }
    /// <summary>Where the token starts in the explained text (its length is <see cref="Text"/>'s).</summary>
    public int Offset { get; }
    /// <summary>False for a word outside the learned vocabulary: the model read it as the unknown token.</summary>
    public bool InVocabulary { get; }
    /// <summary>The token's contribution to the score, in the score's units: positive pushes towards the explained class.</summary>
    public float Attribution { get; }
}

/// <summary>
/// Why a text classifier scored a text as it did: per-token attributions by integrated gradients
/// (<c>LstmTextClassificationTransformer.Explain</c>). The attributions sum to <see cref="InputScore"/> −
/// <see cref="BaselineScore"/> up to <see cref="ConvergenceDelta"/>, which more <see cref="Steps"/> shrink.
/// </summary>
public sealed record TextExplanation
{
    internal TextExplanation(IReadOnlyList<TokenAttribution> tokens, int classIndex, string className, float inputScore, float baselineScore, int steps)
    {
        Tokens = tokens; ClassIndex = classIndex; ClassName = className; InputScore = inputScore; BaselineScore = baselineScore; Steps = steps;
        double attributed = 0;
        foreach (var token in tokens) attributed += token.Attribution;
        ConvergenceDelta = (float)(inputScore - baselineScore - attributed);
    }

    /// <summary>The tokens the model read, in order (the first <c>MaxSequenceLength</c>; none for an empty or blank text).</summary>
    public IReadOnlyList<TokenAttribution> Tokens { get; }
    /// <summary>The explained class, in score order (binary: 1 = True, 0 = False).</summary>
    public int ClassIndex { get; }
    /// <summary>The explained class's name (<c>ClassNames[ClassIndex]</c>).</summary>
    public string ClassName { get; }
    /// <summary>
    /// The explained score of the text. Binary: the margin towards the class, (z_class − z_other) / T: for class True the
    /// pipeline's <c>Score</c> column (log-odds). Multiclass: the class's logit z_class / T (its softmax input). T is the
    /// model's calibration temperature.
    /// </summary>
    public float InputScore { get; }
    /// <summary>
    /// The same score for the baseline the attributions are measured from: as many tokens, each with a zero embedding,
    /// and an empty n-gram bag (what the network says when it is told nothing). For an empty text: <see cref="InputScore"/>.
    /// </summary>
    public float BaselineScore { get; }
    /// <summary>Integration steps used (the midpoint rule along the path from the baseline to the text).</summary>
    public int Steps { get; }
    /// <summary><see cref="InputScore"/> − <see cref="BaselineScore"/> − Σ attributions: the integration error (completeness gap).</summary>
    public float ConvergenceDelta { get; }
}
