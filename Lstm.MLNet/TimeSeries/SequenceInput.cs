namespace Lstm.MLNet.TimeSeries;

/// <summary>
/// The one rule that turns a sequence regressor's raw row (T steps × F values, step by step) into the network's input,
/// used by training and prediction alike so they cannot drift apart: a row longer than <c>MaxSequenceLength</c> steps
/// keeps its LAST that many steps (the most recent: a sequence regressor predicts what follows them), then each value is
/// standardised with the scaler learned at Fit (when standardising).
/// </summary>
internal sealed class SequenceInput
{
    private readonly int _featuresPerStep, _maxSteps;
    private readonly Standardizer? _scaler;

    /// <param name="featuresPerStep">F: values per step.</param>
    /// <param name="maxSteps">Steps kept (the last ones); 0 = all.</param>
    /// <param name="scaler">Per-feature standardisation, or null.</param>
    public SequenceInput(int featuresPerStep, int maxSteps, Standardizer? scaler)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(featuresPerStep, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxSteps);
        _featuresPerStep = featuresPerStep;
        _maxSteps = maxSteps;
        _scaler = scaler;
    }

    /// <summary>The part of <paramref name="row"/> the network reads: its last <c>maxSteps</c> steps (all when shorter or unlimited).</summary>
    public ReadOnlySpan<float> KeptSteps(ReadOnlySpan<float> row) =>
        _maxSteps == 0 || row.Length <= (long)_maxSteps * _featuresPerStep ? row : row[^(_maxSteps * _featuresPerStep)..];

    /// <summary>The network's input for <paramref name="row"/> in <paramref name="buffer"/> (resized as needed; the row is not changed).</summary>
    public ReadOnlySpan<float> Prepare(ReadOnlySpan<float> row, ref float[] buffer)
    {
        var kept = KeptSteps(row);
        if (buffer.Length != kept.Length) buffer = new float[kept.Length];
        kept.CopyTo(buffer);
        _scaler?.Transform(buffer);
        return buffer;
    }

    /// <summary>The network's input for <paramref name="row"/> as a new array (training).</summary>
    public float[] Prepare(ReadOnlySpan<float> row)
    {
        float[] buffer = [];
        Prepare(row, ref buffer);
        return buffer;
    }
}
