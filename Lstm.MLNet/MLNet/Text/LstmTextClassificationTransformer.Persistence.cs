using Lstm.MLNet.Model;
using Lstm.MLNet.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Data.IO;
using Microsoft.ML.Runtime;

namespace Lstm.MLNet;

public sealed partial class LstmTextClassificationTransformer
{
    // ---------------------------------------------------------------------------------------------
    // Persistence. Payload (little-endian, BinaryWriter):
    //   byte task, byte input kind; strings: input, label, score, probability, predicted-label column names;
    //   the options (network, schedule, vocabulary settings); int classes; int vocabulary size; text input:
    //   the vocabulary (WordTokenizer.Write); the training history; int best epoch; then the tensors
    //   (int count; per tensor: name, int length, floats) and a 64-bit FNV-1a checksum of the tensors' bytes.
    //   Multiclass: the label's schema (with its key values, any type) in ML.NET's binary format.
    // v2 (0x00020001) writes the payload in a ModelEnvelope (one XxHash128 over all of it, the label schema
    // included as an int-length-prefixed block at the end); v1 (0x00010001) wrote it straight into the stream, with
    // the label schema in the binary stream "LabelSchema". Load reads and checks everything before it builds anything.
    // ---------------------------------------------------------------------------------------------

    private static VersionInfo GetVersionInfo() => LstmModelFormat.VersionOf("LSTMTXTC", LoaderSignature);

    /// <inheritdoc/>
    protected override void SaveModel(ModelSaveContext ctx)
    {
        Host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        var kind = Task == LstmTask.BinaryClassification ? ModelKind.BinaryTextClassifier : ModelKind.MulticlassTextClassifier;
        ModelEnvelope.Write(ctx.Writer, kind, w =>
        {
            w.Write((byte)Task);
            w.Write((byte)InputKind);
            foreach (var name in new[] { InputColumnName, LabelColumnName, _options.ScoreColumnName, _options.ProbabilityColumnName, _options.PredictedLabelColumnName })
                w.Write(name);
            LstmModelFormat.WriteOptions(w, _options);
            w.Write(NumberOfClasses);
            w.Write(VocabularySize);
            if (InputKind == LstmInputKind.Text) Tokenizer!.Write(w);
            LstmModelFormat.WriteHistory(w, TrainingHistory);
            w.Write(BestEpoch);
            LstmModelFormat.WriteTensors(w, _model.Network.NamedParameters());
            if (_labelSchema is not null)
            {
                var schemaBytes = LabelSchemaBytes();
                w.Write(schemaBytes.Length);
                w.Write(schemaBytes);
            }
        });
    }

    private byte[] LabelSchemaBytes()
    {
        using var channel = Host.Start("Saving the label schema");
        using var stream = new MemoryStream();
        var saver = new BinarySaver(Host, new BinarySaver.Arguments { Silent = true });
        DataSaverUtils.SaveDataView(channel, saver, new EmptyDataView(Host, _labelSchema!), stream);
        return stream.ToArray();
    }

    /// <summary>Factory for <see cref="SignatureLoadModel"/>.</summary>
    private static LstmTextClassificationTransformer Create(IHostEnvironment env, ModelLoadContext ctx) =>
        LstmModelFormat.Load(env, ctx, GetVersionInfo(), "LSTM text classifier", [ModelKind.BinaryTextClassifier, ModelKind.MulticlassTextClassifier],
            (r, kind) => Read(env, r, kind, () => ReadV1LabelSchema(ctx)));

    /// <summary>Factory for <see cref="SignatureLoadRowMapper"/>.</summary>
    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema)
        => Create(env, ctx).MakeRowMapper(inputSchema);

    private static byte[] ReadV1LabelSchema(ModelLoadContext ctx)
    {
        byte[]? schemaBytes = null;
        if (!ctx.TryLoadBinaryStream(LabelSchemaStream, reader => schemaBytes = reader.ReadBytes((int)Math.Min(reader.BaseStream.Length, int.MaxValue))))
            throw new InvalidDataException($"The multiclass model lacks its '{LabelSchemaStream}' stream (the label's key values).");
        return schemaBytes!;
    }

    /// <summary>Reads a payload; <paramref name="kind"/> is the envelope's (null for v1, whose label schema <paramref name="v1LabelSchema"/> reads).</summary>
    private static LstmTextClassificationTransformer Read(IHostEnvironment env, BinaryReader r, ModelKind? kind, Func<byte[]> v1LabelSchema)
    {
        var task = (LstmTask)r.ReadByte();
        var inputKind = (LstmInputKind)r.ReadByte();
        if (task is not (LstmTask.BinaryClassification or LstmTask.MulticlassClassification)) throw new InvalidDataException($"Task byte {(int)task} is not a classification task.");
        if (kind is not null && kind != (task == LstmTask.BinaryClassification ? ModelKind.BinaryTextClassifier : ModelKind.MulticlassTextClassifier))
            throw new InvalidDataException($"The payload's task is {task}; the stream is marked {kind} (task byte mismatch).");
        if (!Enum.IsDefined(inputKind)) throw new InvalidDataException($"Unknown input kind {(int)inputKind}.");
        string inputColumn = r.ReadString(), labelColumn = r.ReadString();
        string scoreColumn = r.ReadString(), probabilityColumn = r.ReadString(), predictedLabelColumn = r.ReadString();
        var options = LstmModelFormat.ReadOptions(r);
        options.LabelColumnName = labelColumn;
        options.ScoreColumnName = scoreColumn;
        options.ProbabilityColumnName = probabilityColumn;
        options.PredictedLabelColumnName = predictedLabelColumn;
        try { options.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"The saved options are invalid: {e.Message}", e); }

        int classes = r.ReadInt32();
        int vocabularySize = r.ReadInt32();
        if (classes < 2 || (task == LstmTask.BinaryClassification && classes != 2) || classes > 1_000_000)
            throw new InvalidDataException($"The model claims {classes} classes for {task}.");
        if (vocabularySize < WordTokenizer.ReservedIds || vocabularySize > LstmModelFormat.MaxSavedCount)
            throw new InvalidDataException($"The model claims a vocabulary of {vocabularySize} ids.");
        WordTokenizer? tokenizer = null;
        if (inputKind == LstmInputKind.Text)
        {
            // Each saved token takes one byte at least (its length prefix): no more can be claimed than bytes remain.
            tokenizer = WordTokenizer.Read(r, LstmModelFormat.CheckCount(r, vocabularySize, 1, "vocabulary tokens"));
            if (tokenizer.VocabularySize != vocabularySize)
                throw new InvalidDataException($"The saved vocabulary has {tokenizer.VocabularySize} tokens; the model expects {vocabularySize}.");
        }
        var history = LstmModelFormat.ReadHistory(r);
        int bestEpoch = r.ReadInt32();

        var tensors = LstmModelFormat.ReadTensors(r);
        LstmModelFormat.CheckParameterCount(tensors, LstmModelFormat.ExpectedParameters(options.EmbeddingSize, options.HiddenSize, options.NumberOfLayers,
            options.Bidirectional, classes, embedding: checked((long)vocabularySize * options.EmbeddingSize)));

        DataViewSchema? labelSchema = null;
        if (task == LstmTask.MulticlassClassification)
        {
            byte[] schemaBytes = kind is null ? v1LabelSchema() : r.ReadBytes(LstmModelFormat.CheckCount(r, r.ReadInt32(), 1, "label schema bytes"));
            var loader = new BinaryLoader(env, new BinaryLoader.Arguments(), new MemoryStream(schemaBytes));
            labelSchema = loader.Schema;
            if (labelSchema.Count != 1 || labelSchema[0].Type is not KeyDataViewType { Count: var keyCount } || keyCount != (ulong)classes)
                throw new InvalidDataException($"The saved label schema does not describe a key with {classes} values.");
        }

        // Everything is read and checked: build the network and the transformer.
        var network = new SequenceClassifierNetwork(vocabularySize, classes, options.ToNetworkOptions());
        network.LoadParameters(tensors);
        return new LstmTextClassificationTransformer(env, task, inputColumn, inputKind, labelColumn, options,
            new TextClassifierModel(network, tokenizer, options.MaxSequenceLength), labelSchema, history, bestEpoch);
    }
}
