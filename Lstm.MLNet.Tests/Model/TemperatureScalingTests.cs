using Lstm.MLNet.Model;

namespace Lstm.MLNet.Tests.Model;

[TestClass]
public sealed class TemperatureScalingTests
{
    private const int Rows = 20_000;

    /// <summary>
    /// Binary rows whose labels are drawn from sigmoid(z): z is calibrated by construction. Multiplying z by
    /// <paramref name="overconfidence"/> gives logits whose right temperature is that factor.
    /// </summary>
    private static (float[] Logits, bool[] Labels) BinaryRows(double overconfidence, int seed)
    {
        var random = new Random(seed);
        var logits = new float[Rows];
        var labels = new bool[Rows];
        for (int i = 0; i < Rows; i++)
        {
            double z = 3 * (random.NextDouble() * 2 - 1);
            labels[i] = random.NextDouble() < 1 / (1 + Math.Exp(-z));
            logits[i] = (float)(z * overconfidence);
        }
        return (logits, labels);
    }

    /// <summary>Multiclass rows with labels drawn from softmax(z) over <paramref name="classes"/> classes; logits scaled by <paramref name="overconfidence"/>.</summary>
    private static (float[] Logits, int[] Labels) MulticlassRows(int classes, double overconfidence, int seed)
    {
        var random = new Random(seed);
        var logits = new float[Rows * classes];
        var labels = new int[Rows];
        var z = new double[classes];
        for (int i = 0; i < Rows; i++)
        {
            double sum = 0;
            for (int c = 0; c < classes; c++) { z[c] = 2 * NextGaussian(random); sum += Math.Exp(z[c]); }
            double draw = random.NextDouble() * sum;
            int label = classes - 1;
            for (int c = 0; c < classes; c++) { draw -= Math.Exp(z[c]); if (draw < 0) { label = c; break; } }
            labels[i] = label;
            for (int c = 0; c < classes; c++) logits[i * classes + c] = (float)(z[c] * overconfidence);
        }
        return (logits, labels);
    }

    private static double NextGaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [TestMethod]
    public void Binary_OverconfidentLogits_GetTheirTemperature_AndLowerNll()
    {
        var (logits, labels) = BinaryRows(overconfidence: 4, seed: 1);
        var fit = TemperatureScaling.FitBinary(logits, labels);
        Assert.IsNull(fit.Degenerate);
        Assert.AreEqual(4, fit.Temperature, 0.4, "the logits were scaled by 4");
        Assert.IsLessThan(fit.NllBefore - 0.05, fit.NllAfter, $"NLL {fit.NllBefore:F4} → {fit.NllAfter:F4}");
        Assert.AreEqual(TemperatureScaling.BinaryNll(logits, labels, fit.Temperature), fit.NllAfter, 1e-12);
    }

    [TestMethod]
    public void Binary_CalibratedLogits_StayNearOne()
    {
        var (logits, labels) = BinaryRows(overconfidence: 1, seed: 2);
        var fit = TemperatureScaling.FitBinary(logits, labels);
        Assert.AreEqual(1, fit.Temperature, 0.1);
        Assert.IsLessThanOrEqualTo(fit.NllBefore, fit.NllAfter);
        Assert.IsLessThan(1e-3, fit.NllBefore - fit.NllAfter, "a calibrated model has almost nothing to gain");
    }

    [TestMethod]
    public void Binary_UnderconfidentLogits_GetATemperatureBelowOne()
    {
        var (logits, labels) = BinaryRows(overconfidence: 0.5, seed: 3);
        var fit = TemperatureScaling.FitBinary(logits, labels);
        Assert.AreEqual(0.5, fit.Temperature, 0.07);
    }

    [TestMethod]
    public void Multiclass_OverconfidentLogits_GetTheirTemperature_CalibratedOnesStayNearOne()
    {
        var (hot, hotLabels) = MulticlassRows(classes: 5, overconfidence: 3, seed: 4);
        var fit = TemperatureScaling.FitMulticlass(hot, 5, hotLabels);
        Assert.IsNull(fit.Degenerate);
        Assert.AreEqual(3, fit.Temperature, 0.3);
        Assert.IsLessThan(fit.NllBefore - 0.05, fit.NllAfter);
        Assert.AreEqual(TemperatureScaling.MulticlassNll(hot, 5, hotLabels, fit.Temperature), fit.NllAfter, 1e-12);

        var (calibrated, labels) = MulticlassRows(classes: 5, overconfidence: 1, seed: 5);
        Assert.AreEqual(1, TemperatureScaling.FitMulticlass(calibrated, 5, labels).Temperature, 0.1);
    }

    [TestMethod]
    public void Fit_IsDeterministic()
    {
        var (logits, labels) = MulticlassRows(classes: 3, overconfidence: 2, seed: 6);
        Assert.AreEqual(TemperatureScaling.FitMulticlass(logits, 3, labels), TemperatureScaling.FitMulticlass(logits, 3, labels));
    }

    [TestMethod]
    public void DegenerateInput_KeepsTemperatureOne_AndSaysWhy()
    {
        var allCorrect = TemperatureScaling.FitBinary([5f, -4f, 9f], [true, false, true]);
        Assert.AreEqual(1, allCorrect.Temperature);
        StringAssert.Contains(allCorrect.Degenerate, "predicted right");

        var oneClass = TemperatureScaling.FitMulticlass([1f, 2f, 0f, 3f, 1f, 0f], 3, [1, 1]);
        Assert.AreEqual(1, oneClass.Temperature);
        StringAssert.Contains(oneClass.Degenerate, "one class");

        var uniform = TemperatureScaling.FitMulticlass([0.5f, 0.5f, 2f, 2f], 2, [0, 1]);
        Assert.AreEqual(1, uniform.Temperature);
        StringAssert.Contains(uniform.Degenerate, "equal");
        Assert.AreEqual(Math.Log(2), uniform.NllBefore, 1e-12);
    }

    [TestMethod]
    public void BadInput_GetsSpecificExceptions()
    {
        var nan = Assert.ThrowsExactly<ArgumentException>(() => TemperatureScaling.FitMulticlass([0f, 1f, float.NaN, 2f], 2, [0, 1]));
        StringAssert.Contains(nan.Message, "Logit 0 of row 1");
        var infinity = Assert.ThrowsExactly<ArgumentException>(() => TemperatureScaling.FitBinary([1f, float.PositiveInfinity], [true, false]));
        StringAssert.Contains(infinity.Message, "row 1");
        Assert.ThrowsExactly<ArgumentException>(() => TemperatureScaling.FitBinary([], []));
        Assert.ThrowsExactly<ArgumentException>(() => TemperatureScaling.FitBinary([1f, 2f], [true]));
        Assert.ThrowsExactly<ArgumentException>(() => TemperatureScaling.FitMulticlass([1f, 2f, 3f], 2, [0, 1]));
        var label = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TemperatureScaling.FitMulticlass([1f, 2f, 3f, 4f], 2, [0, 2]));
        StringAssert.Contains(label.Message, "row 1");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TemperatureScaling.FitMulticlass([1f], 1, [0]));
    }
}
