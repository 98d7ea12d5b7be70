namespace Lstm.MLNet.Model;

/// <summary>
/// One sequence as a <see cref="SequenceClassifierNetwork"/> reads it: the token ids (embedding, LSTM and the wide
/// path's word n-grams) and the sub-word hashes of the wide path's second bag (character n-grams of those tokens;
/// empty when the model has none). The text layer builds both from the same tokens.
/// </summary>
internal readonly record struct ClassifierInput(int[] Tokens, int[] Subwords)
{
    /// <summary>Token ids without sub-word evidence.</summary>
    public static ClassifierInput FromTokens(int[] tokens) => new(tokens, []);
}
