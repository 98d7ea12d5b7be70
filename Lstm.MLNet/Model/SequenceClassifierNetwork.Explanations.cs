using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Model;

/// <summary>What <see cref="SequenceClassifierNetwork.IntegratedGradients(int[], System.ReadOnlySpan{float}, int)"/> found for one sequence.</summary>
/// <param name="Tokens">[T] each token's attribution: its embedding's, plus its share of the wide path's n-grams</param>
/// <param name="InputScore">direction · logits of the sequence</param>
/// <param name="BaselineScore">direction · logits of the baseline: zero embeddings of the same length and an empty n-gram bag</param>
internal readonly record struct IntegratedGradientsResult(float[] Tokens, double InputScore, double BaselineScore);

internal sealed partial class SequenceClassifierNetwork
{
    /// <summary>Packed rows (path points × tokens) one forward/backward of an explanation holds at most: bounds its workspaces whatever the length.</summary>
    private const int ExplanationRowsPerPass = 8192;

    /// <summary>
    /// Integrated gradients (Sundararajan et al. 2017, "Axiomatic Attribution for Deep Networks") of the score
    /// <paramref name="direction"/> · logits (<paramref name="direction"/> [C]: a class's row, or the binary margin's ±1)
    /// for one sequence. The path runs from the baseline — every token's embedding zero, the n-gram bag empty — to the
    /// input, scaling the embeddings x and the whole bag by the same α ∈ [0, 1]; each token's attribution is
    /// x · (the mean over the path of ∂score/∂x) summed over the embedding, plus its share of the wide path's n-grams
    /// (<see cref="NgramLinear.AttributeToTokens"/>, exact: the wide path is linear in its bag).
    /// <para>The mean is the midpoint rule over <paramref name="steps"/> points α = (k + ½)/steps, all evaluated as one
    /// packed batch of equal-length copies (one forward and one backward through the existing pass, in chunks of at most
    /// <see cref="ExplanationRowsPerPass"/> rows), so the attributions sum to InputScore − BaselineScore up to an error that
    /// falls as 1/steps² where the network is smooth along the path (max pooling's switches make it 1/steps near them).</para>
    /// <para>Runs on an inference view only (no dropout; a view per thread, as for prediction).</para>
    /// </summary>
    public IntegratedGradientsResult IntegratedGradients(int[] tokens, ReadOnlySpan<float> direction, int steps) =>
        IntegratedGradients(tokens, default, default, direction, steps);

    /// <summary><see cref="IntegratedGradients(int[], ReadOnlySpan{float}, int)"/> with the wide path's sub-word bag.</summary>
    /// <param name="tokens">[T] the sequence's token ids</param>
    /// <param name="subwords">the wide path's sub-word hashes of the sequence (<see cref="ClassifierInput.Subwords"/>; empty for none)</param>
    /// <param name="subwordOwners">[subwords] the token each hash comes from</param>
    /// <param name="direction">[classes] the weights of the score to explain over the network's outputs</param>
    /// <param name="steps">the number of points on the path from the baseline</param>
    public IntegratedGradientsResult IntegratedGradients(int[] tokens, ReadOnlySpan<int> subwords, ReadOnlySpan<int> subwordOwners, ReadOnlySpan<float> direction, int steps)
    {
        if (!IsInferenceView)
            throw new InvalidOperationException("Explanations run on an inference view (CreateInferenceView): no dropout, and the training network's workspaces are left alone.");
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Length == 0)
            throw new ArgumentException("An explanation needs at least one token (an empty sequence reads as padding: there is nothing to attribute).", nameof(tokens));
        ModelLimits.RequireInRange(steps, 1, ModelLimits.MaxExplanationSteps, nameof(steps));
        int T = tokens.Length, E = Options.EmbeddingSize, C = NumberOfClasses;
        if (direction.Length != C)
            throw new ArgumentException($"The direction has {direction.Length} values; the network has {C} classes.", nameof(direction));

        var input = new float[checked(T * E)]; // [T × E] the tokens' embeddings: the end of the path
        _embedding.Forward(tokens, input);

        // Points on the path: α = 0 (the baseline's score), α = 1 (the input's), then the midpoints whose gradients are averaged.
        const int FirstMidpoint = 2;
        int points = steps + FirstMidpoint;
        var alphas = new float[points];
        alphas[1] = 1f;
        for (int k = 0; k < steps; k++) alphas[FirstMidpoint + k] = (k + 0.5f) / steps;

        var gradientSum = new double[T * E]; // [T × E] Σ over the midpoints of ∂score/∂(the step's input), in point order
        double baselineScore = 0, deepInputScore = 0;
        int perPass = Math.Clamp(ExplanationRowsPerPass / T, 1, points);
        for (int start = 0; start < points; start += perPass)
        {
            int B = Math.Min(perPass, points - start);
            var batch = SequenceBatch.Uniform(B, T);
            var packed = NetworkSupport.Grow(ref _embedded, batch.TotalSteps * E);
            for (int b = 0; b < B; b++)
                for (int t = 0; t < T; t++)
                {
                    var source = input.AsSpan(t * E, E);
                    var target = packed.Slice(batch.PackedRow(b, t) * E, E);
                    for (int e = 0; e < E; e++) target[e] = alphas[start + b] * source[e];
                }

            var logits = _head.Forward(batch, packed, training: false);
            var dLogits = NetworkSupport.Grow(ref _dLogits, B * C);
            for (int b = 0; b < B; b++)
            {
                int point = start + b;
                double score = 0;
                for (int c = 0; c < C; c++) score += (double)direction[c] * logits[b * C + c];
                if (point == 0) baselineScore = score;
                else if (point == 1) deepInputScore = score;
                var row = dLogits.Slice(b * C, C);
                if (point >= FirstMidpoint) direction.CopyTo(row);
                else row.Clear();
            }

            var dPacked = NetworkSupport.Grow(ref _dEmbedded, batch.TotalSteps * E);
            _head.Backward(dLogits, dPacked);
            for (int b = 0; b < B; b++)
            {
                if (start + b < FirstMidpoint) continue;
                for (int t = 0; t < T; t++)
                {
                    var gradient = dPacked.Slice(batch.PackedRow(b, t) * E, E);
                    for (int e = 0; e < E; e++) gradientSum[t * E + e] += gradient[e];
                }
            }
        }

        var attributions = new float[T];
        for (int t = 0; t < T; t++)
        {
            double sum = 0;
            for (int e = 0; e < E; e++) sum += input[t * E + e] * gradientSum[t * E + e];
            attributions[t] = (float)(sum / steps);
        }
        double wideScore = _wide?.AttributeToTokens(tokens, subwords, subwordOwners, direction, attributions) ?? 0;
        return new IntegratedGradientsResult(attributions, deepInputScore + wideScore, baselineScore);
    }
}
