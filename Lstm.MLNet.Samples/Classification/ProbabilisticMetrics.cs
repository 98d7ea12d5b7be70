namespace Lstm.MLNet.Samples.Classification;

/// <summary>
/// The suite's metrics of one model on one test split, computed the same way for every model from the class
/// probabilities it outputs (binary: [1 − p, p]), so that ML.NET's binary and multiclass evaluators, which report
/// different things, do not make the two models look different.
/// </summary>
public sealed record ProbabilisticMetrics(double Accuracy, double MacroF1, double LogLoss, double ExpectedCalibrationError, double FitSeconds)
{
    /// <summary>The usual number of equal-width confidence bins of expected calibration error (Guo et al. 2017).</summary>
    public const int CalibrationBins = 15;

    /// <summary>Probabilities are clipped to [ε, 1] before the log, as ML.NET's evaluators do, so one certain mistake costs −ln ε, not ∞.</summary>
    private const double ProbabilityFloor = 1e-15;

    /// <param name="truth">the true class of each row, in [0, classCount); −1 for a class the model never saw in training (always an error)</param>
    /// <param name="probabilities">row-major [rows × classCount] class probabilities</param>
    /// <param name="predicted">the class the model predicts for each row</param>
    public static ProbabilisticMetrics Compute(ReadOnlySpan<int> truth, ReadOnlySpan<float> probabilities, ReadOnlySpan<int> predicted, int classCount, double fitSeconds)
    {
        int rows = truth.Length;
        if (rows == 0) throw new ArgumentException("The test split has no rows.", nameof(truth));
        if (probabilities.Length != rows * classCount)
            throw new ArgumentException($"Expected {rows} × {classCount} probabilities, got {probabilities.Length}.", nameof(probabilities));
        if (predicted.Length != rows) throw new ArgumentException($"Expected {rows} predictions, got {predicted.Length}.", nameof(predicted));

        var truePositives = new int[classCount];
        var truthCounts = new int[classCount];
        var predictedCounts = new int[classCount];
        int correct = 0;
        double logLoss = 0;
        var confidences = new double[rows];
        var hits = new bool[rows];
        for (int r = 0; r < rows; r++)
        {
            var row = probabilities.Slice(r * classCount, classCount);
            int t = truth[r], p = predicted[r];
            bool hit = t == p;
            if (hit) { correct++; truePositives[t]++; }
            if (t >= 0) truthCounts[t]++;
            if (p >= 0 && p < classCount) predictedCounts[p]++;
            double pTrue = t >= 0 ? row[t] : 0;
            logLoss -= Math.Log(Math.Clamp(pTrue, ProbabilityFloor, 1.0));
            double top = 0;
            foreach (float v in row) top = Math.Max(top, v);
            confidences[r] = top;
            hits[r] = hit;
        }

        // Macro-F1 over the classes that occur in the truth or the predictions (a class absent from both has no F1).
        double f1Sum = 0;
        int f1Classes = 0;
        for (int c = 0; c < classCount; c++)
        {
            if (truthCounts[c] + predictedCounts[c] == 0) continue;
            f1Sum += 2.0 * truePositives[c] / (truthCounts[c] + predictedCounts[c]);
            f1Classes++;
        }
        return new((double)correct / rows, f1Sum / f1Classes, logLoss / rows, CalibrationError(confidences, hits), fitSeconds);
    }

    /// <summary>
    /// Expected calibration error: the rows binned by the confidence of their top class into
    /// <see cref="CalibrationBins"/> equal-width bins over [0, 1]; Σ_b (n_b / n)·|accuracy_b − mean confidence_b|.
    /// </summary>
    public static double CalibrationError(ReadOnlySpan<double> confidences, ReadOnlySpan<bool> correct)
    {
        if (confidences.Length != correct.Length) throw new ArgumentException($"{confidences.Length} confidences for {correct.Length} outcomes.", nameof(correct));
        if (confidences.Length == 0) throw new ArgumentException("No rows.", nameof(confidences));
        Span<double> confidenceSums = stackalloc double[CalibrationBins];
        Span<int> hitCounts = stackalloc int[CalibrationBins];
        Span<int> counts = stackalloc int[CalibrationBins];
        for (int i = 0; i < confidences.Length; i++)
        {
            double c = confidences[i];
            if (!(c >= 0 && c <= 1)) throw new ArgumentOutOfRangeException(nameof(confidences), c, $"Confidence of row {i} is not a probability.");
            int bin = Math.Min((int)(c * CalibrationBins), CalibrationBins - 1);  // [b/15, (b+1)/15), 1.0 in the last bin
            confidenceSums[bin] += c;
            counts[bin]++;
            if (correct[i]) hitCounts[bin]++;
        }
        double ece = 0;
        for (int b = 0; b < CalibrationBins; b++)
            if (counts[b] > 0)
                ece += Math.Abs((double)hitCounts[b] / counts[b] - confidenceSums[b] / counts[b]) * counts[b];
        return ece / confidences.Length;
    }
}
