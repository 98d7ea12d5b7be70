namespace Lstm.MLNet.Model;

/// <summary>What <see cref="TemperatureScaling"/> found: divide the logits by <see cref="Temperature"/> before the sigmoid/softmax.</summary>
/// <param name="Temperature">T &gt; 0; 1 leaves the probabilities as they are, T &gt; 1 softens over-confident ones.</param>
/// <param name="NllBefore">mean negative log-likelihood (nats) of the validation rows at T = 1</param>
/// <param name="NllAfter">the same at <see cref="Temperature"/> (never above <see cref="NllBefore"/>)</param>
/// <param name="Degenerate">null when T was fitted; otherwise why T = 1 was kept (the validation rows cannot tell)</param>
internal readonly record struct TemperatureFit(double Temperature, double NllBefore, double NllAfter, string? Degenerate);

/// <summary>
/// Temperature scaling (Guo et al. 2017, "On Calibration of Modern Neural Networks"): one scalar T fitted on held-out
/// logits by minimising the negative log-likelihood of p = sigmoid(z / T) (binary, one logit per row) or
/// softmax(z / T) (K logits per row). It changes no prediction (the arg-max is the same for every T) and only
/// re-scales confidence.
/// <para>
/// The search is over u = ln T in [ln <see cref="MinTemperature"/>, ln <see cref="MaxTemperature"/>]: the NLL is convex
/// in 1/T, hence unimodal in u, so a coarse grid brackets the minimum and a golden-section search refines it. No
/// gradient or starting point to tune, and the result is a deterministic function of the inputs.
/// </para>
/// </summary>
internal static class TemperatureScaling
{
    public const double MinTemperature = 0.01;
    public const double MaxTemperature = 100;

    private const int GridPoints = 61;          // ln T steps of ≈ 0.15 over [ln 0.01, ln 100]
    private const double Tolerance = 1e-7;      // on u = ln T: T to about seven significant digits

    /// <summary>Fits T on binary rows: <paramref name="logits"/>[i] is the log-odds of the positive class of row i.</summary>
    public static TemperatureFit FitBinary(ReadOnlySpan<float> logits, ReadOnlySpan<bool> labels)
    {
        if (logits.Length != labels.Length)
            throw new ArgumentException($"{logits.Length} logits for {labels.Length} labels: one logit per row.", nameof(labels));
        CheckRows(logits, logits.Length, 1);
        float[] z = logits.ToArray();
        bool[] y = labels.ToArray();

        bool anyPositive = y.Contains(true), anyNegative = y.Contains(false);
        bool allCorrect = true, allTied = true;
        for (int i = 0; i < z.Length; i++)
        {
            if (!(y[i] ? z[i] > 0 : z[i] < 0)) allCorrect = false;
            if (z[i] != 0) allTied = false;
        }
        return Fit(t => BinaryNll(z, y, t), Degeneracy(anyPositive && anyNegative, allCorrect, allTied));
    }

    /// <summary>Fits T on multiclass rows: <paramref name="logits"/> is row-major [rows × <paramref name="classCount"/>], <paramref name="labels"/>[i] in [0, K).</summary>
    public static TemperatureFit FitMulticlass(ReadOnlySpan<float> logits, int classCount, ReadOnlySpan<int> labels)
    {
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "A multiclass fit needs at least 2 classes.");
        if (logits.Length != labels.Length * classCount)
            throw new ArgumentException($"{logits.Length} logits for {labels.Length} labels × {classCount} classes: expected {labels.Length * classCount}.", nameof(logits));
        CheckRows(logits, labels.Length, classCount);
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classCount)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"Label of row {i} is outside [0, {classCount}).");
        float[] z = logits.ToArray();
        int[] y = labels.ToArray();

        bool allCorrect = true, allTied = true;
        for (int i = 0; i < y.Length; i++)
        {
            var row = z.AsSpan(i * classCount, classCount);
            float truth = row[y[i]];
            for (int c = 0; c < classCount; c++)
            {
                if (c != y[i] && row[c] >= truth) allCorrect = false;
                if (row[c] != row[0]) allTied = false;
            }
        }
        return Fit(t => MulticlassNll(z, classCount, y, t), Degeneracy(y.Distinct().Skip(1).Any(), allCorrect, allTied));
    }

    /// <summary>Mean NLL (nats) of binary rows at temperature <paramref name="temperature"/>: mean softplus(−s·z/T), s = ±1.</summary>
    public static double BinaryNll(ReadOnlySpan<float> logits, ReadOnlySpan<bool> labels, double temperature)
    {
        double sum = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            double margin = (labels[i] ? logits[i] : -logits[i]) / temperature;
            sum += Softplus(-margin);
        }
        return sum / logits.Length;
    }

    /// <summary>Mean NLL (nats) of multiclass rows at temperature <paramref name="temperature"/>: mean (logsumexp(z/T) − z_y/T).</summary>
    public static double MulticlassNll(ReadOnlySpan<float> logits, int classCount, ReadOnlySpan<int> labels, double temperature)
    {
        double sum = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            var row = logits.Slice(i * classCount, classCount);
            double max = double.NegativeInfinity;
            foreach (float v in row) max = Math.Max(max, v);
            double exponentials = 0;
            foreach (float v in row) exponentials += Math.Exp((v - max) / temperature);
            sum += Math.Log(exponentials) - (row[labels[i]] - max) / temperature;
        }
        return sum / labels.Length;
    }

    /// <summary>ln(1 + eˣ) without overflow for large x or loss of precision for very negative x.</summary>
    private static double Softplus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));

    private static void CheckRows(ReadOnlySpan<float> logits, int rows, int width)
    {
        if (rows == 0) throw new ArgumentException("No validation rows to fit a temperature on.", nameof(logits));
        for (int i = 0; i < logits.Length; i++)
            if (!float.IsFinite(logits[i]))
                throw new ArgumentException($"Logit {i % width} of row {i / width} is {logits[i]}: temperature scaling needs finite logits (did training diverge?).", nameof(logits));
    }

    /// <summary>Why the validation rows cannot tell a temperature, or null when they can.</summary>
    private static string? Degeneracy(bool severalClasses, bool allCorrect, bool allTied) =>
        allTied ? "every logit of every row is equal: the probabilities are uniform at any temperature"
        : !severalClasses ? "the validation rows hold one class only: the NLL falls without bound as T → 0 or says nothing about other classes"
        : allCorrect ? "every validation row is predicted right: the NLL falls without bound as T → 0 (no evidence of over-confidence)"
        : null;

    private static TemperatureFit Fit(Func<double, double> nll, string? degenerate)
    {
        double before = nll(1);
        if (degenerate != null) return new TemperatureFit(1, before, before, degenerate);

        double Objective(double u) => nll(Math.Exp(u));
        double lo = Math.Log(MinTemperature), hi = Math.Log(MaxTemperature);
        // Grid: the best point and its neighbours bracket the minimum of a unimodal function.
        int best = 0;
        double bestValue = double.PositiveInfinity;
        for (int g = 0; g < GridPoints; g++)
        {
            double value = Objective(lo + (hi - lo) * g / (GridPoints - 1));
            if (value < bestValue) { bestValue = value; best = g; }
        }
        double a = lo + (hi - lo) * Math.Max(best - 1, 0) / (GridPoints - 1);
        double b = lo + (hi - lo) * Math.Min(best + 1, GridPoints - 1) / (GridPoints - 1);

        // Golden section on [a, b].
        double ratio = (Math.Sqrt(5) - 1) / 2;
        double c = b - ratio * (b - a), d = a + ratio * (b - a);
        double fc = Objective(c), fd = Objective(d);
        while (b - a > Tolerance)
        {
            if (fc <= fd) { b = d; d = c; fd = fc; c = b - ratio * (b - a); fc = Objective(c); }
            else { a = c; c = d; fc = fd; d = a + ratio * (b - a); fd = Objective(d); }
        }
        double u = (a + b) / 2;
        double temperature = Math.Exp(u), after = Objective(u);
        // Never worse than leaving the logits alone (guards rounding on a flat objective).
        return after <= before ? new TemperatureFit(temperature, before, after, null) : new TemperatureFit(1, before, before, null);
    }
}
