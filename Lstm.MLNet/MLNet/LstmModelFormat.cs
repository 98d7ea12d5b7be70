using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Lstm.MLNet;

/// <summary>
/// The pieces every saved LSTM model writes the same way (little-endian, <see cref="BinaryWriter"/>): the options,
/// the training history, and the weight tensors followed by a checksum. Readers check every count against
/// <see cref="MaxSavedCount"/> and throw <see cref="InvalidDataException"/> or <see cref="EndOfStreamException"/> on
/// anything malformed, so a loader can read everything before it builds anything.
/// </summary>
internal static class LstmModelFormat
{
    /// <summary>Guards against a corrupted or hostile model: no tensor or list in a saved model is larger.</summary>
    public const int MaxSavedCount = 1 << 28;

    /// <summary>
    /// The loader factories' common part: checks the environment, the supported ML.NET and the model's version, then
    /// reads with <paramref name="read"/>, turning any malformed-data failure into one <see cref="InvalidDataException"/>
    /// that names the component (<paramref name="what"/>), so a truncated or corrupted zip never half-loads.
    /// </summary>
    public static T Load<T>(IHostEnvironment env, ModelLoadContext ctx, VersionInfo version, string what, Func<ModelLoadContext, T> read)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        MLNetCompatibility.EnsureSupported();
        ctx.CheckAtModel(version);
        try
        {
            return read(ctx);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or FormatException)
        {
            throw new InvalidDataException($"The {what} in this model is truncated or corrupted: {e.Message}", e);
        }
    }

    public static int CheckCount(int count, string what) =>
        count >= 0 && count <= MaxSavedCount ? count : throw new InvalidDataException($"The model claims {count} {what}.");

    public static void WriteOptions(BinaryWriter w, LstmOptions o)
    {
        w.Write(o.EmbeddingSize); w.Write(o.HiddenSize); w.Write(o.NumberOfLayers); w.Write(o.Bidirectional);
        w.Write(o.Dropout); w.Write(o.RecurrentDropout); w.Write((int)o.Pooling); w.Write(o.MaxSequenceLength);
        w.Write(o.BatchSize); w.Write(o.MaxEpochs); w.Write(o.LearningRate); w.Write((int)o.Optimizer);
        w.Write(o.WeightDecay); w.Write(o.GradientClipNorm); w.Write(o.ValidationFraction); w.Write(o.EarlyStoppingPatience);
        w.Write(o.Seed); w.Write(o.NumberOfThreads ?? 0); w.Write(o.MaxVocabularySize); w.Write(o.MinTokenFrequency);
        w.Write(o.TextColumnName); w.Write(o.FeatureColumnName is not null); w.Write(o.FeatureColumnName ?? "");
    }

    /// <summary>Reads what <see cref="WriteOptions"/> wrote into <paramref name="into"/> (a new <see cref="LstmOptions"/> when null).</summary>
    public static T ReadOptions<T>(BinaryReader r, T into) where T : LstmOptions
    {
        into.EmbeddingSize = r.ReadInt32(); into.HiddenSize = r.ReadInt32(); into.NumberOfLayers = r.ReadInt32(); into.Bidirectional = r.ReadBoolean();
        into.Dropout = r.ReadSingle(); into.RecurrentDropout = r.ReadSingle(); into.Pooling = (LstmPooling)r.ReadInt32(); into.MaxSequenceLength = r.ReadInt32();
        into.BatchSize = r.ReadInt32(); into.MaxEpochs = r.ReadInt32(); into.LearningRate = r.ReadDouble(); into.Optimizer = (LstmOptimizer)r.ReadInt32();
        into.WeightDecay = r.ReadDouble(); into.GradientClipNorm = r.ReadSingle(); into.ValidationFraction = r.ReadDouble(); into.EarlyStoppingPatience = r.ReadInt32();
        into.Seed = r.ReadInt32();
        int threads = r.ReadInt32();
        into.NumberOfThreads = threads == 0 ? null : threads;
        into.MaxVocabularySize = r.ReadInt32();
        into.MinTokenFrequency = r.ReadInt32();
        into.TextColumnName = r.ReadString();
        bool hasFeature = r.ReadBoolean();
        string feature = r.ReadString();
        into.FeatureColumnName = hasFeature ? feature : null;
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

    public static LstmTrainingProgress[] ReadHistory(BinaryReader r)
    {
        var history = new LstmTrainingProgress[CheckCount(r.ReadInt32(), "training history entries")];
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

    /// <summary>Named tensors (count; per tensor: name, length, floats) and a 64-bit FNV-1a checksum of their bytes.</summary>
    public static void WriteTensors(BinaryWriter w, IEnumerable<(string Name, float[] Values)> parameters)
    {
        var tensors = parameters.ToArray();
        w.Write(tensors.Length);
        var checksum = new Fnv1a64();
        foreach (var (name, values) in tensors)
        {
            w.Write(name);
            w.Write(values.Length);
            var bytes = MemoryMarshal.AsBytes(values.AsSpan());
            w.Write(bytes);
            checksum.Add(bytes);
        }
        w.Write(checksum.Value);
    }

    public static (string Name, float[] Values)[] ReadTensors(BinaryReader r)
    {
        var tensors = new (string Name, float[] Values)[CheckCount(r.ReadInt32(), "tensors")];
        var checksum = new Fnv1a64();
        for (int i = 0; i < tensors.Length; i++)
        {
            string name = r.ReadString();
            var values = new float[CheckCount(r.ReadInt32(), $"values in tensor '{name}'")];
            var bytes = MemoryMarshal.AsBytes(values.AsSpan());
            ReadExactly(r, bytes);
            checksum.Add(bytes);
            tensors[i] = (name, values);
        }
        ulong saved = r.ReadUInt64();
        if (saved != checksum.Value)
            throw new InvalidDataException($"The weights' checksum is {checksum.Value:X16}; the model recorded {saved:X16}: the weights are corrupted.");
        return tensors;
    }

    /// <summary>A float array (count, then values).</summary>
    public static void WriteFloats(BinaryWriter w, float[] values)
    {
        w.Write(values.Length);
        w.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    public static float[] ReadFloats(BinaryReader r, string what)
    {
        var values = new float[CheckCount(r.ReadInt32(), what)];
        ReadExactly(r, MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private static void ReadExactly(BinaryReader reader, Span<byte> bytes)
    {
        // BinaryReader.Read may return fewer bytes than asked on a stream boundary; loop until full or EOF.
        int done = 0;
        while (done < bytes.Length)
        {
            int read = reader.BaseStream.Read(bytes[done..]);
            if (read == 0) throw new EndOfStreamException("The model ends in the middle of its data.");
            done += read;
        }
    }

    /// <summary>64-bit FNV-1a: detects corrupted weights (not an integrity guarantee against tampering).</summary>
    private struct Fnv1a64
    {
        private ulong _hash;
        public Fnv1a64() => _hash = 14695981039346656037UL;
        public readonly ulong Value => _hash;
        public void Add(ReadOnlySpan<byte> bytes)
        {
            foreach (byte b in bytes) _hash = (_hash ^ b) * 1099511628211UL;
        }
    }
}
