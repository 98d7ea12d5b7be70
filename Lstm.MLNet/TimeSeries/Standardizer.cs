namespace Lstm.MLNet.TimeSeries;

/// <summary>
/// Per-feature standardisation z = (x − mean) / std, learned on training data (population standard
/// deviation, as scikit-learn's <c>StandardScaler</c>). A feature whose training values do not vary gets
/// std 1, so it maps to 0 instead of NaN. Stored as two float arrays, so it saves with a model.
/// </summary>
internal sealed class Standardizer
{
    private readonly float[] _means, _deviations;

    /// <summary>Rebuilds a standardizer from saved arrays (one mean and one positive, finite std per feature).</summary>
    public Standardizer(float[] means, float[] standardDeviations)
    {
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(standardDeviations);
        if (means.Length == 0) throw new ArgumentException("There must be at least one feature.", nameof(means));
        if (means.Length != standardDeviations.Length)
            throw new ArgumentException($"{means.Length} means but {standardDeviations.Length} standard deviations.", nameof(standardDeviations));
        SeriesChecks.RequireFinite(means, 1, nameof(means), "Mean", rowName: "feature");
        for (int f = 0; f < standardDeviations.Length; f++)
            if (!(float.IsFinite(standardDeviations[f]) && standardDeviations[f] > 0))
                throw new ArgumentOutOfRangeException(nameof(standardDeviations), standardDeviations[f], $"The standard deviation of feature {f} must be positive and finite.");
        _means = means.ToArray();
        _deviations = standardDeviations.ToArray();
    }

    /// <summary>
    /// Learns mean and std of each feature from a row-major table [rows × <paramref name="features"/>]
    /// (for a series with covariates: one row per time step). Sums in double.
    /// </summary>
    public static Standardizer Fit(ReadOnlySpan<float> values, int features = 1)
    {
        int rows = SeriesChecks.RowCount(values.Length, features, nameof(values));
        if (rows == 0) throw new ArgumentException("Fitting needs at least one row.", nameof(values));
        SeriesChecks.RequireFinite(values, features, nameof(values), rowName: "row");
        var means = new float[features];
        var deviations = new float[features];
        for (int f = 0; f < features; f++)
        {
            double sum = 0;
            for (int r = 0; r < rows; r++) sum += values[r * features + f];
            double mean = sum / rows, squares = 0;
            for (int r = 0; r < rows; r++)
            {
                double d = values[r * features + f] - mean;
                squares += d * d;
            }
            double deviation = Math.Sqrt(squares / rows);
            means[f] = (float)mean;
            // Below float resolution relative to the mean the feature is constant for every practical purpose.
            deviations[f] = deviation > 1e-6 * Math.Max(1, Math.Abs(mean)) ? (float)deviation : 1f;
        }
        return new Standardizer(means, deviations);
    }

    public int Features => _means.Length;
    /// <summary>Per-feature means (a copy).</summary>
    public float[] Means => _means.ToArray();
    /// <summary>Per-feature standard deviations, 1 for a constant feature (a copy).</summary>
    public float[] StandardDeviations => _deviations.ToArray();

    /// <summary>Standardises a row-major table [rows × Features] in place.</summary>
    public void Transform(Span<float> values)
    {
        SeriesChecks.RowCount(values.Length, Features, nameof(values));
        for (int i = 0; i < values.Length; i++) values[i] = Transform(i % Features, values[i]);
    }

    /// <summary>Undoes <see cref="Transform(Span{float})"/> in place.</summary>
    public void InverseTransform(Span<float> values)
    {
        SeriesChecks.RowCount(values.Length, Features, nameof(values));
        for (int i = 0; i < values.Length; i++) values[i] = InverseTransform(i % Features, values[i]);
    }

    /// <summary>One value of feature <paramref name="feature"/>, standardised.</summary>
    public float Transform(int feature, float value) => (value - _means[feature]) / _deviations[feature];

    /// <summary>One standardised value of feature <paramref name="feature"/>, back in the original units.</summary>
    public float InverseTransform(int feature, float value) => value * _deviations[feature] + _means[feature];
}
