using Lstm.MLNet.Model;
using Lstm.MLNet.Model.Persistence;

namespace Lstm.MLNet.Text;

internal sealed partial class TextClassifierModel
{
    // The model's state in a saved payload, in the layout of format v1 (which v2 wraps unchanged), where the ML.NET
    // transformer's training history sits between the vocabulary and the weights:
    //   WriteVocabulary: int classes · int vocabulary size · text input: the vocabulary (WordTokenizer.Write)
    //   (the transformer's training history and best epoch)
    //   WriteWeights:    the network's tensors and their checksum (ModelPayload.WriteTensors)
    // The network options and the length rule are the transformer's saved options; it passes them back to the readers.

    /// <summary>What <see cref="ReadVocabulary"/> read and checked: the classes, the embedding's ids, the learned vocabulary (text input).</summary>
    public readonly record struct SavedVocabulary(int Classes, int VocabularySize, WordTokenizer? Tokenizer);

    /// <summary>Writes the classes, the vocabulary size and (text input) the vocabulary.</summary>
    public void WriteVocabulary(BinaryWriter w)
    {
        w.Write(NumberOfClasses);
        w.Write(Network.VocabularySize);
        Tokenizer?.Write(w);
    }

    /// <summary>Writes the network's weights.</summary>
    public void WriteWeights(BinaryWriter w) => ModelPayload.WriteTensors(w, Network.NamedParameters());

    /// <summary>Reads what <see cref="WriteVocabulary"/> wrote, checking each count before it allocates.</summary>
    /// <param name="r">The payload, positioned at the vocabulary.</param>
    /// <param name="binary">True for a binary classifier (exactly 2 classes).</param>
    /// <param name="textInput">True when the model reads text (a vocabulary follows); false for key-typed token ids.</param>
    public static SavedVocabulary ReadVocabulary(BinaryReader r, bool binary, bool textInput)
    {
        int classes = r.ReadInt32();
        int vocabularySize = r.ReadInt32();
        if (classes < 2 || (binary && classes != 2) || classes > 1_000_000)
            throw new InvalidDataException($"The model claims {classes} classes for {(binary ? "binary" : "multiclass")} classification.");
        if (vocabularySize < WordTokenizer.ReservedIds || vocabularySize > ModelPayload.MaxSavedCount)
            throw new InvalidDataException($"The model claims a vocabulary of {vocabularySize} ids.");
        WordTokenizer? tokenizer = null;
        if (textInput)
        {
            // Each saved token takes one byte at least (its length prefix): no more can be claimed than bytes remain.
            tokenizer = WordTokenizer.Read(r, ModelPayload.CheckCount(r, vocabularySize, 1, "vocabulary tokens"));
            if (tokenizer.VocabularySize != vocabularySize)
                throw new InvalidDataException($"The saved vocabulary has {tokenizer.VocabularySize} tokens; the model expects {vocabularySize}.");
        }
        return new(classes, vocabularySize, tokenizer);
    }

    /// <summary>
    /// Reads what <see cref="WriteWeights"/> wrote and checks it holds exactly the parameters <paramref name="network"/>
    /// implies; gives back the model's builder, for the caller to call once it has read and checked the rest of its payload
    /// (nothing is built for a file that fails later).
    /// </summary>
    public static Func<TextClassifierModel> ReadWeights(BinaryReader r, SavedVocabulary vocabulary, SequenceClassifierOptions network, int maxSequenceLength, float temperature = 1f, int charNgramLength = 0)
    {
        var tensors = ModelPayload.ReadTensors(r);
        ModelPayload.CheckParameterCount(tensors, ModelPayload.ExpectedParameters(network.EmbeddingSize, network.HiddenSize, network.NumberOfLayers,
            network.Bidirectional, vocabulary.Classes, embedding: checked((long)vocabulary.VocabularySize * network.EmbeddingSize + (long)network.NgramBuckets * vocabulary.Classes)));
        return () =>
        {
            var built = new SequenceClassifierNetwork(vocabulary.VocabularySize, vocabulary.Classes, network);
            built.LoadParameters(tensors);
            return new TextClassifierModel(built, vocabulary.Tokenizer, maxSequenceLength, temperature, charNgramLength);
        };
    }
}
