using Microsoft.ML;

namespace Lstm.MLNet.Samples.Consumption;

/// <summary>What the text classifier reads.</summary>
public sealed class TextInput
{
    public string Text { get; set; } = "";
}

/// <summary>What the binary text classifier adds.</summary>
public sealed class TextPrediction
{
    public bool PredictedLabel { get; set; }
    public float Probability { get; set; }
    public float Score { get; set; }
}

/// <summary>
/// The consumption side, as in Model Builder's generated code: load the saved zip once, then predict. Knows nothing
/// of how the model was trained; only Lstm.MLNet must be referenced so ML.NET can find the model's loader.
/// A <see cref="PredictionEngine{TSrc,TDst}"/> is not thread-safe: use one per thread (or ML.NET's PredictionEnginePool).
/// </summary>
public sealed class ConsumeModel
{
    private readonly PredictionEngine<TextInput, TextPrediction> _engine;

    private ConsumeModel(PredictionEngine<TextInput, TextPrediction> engine, ITransformer model)
    {
        _engine = engine;
        Model = model;
    }

    /// <summary>The loaded model (for <see cref="ExplainOption"/>).</summary>
    public ITransformer Model { get; }

    public static ConsumeModel Load(string modelPath)
    {
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"No model at '{modelPath}': train one first (e.g. the 'sentiment' command).", modelPath);
        var ml = new MLContext();
        ITransformer model;
        try
        {
            model = ml.Model.Load(modelPath, out _);
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or EndOfStreamException)
        {
            throw new InvalidDataException($"'{modelPath}' is not a loadable model (truncated or corrupted?): {e.Message}", e);
        }
        return new ConsumeModel(ml.Model.CreatePredictionEngine<TextInput, TextPrediction>(model), model);
    }

    public TextPrediction Predict(string text) => _engine.Predict(new TextInput { Text = text });
}
