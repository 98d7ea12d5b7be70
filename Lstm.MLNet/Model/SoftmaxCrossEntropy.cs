namespace Lstm.MLNet.Model;

/// <summary>Softmax over C classes and the mean cross-entropy loss over a batch (<c>nn.CrossEntropyLoss</c>).</summary>
internal static class SoftmaxCrossEntropy
{
    /// <summary>
    /// Forward: probabilities [B × C] = softmax(logits [B × C]) per row (max-shifted, in double).
    /// Returns mean_b −log p[b, labels[b]], or 0 when <paramref name="labels"/> is empty (inference).
    /// </summary>
    public static float Forward(ReadOnlySpan<float> logits, int classes, ReadOnlySpan<int> labels, Span<float> probabilities)
    {
        int rows = logits.Length / classes;
        double loss = 0;
        for (int b = 0; b < rows; b++)
        {
            var z = logits.Slice(b * classes, classes);
            var p = probabilities.Slice(b * classes, classes);
            float max = z[0];
            for (int c = 1; c < classes; c++) max = Math.Max(max, z[c]);
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.Exp(z[c] - max);
            for (int c = 0; c < classes; c++) p[c] = (float)(Math.Exp(z[c] - max) / sum);
            // −log softmax(z)[y] = log Σ exp(z − max) − (z[y] − max)
            if (!labels.IsEmpty) loss += Math.Log(sum) - (z[labels[b]] - max);
        }
        return labels.IsEmpty ? 0f : (float)(loss / rows);
    }

    /// <summary>Backward of the mean loss: dLogits [B × C] = (p − onehot(y)) / B.</summary>
    public static void Backward(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels, Span<float> dLogits)
    {
        int rows = labels.Length;
        float inverseRows = 1f / rows;
        for (int b = 0; b < rows; b++)
            for (int c = 0; c < classes; c++)
            {
                int i = b * classes + c;
                dLogits[i] = (probabilities[i] - (c == labels[b] ? 1f : 0f)) * inverseRows;
            }
    }
}
