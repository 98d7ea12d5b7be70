using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Model;

/// <summary>
/// Inverted dropout: in training each value is kept with probability 1 − p and scaled by 1/(1 − p),
/// so inference is the identity. The mask comes from a seeded generator (reproducible training).
/// </summary>
internal sealed class Dropout
{
    private readonly Random _random;
    private float[] _mask = [];
    private int _maskLength; // 0 when the last forward dropped nothing

    public Dropout(float rate, int seed)
    {
        Rate = rate;
        _random = new Random(seed);
    }

    public float Rate { get; }

    /// <summary>Forward (training), in place: x[i] ← x[i]·mask[i], mask[i] ∈ {0, 1/(1−p)}.</summary>
    public void Forward(Span<float> x, SimdPath path)
    {
        _maskLength = 0;
        if (Rate == 0f) return;
        if (_mask.Length < x.Length) _mask = new float[x.Length];
        float keep = 1f - Rate, scale = 1f / keep;
        for (int i = 0; i < x.Length; i++) _mask[i] = _random.NextSingle() < keep ? scale : 0f;
        _maskLength = x.Length;
        ElementwiseOps.Multiply(path, _mask.AsSpan(0, x.Length), x);
    }

    /// <summary>Backward, in place: dx[i] ← dx[i]·mask[i] with the last forward's mask.</summary>
    public void Backward(Span<float> dx, SimdPath path)
    {
        if (_maskLength == 0) return;
        if (dx.Length != _maskLength) throw new InvalidOperationException("Dropout backward needs the shape of the last forward.");
        ElementwiseOps.Multiply(path, _mask.AsSpan(0, _maskLength), dx);
    }
}
