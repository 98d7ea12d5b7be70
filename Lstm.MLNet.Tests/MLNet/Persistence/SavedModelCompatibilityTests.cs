using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;

namespace Lstm.MLNet.Tests.MLNet.Persistence;

/// <summary>Model files saved by earlier releases (see <see cref="ModelFixtures"/>) load and predict bit-identically.</summary>
[TestClass]
public sealed class SavedModelCompatibilityTests
{
    [TestMethod]
    [DataRow("binary")]
    [DataRow("multiclass")]
    [DataRow("regressor")]
    [DataRow("forecaster")]
    public void V1Model_Loads_AndPredictsAsWhenItWasSaved(string name)
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Model.Load(ModelFixtures.PathOf(name, ".zip"), out _);
        var inputs = File.ReadAllLines(ModelFixtures.PathOf(name, ".inputs.txt"));
        var expected = File.ReadAllLines(ModelFixtures.PathOf(name, ".predictions.txt"));
        CollectionAssert.AreEqual(expected, ModelFixtures.Predict(name, ml, model, inputs), $"The {name} fixture's predictions changed.");
    }
}
