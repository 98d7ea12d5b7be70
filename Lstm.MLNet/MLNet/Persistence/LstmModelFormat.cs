using Lstm.MLNet.Model.Persistence;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Lstm.MLNet;

/// <summary>
/// The pieces every saved LSTM model writes the same way (little-endian, <see cref="BinaryWriter"/>): the options,
/// and the training history; and the loader factories' common part, which
/// reads format v2 (a verified <see cref="ModelEnvelope"/>) or v1. Readers check every count against
/// <see cref="ModelPayload.MaxSavedCount"/> and the bytes that remain, and throw <see cref="InvalidDataException"/> or
/// <see cref="EndOfStreamException"/> on anything malformed, so a loader reads everything before it builds anything.
/// </summary>
internal static class LstmModelFormat
{
    /// <summary>
    /// The loader factories' common part: checks the environment, the supported ML.NET and the model's version, then
    /// reads with <paramref name="read"/>, turning any malformed-data failure into one <see cref="InvalidDataException"/>
    /// that names the component (<paramref name="what"/>), so a truncated or corrupted zip never half-loads.
    /// </summary>
    public static T Load<T>(IHostEnvironment env, ModelLoadContext ctx, VersionInfo version, string what, ModelKind[] kinds,
        Func<BinaryReader, ModelKind?, T> read) => Load(env, ctx, version, what, kinds, (r, kind, _) => read(r, kind));

    /// <summary>
    /// <see cref="Load{T}(IHostEnvironment, ModelLoadContext, VersionInfo, string, ModelKind[], Func{BinaryReader, ModelKind?, T})"/>
    /// for a payload whose layout changed between envelope versions: <paramref name="read"/> also gets the stream's format
    /// version (1 for v1, else the envelope's, <see cref="ModelEnvelope.OldestEnvelopeVersion"/> … <see cref="ModelEnvelope.FormatVersion"/>).
    /// </summary>
    public static T Load<T>(IHostEnvironment env, ModelLoadContext ctx, VersionInfo version, string what, ModelKind[] kinds,
        Func<BinaryReader, ModelKind?, int, T> read)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        MLNetCompatibility.EnsureSupported();
        ctx.CheckAtModel(version);
        try
        {
            uint written = ctx.Header.ModelVerWritten;
            if (written == FirstVersion)
            {
                // v1: fields straight in ML.NET's stream, only the weights under a checksum. A v2 stream whose header
                // version was damaged into v1's would parse as garbage: its marker says what it is.
                if (ModelEnvelope.StartsWithMarker(ctx.Reader))
                    throw new InvalidDataException("The model header says format v1 but the stream is v2: the header is damaged.");
                return read(ctx.Reader, null, 1);
            }
            if (written != EnvelopeVersion)
                throw new InvalidDataException($"The model header's version is 0x{written:X8}; this library writes 0x{EnvelopeVersion:X8} and reads it and 0x{FirstVersion:X8}.");
            using var payload = ModelEnvelope.Read(ctx.Reader, out var kind, out int formatVersion, kinds);
            var model = read(payload, kind, formatVersion);
            ModelEnvelope.CheckFullyRead(payload);
            return model;
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"The {what} in this model is invalid: {e.Message}", e);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or FormatException or OverflowException)
        {
            throw new InvalidDataException($"The {what} in this model is truncated or corrupted: {e.Message}", e);
        }
    }

    /// <summary>The first ML.NET model version of our loaders that holds a <see cref="ModelEnvelope"/> (format v2).</summary>
    public const uint EnvelopeVersion = 0x00020001;
    /// <summary>Format v1: the first release's layout, still read.</summary>
    public const uint FirstVersion = 0x00010001;

    /// <summary>The version info of one of our loaders: writes v2, reads v2 and v1.</summary>
    public static VersionInfo VersionOf(string modelSignature, string loaderSignature) => new(
        modelSignature: modelSignature,
        verWrittenCur: EnvelopeVersion,
        verReadableCur: EnvelopeVersion,
        verWeCanReadBack: FirstVersion,
        loaderSignature: loaderSignature,
        loaderSignatureAlt: null,
        loaderAssemblyName: typeof(LstmModelFormat).Assembly.FullName);

    /// <summary>
    /// The options in one layout for every task (v1's, when the regressor's options were text options): the regressor
    /// writes its length limit and input column in the text options' places and the text classifier's defaults in the
    /// others; the forecaster writes the defaults in them all. Their readers skip what they do not have.
    /// </summary>
    public static void WriteOptions(BinaryWriter w, LstmTrainingOptions o)
    {
        var text = o switch
        {
            LstmOptions options => options,
            LstmSequenceRegressorOptions regressor => TextPlaceholders(regressor.MaxSequenceLength, regressor.FeatureColumnName),
            _ => TextPlaceholders(maxSequenceLength: 0, featureColumnName: null),
        };
        w.Write(text.EmbeddingSize); w.Write(o.HiddenSize); w.Write(o.NumberOfLayers); w.Write(o.Bidirectional);
        w.Write(o.Dropout); w.Write(o.RecurrentDropout); w.Write((int)o.Pooling); w.Write(text.MaxSequenceLength);
        w.Write(o.BatchSize); w.Write(o.MaxEpochs); w.Write(o.LearningRate); w.Write((int)o.Optimizer);
        w.Write(o.WeightDecay); w.Write(o.GradientClipNorm); w.Write(o.ValidationFraction); w.Write(o.EarlyStoppingPatience);
        w.Write(o.Seed); w.Write(o.NumberOfThreads ?? 0); w.Write(text.MaxVocabularySize); w.Write(text.MinTokenFrequency);
        w.Write(text.TextColumnName); w.Write(text.FeatureColumnName is not null); w.Write(text.FeatureColumnName ?? "");
    }

    /// <summary>
    /// The text options written in a model without them: the text classifier's defaults when format v1 was set, fixed here
    /// so saved bytes do not follow later changes of those defaults.
    /// </summary>
    private static LstmOptions TextPlaceholders(int maxSequenceLength, string? featureColumnName) => new()
    {
        EmbeddingSize = 64, MaxSequenceLength = maxSequenceLength, MaxVocabularySize = 20_000, MinTokenFrequency = 2,
        TextColumnName = "Text", FeatureColumnName = featureColumnName,
    };

    /// <summary>Reads what <see cref="WriteOptions"/> wrote into <paramref name="into"/> (the text options only when it has them; the regressor's length limit and input column).</summary>
    public static T ReadOptions<T>(BinaryReader r, T into) where T : LstmTrainingOptions
    {
        var text = into as LstmOptions ?? new LstmOptions();
        text.EmbeddingSize = r.ReadInt32(); into.HiddenSize = r.ReadInt32(); into.NumberOfLayers = r.ReadInt32(); into.Bidirectional = r.ReadBoolean();
        into.Dropout = r.ReadSingle(); into.RecurrentDropout = r.ReadSingle(); into.Pooling = (LstmPooling)r.ReadInt32(); text.MaxSequenceLength = r.ReadInt32();
        into.BatchSize = r.ReadInt32(); into.MaxEpochs = r.ReadInt32(); into.LearningRate = r.ReadDouble(); into.Optimizer = (LstmOptimizer)r.ReadInt32();
        into.WeightDecay = r.ReadDouble(); into.GradientClipNorm = r.ReadSingle(); into.ValidationFraction = r.ReadDouble(); into.EarlyStoppingPatience = r.ReadInt32();
        into.Seed = r.ReadInt32();
        int threads = r.ReadInt32();
        into.NumberOfThreads = threads == 0 ? null : threads;
        text.MaxVocabularySize = r.ReadInt32();
        text.MinTokenFrequency = r.ReadInt32();
        text.TextColumnName = r.ReadString();
        bool hasFeature = r.ReadBoolean();
        string feature = r.ReadString();
        text.FeatureColumnName = hasFeature ? feature : null;
        if (into is LstmSequenceRegressorOptions regressor)
        {
            regressor.MaxSequenceLength = text.MaxSequenceLength;
            if (text.FeatureColumnName is not null) regressor.FeatureColumnName = text.FeatureColumnName;
        }
        return into;
    }

    public static LstmOptions ReadOptions(BinaryReader r) => ReadOptions(r, new LstmOptions());

    public static void WriteHistory(BinaryWriter w, IReadOnlyList<LstmTrainingProgress> history)
    {
        w.Write(history.Count);
        foreach (var p in history)
        {
            w.Write(p.Epoch); w.Write(p.MaxEpochs); w.Write(p.TrainLoss);
            w.Write(p.ValidationLoss.HasValue); w.Write(p.ValidationLoss ?? 0);
            w.Write(p.ValidationAccuracy.HasValue); w.Write(p.ValidationAccuracy ?? 0);
            w.Write(p.SequencesPerSecond); w.Write(p.Elapsed.Ticks); w.Write(p.IsBest);
            w.Write(p.TrainingSequences); w.Write(p.ValidationSequences);
        }
    }

    private const int HistoryEntryBytes = 4 + 4 + 8 + 1 + 8 + 1 + 8 + 8 + 8 + 1 + 4 + 4;

    public static LstmTrainingProgress[] ReadHistory(BinaryReader r)
    {
        var history = new LstmTrainingProgress[ModelPayload.CheckCount(r, r.ReadInt32(), HistoryEntryBytes, "training history entries")];
        for (int i = 0; i < history.Length; i++)
        {
            int epoch = r.ReadInt32(), maxEpochs = r.ReadInt32();
            double trainLoss = r.ReadDouble();
            bool hasLoss = r.ReadBoolean(); double loss = r.ReadDouble();
            bool hasAccuracy = r.ReadBoolean(); double accuracy = r.ReadDouble();
            double speed = r.ReadDouble(); long ticks = r.ReadInt64(); bool isBest = r.ReadBoolean();
            int trainCount = r.ReadInt32(), validationCount = r.ReadInt32();
            history[i] = new LstmTrainingProgress(epoch, maxEpochs, trainLoss, hasLoss ? loss : null, hasAccuracy ? accuracy : null, speed, TimeSpan.FromTicks(ticks), isBest)
            { TrainingSequences = trainCount, ValidationSequences = validationCount };
        }
        return history;
    }
}
