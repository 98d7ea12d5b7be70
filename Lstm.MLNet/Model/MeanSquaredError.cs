namespace Lstm.MLNet.Model;

/// <summary>The mean squared error over every output of a batch (<c>nn.MSELoss</c> with mean reduction).</summary>
internal static class MeanSquaredError
{
    /// <summary>Forward: Σ (y − t)² / count, summed in double.</summary>
    public static float Forward(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets)
    {
        double sum = 0;
        for (int i = 0; i < predictions.Length; i++)
        {
            double error = predictions[i] - targets[i];
            sum += error * error;
        }
        return (float)(sum / predictions.Length);
    }

    /// <summary>Backward of the mean: dPredictions = 2 (y − t) / count.</summary>
    public static void Backward(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, Span<float> dPredictions)
    {
        float scale = 2f / predictions.Length;
        for (int i = 0; i < predictions.Length; i++) dPredictions[i] = (predictions[i] - targets[i]) * scale;
    }
}
