using Lstm.MLNet.Sweeps;
using Lstm.MLNet.Tests.MLNet.SequenceRegression;
using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Tests.MLNet.Sweeps;

/// <summary>The ML.NET sweep on real sentences: tiny budgets, so each test trains for a few seconds.</summary>
[TestClass]
public sealed class LstmSweepTests
{
    private static LstmSweepOptions SmallSweep(int seed = 3) => new()
    {
        MaxTrials = 4, Folds = 2, Seed = seed, HalvingRate = 2,
        SearchSpace = new SearchSpace()
            .Set(nameof(LstmOptions.HiddenSize), SearchDimension.Choice(8, 16))
            .Set(nameof(LstmOptions.LearningRate), SearchDimension.Range(1e-3, 1e-2, 5e-3, logScale: true))
            .Set(nameof(LstmOptions.MaxEpochs), SearchDimension.Fixed(2)),
        BaseOptions = new LstmOptions { EmbeddingSize = 8, Bidirectional = false, NumberOfThreads = 1, ValidationFraction = 0, EarlyStoppingPatience = 0 },
    };

    [TestMethod]
    public void BinarySweep_IsReproducible_AndItsBestModelSavesAndLoads()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(SentimentData.Take(240));
        var first = ml.Lstm().Sweep(data, SmallSweep());
        var sequentialOptions = SmallSweep();
        sequentialOptions.MaxConcurrentTrials = 1;
        var second = ml.Lstm().Sweep(data, sequentialOptions);

        Assert.AreEqual(LstmTask.BinaryClassification, first.Task);
        Assert.AreEqual("Accuracy", first.MetricName);
        Assert.IsTrue(first.Trials.Count is >= 3 and <= 4, $"{first.Trials.Count} trials");
        Assert.IsTrue(first.Trials.All(t => t.Status == TrialStatus.Completed), first.ToMarkdown());
        CollectionAssert.AreEqual(first.Trials.Select(t => t.Metric).ToArray(), second.Trials.Select(t => t.Metric).ToArray(),
            "same seed, same metrics, whether trials run two at a time or one after another");
        Assert.AreEqual(5e-3, (double)first.Trials[0].Configuration[nameof(LstmOptions.LearningRate)], 1e-12, "the first trial is the defaults");

        var best = first.BestRun!;
        Assert.AreEqual(2, best.FoldMetrics.Count);
        Assert.AreEqual(2, best.Options.MaxEpochs, "the best run is reported with its full budget");
        Assert.IsNotNull(best.Model);
        string path = Path.Combine(Path.GetTempPath(), $"lstm-sweep-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(best.Model, data.Schema, path);
            var loaded = ml.Model.Load(path, out _);
            CollectionAssert.AreEqual(best.Model.Transform(data).GetColumn<float>("Score").ToArray(),
                                      loaded.Transform(data).GetColumn<float>("Score").ToArray());
        }
        finally { File.Delete(path); }

        var csv = first.ToCsv().Split('\n');
        StringAssert.StartsWith(csv[0], "Rank,Trial,Rung,Epochs,Status,Accuracy,AccuracyStd,Seconds,HiddenSize,LearningRate,MaxEpochs");
    }

    [TestMethod]
    public void MulticlassSweep_InfersTheTaskFromATextLabel_AndRecordsFailedTrials()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(SentimentData.Topics(180));
        var options = SmallSweep();
        // A dropout the trainer rejects: a trial drawing it fails (seeded, so the same trials every run); recorded, the sweep goes on.
        options.SearchSpace!.Set(nameof(LstmOptions.Dropout), SearchDimension.ChoiceWithDefault(0.2f, 0.2f, 1.5f));
        options.MaxTrials = 7; // rung 0: the defaults and 3 draws
        var progress = new List<LstmTrialResult>();
        options.Progress = new SynchronousProgress<LstmTrialResult>(progress.Add);
        var result = ml.Lstm().Sweep(data, options);

        Assert.AreEqual(LstmTask.MulticlassClassification, result.Task);
        Assert.AreEqual("MacroAccuracy", result.MetricName);
        Assert.AreEqual(result.Trials.Count, progress.Count, "one progress report per trial");
        var failed = result.Trials.Where(t => t.Status == TrialStatus.Failed).ToList();
        Assert.IsNotEmpty(failed, "no trial drew Dropout=1.5:\n" + result.ToMarkdown());
        Assert.IsTrue(failed.All(t => t.Error!.Contains("Dropout")), failed[0].Error);
        Assert.IsNotNull(result.BestRun);
        Assert.AreEqual(0.2f, (float)result.BestRun.Configuration[nameof(LstmOptions.Dropout)]);
    }

    [TestMethod]
    public void RegressionSweep_InfersTheTask_AndMinimisesTheError()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(SequenceRegressionTests.Synthetic(200, 4));
        var result = ml.Lstm().Sweep(data, new LstmSweepOptions
        {
            MaxTrials = 4, Folds = 2, Seed = 5, HalvingRate = 2, FeatureColumnName = "Features",
            BaseOptions = new LstmSequenceRegressorOptions { FeaturesPerStep = 2, MaxEpochs = 8, NumberOfThreads = 1 },
            SearchSpace = new SearchSpace().Set(nameof(LstmOptions.HiddenSize), SearchDimension.Choice(8, 16))
                .Set(nameof(LstmOptions.LearningRate), SearchDimension.Range(3e-3, 3e-2, 1e-2, logScale: true)),
        });
        Assert.AreEqual(LstmTask.Regression, result.Task);
        Assert.AreEqual("RootMeanSquaredError", result.MetricName);
        Assert.IsFalse(result.HigherIsBetter);
        var best = result.BestRun!;
        Assert.IsTrue(result.Trials.Where(t => t.Rung == best.Rung && t.Status == TrialStatus.Completed).All(t => t.Metric >= best.Metric));
        Assert.IsInstanceOfType<LstmSequenceRegressionTransformer>(best.Model);
        Assert.IsInstanceOfType<LstmSequenceRegressorOptions>(best.Options);
    }

    [TestMethod]
    public void Cancellation_KeepsTheBestRunSoFar()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(SentimentData.Take(160));
        using var cancel = new CancellationTokenSource();
        var options = SmallSweep();
        options.MaxConcurrentTrials = 1; // which trials had started when the token fires is then exact
        options.CancellationToken = cancel.Token;
        options.Progress = new SynchronousProgress<LstmTrialResult>(t => { if (t.Id == 2) cancel.Cancel(); });
        var result = ml.Lstm().Sweep(data, options);
        Assert.IsTrue(result.StoppedEarly);
        Assert.AreEqual(2, result.Trials.Count);
        Assert.IsNotNull(result.BestRun?.Model, "the best trial's own model is kept when there is no time to refit");
    }

    [TestMethod]
    public void BadSweepOptions_NameWhatIsWrong()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(SentimentData.Take(20));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Lstm().Sweep(data, new LstmSweepOptions { Metric = "Acuracy" })).Message, "AreaUnderRocCurve");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Lstm().Sweep(data, new LstmSweepOptions
            { SearchSpace = new SearchSpace().Set("Hiden", SearchDimension.Choice(1)) })).Message, "Hiden");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Lstm().Sweep(data, new LstmSweepOptions { Folds = 1 }));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Lstm().Sweep(data, new LstmSweepOptions { LabelColumnName = "Text", TextColumnName = "Label" })).Message, "Label");
    }

    /// <summary><see cref="Progress{T}"/> posts to the thread pool; tests need the report before the call returns.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
