using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Model;

/// <summary>
/// A token embedding table [V × E] (<c>nn.Embedding</c>) whose gradient is row-sparse: a batch
/// touches only the rows of its tokens, and only those are updated.
/// </summary>
internal sealed class Embedding
{
    public Embedding(int vocabularySize, int embeddingSize, ComputeContext context)
        : this(vocabularySize, embeddingSize, new float[CheckedSize.Of(vocabularySize, embeddingSize, "Embedding table")], context)
    {
    }

    /// <summary>A table over <paramref name="sharedWeight"/> [V × E], used as is (not copied): inference views share the trained weights.</summary>
    public Embedding(int vocabularySize, int embeddingSize, float[] sharedWeight, ComputeContext context)
    {
        if (vocabularySize < 1) throw new ArgumentOutOfRangeException(nameof(vocabularySize), vocabularySize, "The vocabulary needs at least one token.");
        if (embeddingSize < 1) throw new ArgumentOutOfRangeException(nameof(embeddingSize), embeddingSize, "An embedding needs at least one value.");
        long expected = (long)vocabularySize * embeddingSize;
        if (sharedWeight.Length != expected)
            throw new ArgumentException($"The weight has {sharedWeight.Length} values; [V={vocabularySize} × E={embeddingSize}] needs {expected}.", nameof(sharedWeight));
        VocabularySize = vocabularySize;
        EmbeddingSize = embeddingSize;
        Weight = sharedWeight;
        Gradient = new SparseRowGradient(vocabularySize, embeddingSize, context);
    }

    public int VocabularySize { get; }
    public int EmbeddingSize { get; }
    /// <summary>[V × E]</summary>
    public float[] Weight { get; }
    /// <summary>The touched rows' gradients; <see cref="Backward"/> adds into it.</summary>
    public SparseRowGradient Gradient { get; }

    /// <summary>N(0, 1) per value, as <c>nn.Embedding</c> (Box–Muller on the seeded generator).</summary>
    public void InitializeNormal(Random random)
    {
        for (int i = 0; i < Weight.Length; i += 2)
        {
            double radius = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())), angle = 2 * Math.PI * random.NextDouble();
            Weight[i] = (float)(radius * Math.Cos(angle));
            if (i + 1 < Weight.Length) Weight[i + 1] = (float)(radius * Math.Sin(angle));
        }
    }

    /// <summary>Forward: output[n, :] = Weight[ids[n], :]. ids [N], output [N × E].</summary>
    public void Forward(ReadOnlySpan<int> ids, Span<float> output)
    {
        int e = EmbeddingSize;
        // Once per call, in 64 bits: the rows below are sliced with int offsets.
        if ((long)ids.Length * e > output.Length)
            throw new ArgumentException($"The output holds {output.Length} values; {ids.Length} tokens × E={e} need {(long)ids.Length * e}.", nameof(output));
        for (int n = 0; n < ids.Length; n++)
        {
            int id = ids[n];
            if ((uint)id >= (uint)VocabularySize)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token ids must be in [0, {VocabularySize}).");
            Weight.AsSpan(id * e, e).CopyTo(output.Slice(n * e, e));
        }
    }

    /// <summary>Backward: Gradient[ids[n], :] += dOutput[n, :], rows added in order n = 0, 1, … (deterministic).</summary>
    public void Backward(ReadOnlySpan<int> ids, ReadOnlySpan<float> dOutput) => Gradient.AddRows(ids, dOutput);
}
