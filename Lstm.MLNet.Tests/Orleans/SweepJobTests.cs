using Lstm.MLNet.Orleans;

namespace Lstm.MLNet.Tests.Orleans;

/// <summary>What travels to the silos: every option and searched value arrives as the exact value the coordinator had.</summary>
[TestClass]
public sealed class SweepJobTests
{
    [TestMethod]
    public void EveryOptionOfBothTrainers_TravelsExactly()
    {
        var text = new LstmOptions { LearningRate = 0.1 + 0.2, Dropout = 1f / 3, NumberOfThreads = null, WordVectorsPath = "/shared/vectors.txt", Pooling = LstmPooling.Mean };
        var regression = new LstmSequenceRegressorOptions { FeaturesPerStep = 3, NonFiniteValues = LstmNonFiniteValues.SkipRow, NumberOfThreads = 2, WeightDecay = 1e-7 };
        foreach (LstmTrainingOptions options in new LstmTrainingOptions[] { text, regression })
        {
            var job = SweepJob.Describe(new LstmSweepOptions { BaseOptions = options, Task = LstmTask.Regression, Seed = 9 });
            var back = job.ToOptions(validation: null);
            Assert.AreEqual(options.GetType(), back.BaseOptions.GetType());
            Assert.AreEqual(LstmTask.Regression, back.Task);
            Assert.AreEqual(9, back.Seed);
            // Every public settable option (a new option is covered or refused by name, never dropped silently).
            foreach (var property in options.GetType().GetProperties().Where(p => p.CanWrite && p.Name is not ("ValidationSet" or "Progress" or "CancellationToken")))
                Assert.AreEqual(property.GetValue(options), property.GetValue(back.BaseOptions), property.Name);
        }
    }

    [TestMethod]
    public void SearchedValues_KeepTheirTypeAndEveryBit()
    {
        var configuration = new Dictionary<string, object>
        {
            ["LearningRate"] = Math.PI / 1000, ["Dropout"] = 0.1f, ["HiddenSize"] = 64, ["Bidirectional"] = true, ["Pooling"] = LstmPooling.Last, ["MaxEpochs"] = 7.6,
        };
        var back = ConfigurationValue.Decode(ConfigurationValue.Encode(configuration));
        Assert.AreEqual(Math.PI / 1000, (double)back["LearningRate"]);
        Assert.AreEqual(0.1f, (float)back["Dropout"]);
        Assert.AreEqual(64, (int)back["HiddenSize"]);
        Assert.IsTrue((bool)back["Bidirectional"]);
        Assert.AreEqual(7.6, (double)back["MaxEpochs"], "a double for an integer option stays a double: the silo rounds it as the local sweep does");
        var options = new LstmOptions();
        Lstm.MLNet.Sweeps.SearchSpace.Apply(back, options);
        Assert.AreEqual(LstmPooling.Last, options.Pooling);
        Assert.AreEqual(8, options.MaxEpochs);
    }
}
