namespace Lstm.MLNet.Samples;

/// <summary>
/// A minimal word-level tokenizer and vocabulary for the samples: lowercase, split on anything that is
/// not a letter. Id 0 is the unknown token (also what the network reads for an empty sentence), so
/// words too rare in the training data share one trained embedding instead of an untrained one each.
/// </summary>
internal sealed class WordVocabulary
{
    public const int UnknownId = 0;
    private readonly Dictionary<string, int> _ids;

    private WordVocabulary(Dictionary<string, int> ids) => _ids = ids;

    /// <summary>Number of ids, the unknown token included.</summary>
    public int Count => _ids.Count + 1;

    /// <summary>A vocabulary of the words seen at least <paramref name="minimumCount"/> times, ids in order of first appearance (deterministic).</summary>
    public static WordVocabulary Build(IEnumerable<string> texts, int minimumCount)
    {
        var counts = new Dictionary<string, int>();
        var firstSeen = new List<string>();
        foreach (var text in texts)
            foreach (var word in Split(text))
                if (!counts.TryAdd(word, 1)) counts[word]++;
                else firstSeen.Add(word);
        var ids = new Dictionary<string, int>();
        foreach (var word in firstSeen)
            if (counts[word] >= minimumCount) ids[word] = ids.Count + 1;
        return new WordVocabulary(ids);
    }

    /// <summary>The ids of <paramref name="text"/>'s words (unknown words → <see cref="UnknownId"/>).</summary>
    public int[] Encode(string text) => Split(text).Select(w => _ids.GetValueOrDefault(w, UnknownId)).ToArray();

    /// <summary>Lowercase words: maximal runs of letters.</summary>
    public static IEnumerable<string> Split(string text)
    {
        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool letter = i < text.Length && char.IsLetter(text[i]);
            if (letter && start < 0) start = i;
            else if (!letter && start >= 0)
            {
                yield return text[start..i].ToLowerInvariant();
                start = -1;
            }
        }
    }
}
