using System.Reflection;

namespace Lstm.MLNet.Tests.MLNet.SequenceRegression;

/// <summary>The default estimator's options become regressor options by an explicit copy: it must carry every option.</summary>
[TestClass]
public sealed class RegressorOptionsFromTests
{
    [TestMethod]
    public void From_CopiesEveryWritableOptionTheRegressorShares()
    {
        var source = new LstmOptions();
        var properties = typeof(LstmOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToArray();
        using var cancellation = new CancellationTokenSource();
        foreach (var property in properties)
            property.SetValue(source, Distinct(property.PropertyType, property.GetValue(source), cancellation.Token));

        var copy = LstmSequenceRegressorOptions.From(source);
        // The regressor has the shared training options and its own columns; the text options (vocabulary, embedding) it has not.
        var shared = properties.Where(p => typeof(LstmSequenceRegressorOptions).GetProperty(p.Name) is not null).ToArray();
        Assert.IsTrue(shared.Length >= 23, $"Only {shared.Length} options shared.");
        foreach (var property in shared)
            Assert.AreEqual(property.GetValue(source), typeof(LstmSequenceRegressorOptions).GetProperty(property.Name)!.GetValue(copy), $"LstmOptions.{property.Name} is not copied.");
    }

    /// <summary>A value of <paramref name="type"/> other than the default <paramref name="current"/> (and than the regressor's default).</summary>
    private static object? Distinct(Type type, object? current, CancellationToken token)
    {
        if (type == typeof(string)) return "column" + current;
        if (type == typeof(int)) return (int)current! + 7;
        if (type == typeof(int?)) return 3;
        if (type == typeof(float)) return (float)current! + 0.125f;
        if (type == typeof(double)) return (double)current! + 0.0625;
        if (type == typeof(bool)) return !(bool)current!;
        if (type == typeof(LstmPooling)) return LstmPooling.Mean;
        if (type == typeof(LstmOptimizer)) return LstmOptimizer.Sgd;
        if (type == typeof(LstmLearningRateSchedule)) return LstmLearningRateSchedule.WarmupCosine;
        if (type == typeof(CancellationToken)) return token;
        if (type == typeof(Microsoft.ML.IDataView)) return new Microsoft.ML.MLContext().Data.LoadFromEnumerable(new[] { new { X = 1f } });
        if (type == typeof(IProgress<LstmTrainingProgress>)) return new Progress<LstmTrainingProgress>();
        throw new AssertFailedException($"Add a distinct value for an option of type {type.Name}.");
    }
}
