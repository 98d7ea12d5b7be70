using Lstm.MLNet.Tests.MLNet.Forecasting;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Tests.TestSupport;

/// <summary>
/// The adversarial inputs of issue 10 that once corrupted memory (an <c>AccessViolationException</c> ends the process, not
/// the test): each runs through the public API in a child process (<see cref="ChildProcessEntryPoint"/>), so a regression
/// fails its test instead of killing the test host. One child runs every case; a line per case says what happened.
/// </summary>
internal static class IsolatedCases
{
    public const string Mode = "isolated-cases";

    /// <summary>The cases by name: each either throws (reported) or returns a short note of what it did.</summary>
    private static readonly Dictionary<string, Func<string>> Cases = new()
    {
        ["hidden-size-wraps-4HH"] = () => FitText(o => o.HiddenSize = (1 << 30) + 16),
        ["hidden-size-4HH-over-int"] = () => FitText(o => o.HiddenSize = 46_341),
        ["hidden-size-2^29"] = () => FitText(o => o.HiddenSize = 1 << 29),
        ["hidden-size-max-int"] = () => FitText(o => o.HiddenSize = int.MaxValue),
        ["embedding-size-wraps"] = () => FitText(o => o.EmbeddingSize = (1 << 30) + 16),
        ["layers-max-int"] = () => FitText(o => o.NumberOfLayers = int.MaxValue),
        ["budget-too-large"] = () => FitText(o => { o.HiddenSize = 4096; o.NumberOfLayers = 16; o.EmbeddingSize = 4096; }),
        ["learning-rate-infinite"] = () => FitText(o => o.LearningRate = double.PositiveInfinity),
        ["weight-decay-infinite"] = () => FitText(o => o.WeightDecay = double.PositiveInfinity),
        ["forecast-window-max-int"] = () => FitForecast(o => o.WindowSize = int.MaxValue),
        ["forecast-horizon-max-int"] = () => FitForecast(o => o.Horizon = int.MaxValue),
        ["batch-100M-on-30-rows"] = () => FitText(o => o.BatchSize = 100_000_000),
        ["batch-max-int-on-30-rows"] = () => FitText(o => o.BatchSize = int.MaxValue),
        ["crafted-model-hidden-size"] = CraftedModelWithAWrappingHiddenSize,
        [GemmAtAGuardPage] = GuardedGemm.ProductsWithAEndingAtAGuardPage,
    };

    /// <summary>GEMM reads A in place: every row remainder, layout and path with A's last float just before an unmapped page.</summary>
    public const string GemmAtAGuardPage = "gemm-a-ends-at-a-guard-page";

    public static IEnumerable<string> Names => Cases.Keys;

    /// <summary>In the child: runs the named cases, one result line each: <c>name|OK|note</c> or <c>name|ExceptionType|ParamName|message</c>.</summary>
    public static IEnumerable<string> Run(IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            string line;
            try { line = $"{name}|OK|{Cases[name]()}"; }
            catch (Exception e)
            {
                var argument = Chain(e).OfType<ArgumentException>().FirstOrDefault();
                line = $"{name}|{e.GetType().Name}|{argument?.ParamName}|{(argument ?? e).Message.ReplaceLineEndings(" ")}";
            }
            yield return line;
        }
    }

    /// <summary>In the test: every case's (or the named cases') result line, by case name (one child process for all of them).</summary>
    public static IReadOnlyDictionary<string, string[]> RunInChildProcess(params string[] names) =>
        ChildProcessEntryPoint.Run("-", names.Length > 0 ? names : Names.ToArray(), TimeSpan.FromMinutes(3), Mode)
            .Select(l => l.Split('|')).ToDictionary(f => f[0], f => f[1..]);

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException) yield return x;
    }

    /// <summary>Binary text classifier on 30 sentences, with one option changed; returns the bytes this thread allocated.</summary>
    private static string FitText(Action<LstmTextClassifierOptions> change)
    {
        var ml = new MLContext(seed: 1);
        var options = FastOptions.Create(epochs: 1);
        change(options);
        var data = ml.Data.LoadFromEnumerable(SentimentData.Take(30));
        long before = GC.GetAllocatedBytesForCurrentThread();
        ml.BinaryClassification.Trainers.LstmText(options).Fit(data);
        return $"allocated {(GC.GetAllocatedBytesForCurrentThread() - before) >> 20} MB";
    }

    /// <summary>
    /// Issue 10's crafted file: a valid model whose saved HiddenSize is patched to 2^30 + 16 (found as the adjacent
    /// EmbeddingSize = 11, HiddenSize = 13 of the saved options), loaded and used for a prediction.
    /// </summary>
    private static string CraftedModelWithAWrappingHiddenSize()
    {
        var ml = new MLContext(seed: 1);
        var options = FastOptions.Create(epochs: 1);
        options.EmbeddingSize = 11; options.HiddenSize = 13;
        var data = ml.Data.LoadFromEnumerable(SentimentData.Take(30));
        using var saved = new MemoryStream();
        ml.Model.Save(ml.BinaryClassification.Trainers.LstmText(options).Fit(data), data.Schema, saved);
        // Found as the adjacent EmbeddingSize = 11, HiddenSize = 13 of the saved options, then resealed with a valid
        // hash as an attacker would: only the loader's size checks stand between the file and the kernels.
        byte[] pattern = [11, 0, 0, 0, 13, 0, 0, 0];
        var stream = new SavedModelStream(saved.ToArray());
        int at = stream.Entry.AsSpan(stream.PayloadOffset, stream.PayloadLength).IndexOf(pattern);
        if (at < 0) return "saved options not found";
        BitConverter.TryWriteBytes(stream.Entry.AsSpan(stream.PayloadOffset + at + 4, 4), (1 << 30) + 16);
        stream.Reseal();
        var crafted = stream.ToZip();
        var model = new MLContext(seed: 2).Model.Load(new MemoryStream(crafted), out _);
        model.Transform(data).GetColumn<float>("Score").ToArray();
        return "loaded and predicted";
    }

    private static string FitForecast(Action<LstmForecastingOptions> change)
    {
        var ml = new MLContext(seed: 1);
        var options = new LstmForecastingOptions { InputColumnName = "Value", WindowSize = 12, Horizon = 3, HiddenSize = 8, MaxEpochs = 1, NumberOfThreads = 1 };
        change(options);
        ml.Forecasting.ForecastByLstm(options).Fit(ml.Data.LoadFromEnumerable(ForecastingTests.Seasonal(60)));
        return "trained";
    }
}
