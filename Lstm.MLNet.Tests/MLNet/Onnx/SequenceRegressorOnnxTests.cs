using Lstm.MLNet.Tests.MLNet.SequenceRegression;
using Microsoft.ML;

namespace Lstm.MLNet.Tests.MLNet.Onnx;

/// <summary>The sequence regressor through <c>ml.Model.ConvertToOnnx</c> and back through ONNX Runtime: the same scores within 1e-5.</summary>
[TestClass]
public sealed class SequenceRegressorOnnxTests
{
    private static LstmSequenceRegressorOptions Tiny() => new()
    {
        FeaturesPerStep = 2, HiddenSize = 8, MaxEpochs = 2, BatchSize = 16, LearningRate = 1e-2, NumberOfThreads = 1, Seed = 3,
        NonFiniteValues = LstmNonFiniteValues.SkipRow,
    };

    /// <summary>Ragged rows (3–9 steps), one longer than MaxSequenceLength, one empty and one holding NaN (both score NaN).</summary>
    private static SequenceRegressionTests.SequenceRow[] ScoringRows()
    {
        var rows = SequenceRegressionTests.Synthetic(30, 5).ToList();
        rows.Add(new() { Features = SequenceRegressionTests.Synthetic(4, 6).SelectMany(r => r.Features).ToArray() });
        rows.Add(new() { Features = [] });
        rows.Add(new() { Features = [0.5f, float.NaN, 0.1f, 0.2f] });
        return rows.ToArray();
    }

    [TestMethod]
    [DataRow(LstmPooling.Last, false)]
    [DataRow(LstmPooling.Mean, true)]
    public void ScalarLabel_OnnxRuntimeGivesTheLibrarysScores(LstmPooling pooling, bool bidirectional)
    {
        var ml = new MLContext(1);
        var options = Tiny();
        options.Pooling = pooling;
        options.Bidirectional = bidirectional;
        options.MaxSequenceLength = 12;
        var model = ml.Regression.Trainers.LstmSequence(options).Fit(ml.Data.LoadFromEnumerable(SequenceRegressionTests.Synthetic(200, 1)));

        var data = ml.Data.LoadFromEnumerable(ScoringRows());
        var columns = OnnxRoundTrip.Compare(ml, model, data, ["Features", "Label"], "Score");
        float worst = OnnxRoundTrip.AssertEqual(columns[0], "Score");
        Assert.IsTrue(float.IsNaN(columns[0].Onnx[^1][0]) && float.IsNaN(columns[0].Onnx[^2][0]), "the NaN row and the empty row score NaN");
        Console.WriteLine($"largest Score difference {worst:G3} over {columns[0].Library.Length} rows");
    }

    [TestMethod]
    public void VectorLabel_OnnxRuntimeGivesTheLibrarysScores()
    {
        var ml = new MLContext(1);
        var train = SequenceRegressionTests.Synthetic(200, 1).Select(r => new SequenceRegressionTests.HorizonRow { Features = r.Features, Label = [r.Label, -r.Label, 2 * r.Label] });
        var model = ml.Regression.Trainers.LstmSequence(Tiny()).Fit(ml.Data.LoadFromEnumerable(train));

        var data = ml.Data.LoadFromEnumerable(SequenceRegressionTests.Synthetic(20, 5).Select(r => new SequenceRegressionTests.HorizonRow { Features = r.Features, Label = [0, 0, 0] }));
        var columns = OnnxRoundTrip.Compare(ml, model, data, ["Features", "Label"], "Score");
        Assert.HasCount(3, columns[0].Onnx[0]);
        OnnxRoundTrip.AssertEqual(columns[0], "Score");
    }
}
