using System.Diagnostics;
using Lstm.MLNet.Samples.Common;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Samples.Classification;

/// <summary>Metrics of one model on one test split.</summary>
public sealed record SplitResult(double Accuracy, double Auc, double F1, double FitSeconds);

/// <summary>
/// The two text classifiers the samples compare, built the same way on the same rows: the LSTM trainer and ML.NET's
/// own <c>FeaturizeText + SdcaLogisticRegression</c> (the estimator of ML.NET's sentiment tutorial).
/// </summary>
public static class TextClassifiers
{
    /// <summary>The word vectors the samples ship: 50 dimensions that the 'vectors' command learned from the bundled IMDB, AG News and 20 Newsgroups text.</summary>
    public static string BundledVectorsPath => Path.Combine(AppContext.BaseDirectory, "Data", "word-vectors", "bundled-50d.vec.gz");

    /// <summary>How many words of a vectors file join the vocabulary: all of the bundled file's.</summary>
    private const int VectorWords = 30_000;

    /// <summary>
    /// The LSTM options of a sample: its seed, threads and epochs, and the word vectors of <c>--vectors</c> (a path,
    /// <c>bundled</c> or <c>none</c>; <paramref name="defaultVectors"/> when not given), whose words all join the vocabulary.
    /// </summary>
    public static LstmTextClassifierOptions LstmOptions(SampleArguments arguments, IProgress<LstmTrainingProgress>? progress = null, string defaultVectors = "none")
    {
        var options = new LstmTextClassifierOptions { Seed = arguments.Seed, NumberOfThreads = arguments.Threads, Progress = progress };
        if (arguments.Epochs is int epochs) options.MaxEpochs = epochs;
        string vectors = arguments.Named.GetValueOrDefault("--vectors", defaultVectors);
        if (vectors != "none")
        {
            options.WordVectorsPath = vectors == "bundled" ? BundledVectorsPath : vectors;
            options.WordVectorsExtraWords = VectorWords;
        }
        return options;
    }

    public static IEstimator<ITransformer> Lstm(MLContext ml, LstmTextClassifierOptions options) =>
        ml.BinaryClassification.Trainers.LstmText(options);

    public static IEstimator<ITransformer> Sdca(MLContext ml) =>
        ml.Transforms.Text.FeaturizeText("Features", nameof(TextExample.Text))
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(labelColumnName: nameof(TextExample.Label), featureColumnName: "Features"));

    /// <summary>The LSTM transformer of a fitted pipeline (the last transformer of a chain), or null.</summary>
    public static LstmTransformer? LstmOf(ITransformer model) => model switch
    {
        LstmTransformer lstm => lstm,
        TransformerChain<ITransformer> chain => chain.LastTransformer as LstmTransformer,
        _ => null,
    };

    /// <summary>Fits <paramref name="estimator"/> on <paramref name="train"/>, evaluates on <paramref name="test"/>.</summary>
    public static (ITransformer Model, CalibratedBinaryClassificationMetrics Metrics, SplitResult Result) FitAndEvaluate(
        MLContext ml, IEstimator<ITransformer> estimator, IDataView train, IDataView test)
    {
        var clock = Stopwatch.StartNew();
        var model = estimator.Fit(train);
        double seconds = clock.Elapsed.TotalSeconds;
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(test), nameof(TextExample.Label));
        return (model, metrics, new SplitResult(metrics.Accuracy, metrics.AreaUnderRocCurve, metrics.F1Score, seconds));
    }
}
