namespace Lstm.MLNet.Tests.TestSupport;

/// <summary>
/// Central finite differences for the gradient checks of the network heads (classifier and regressor): the loss is
/// evaluated in float32, so the step and the tolerance are sized for that noise, not for double precision.
/// </summary>
internal static class FiniteDifferences
{
    /// <summary>(L(x + h) − L(x − h)) / 2h for one element of <paramref name="tensor"/>.</summary>
    public static double NumericGradient(Func<float> loss, float[] tensor, int index, float step = 2e-3f)
    {
        float saved = tensor[index];
        tensor[index] = saved + step;
        double plus = loss();
        tensor[index] = saved - step;
        double minus = loss();
        tensor[index] = saved;
        return (plus - minus) / (2 * step);
    }

    /// <summary>An absolute floor for gradients near zero plus 2% of the numeric value.</summary>
    public static void AssertGradient(double numeric, double analytic, string what) =>
        Assert.AreEqual(numeric, analytic, 2e-3 + 2e-2 * Math.Abs(numeric), what);
}
