using Microsoft.ML;

namespace Lstm.MLNet.Tests.Quality;

/// <summary>
/// Proof of learning on real data, kept cheap for CI: the default LSTM text classifier on the UCI SMS Spam
/// Collection (bundled with the samples), a seeded 80/20 split. Always predicting "ham" scores 86.6% on it;
/// the published linear SVM 97.6%. README's quality table has the full figures.
/// </summary>
[TestClass]
public sealed class SmsSpamFloorTests
{
    private sealed class Message
    {
        public string Text { get; set; } = "";
        public bool Label { get; set; }
    }

    [TestMethod]
    public void DefaultLstm_ReachesAtLeast95PercentOnTheHeldOut20Percent()
    {
        var messages = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "TestData", "sms-spam", "SMSSpamCollection"))
            .Select(line => line.Split('\t', 2))
            .Select(parts => new Message { Label = parts[0] == "spam", Text = parts[1] })
            .ToArray();
        Assert.HasCount(5574, messages);
        new Random(1).Shuffle(messages);
        int testCount = messages.Length / 5;

        var ml = new MLContext(seed: 1);
        var test = ml.Data.LoadFromEnumerable(messages[..testCount]);
        var train = ml.Data.LoadFromEnumerable(messages[testCount..]);
        var model = ml.BinaryClassification.Trainers.LstmText(new LstmTextClassifierOptions { MaxEpochs = 4 }).Fit(train);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(test));

        double alwaysHam = messages[..testCount].Count(m => !m.Label) / (double)testCount;
        Console.WriteLine($"accuracy {metrics.Accuracy:P2} (always-ham {alwaysHam:P2}), AUC {metrics.AreaUnderRocCurve:P2}, F1 {metrics.F1Score:P2}");
        Assert.IsGreaterThanOrEqualTo(0.95, metrics.Accuracy, $"accuracy {metrics.Accuracy:P2}");
        Assert.IsGreaterThan(alwaysHam + 0.05, metrics.Accuracy, "barely above always predicting ham");
    }
}
