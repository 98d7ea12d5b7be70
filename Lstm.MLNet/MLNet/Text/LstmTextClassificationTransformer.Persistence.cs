using Lstm.MLNet.Model;
using Lstm.MLNet.Model.Persistence;
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
    //   the options (network, schedule, vocabulary settings); v2: int NgramLength, int NgramBuckets (the wide path as
//   resolved at Fit; v1 has none), v3: int CharNgramLength (the sub-word bag; v1 and v2: 0), bool Calibrate, float temperature (v1: 1); the model's classes and vocabulary
    //   (TextClassifierModel.WriteVocabulary); the training history; int best epoch; the model's weights
    //   (TextClassifierModel.WriteWeights). Multiclass: the label's schema (with its key values, any type) in ML.NET's binary format.
    // v2 (0x00020001) writes the payload in a ModelEnvelope (one XxHash128 over all of it, the label schema
    // included as an int-length-prefixed block at the end); v1 (0x00010001) wrote it straight into the stream, with
    // the label schema in the binary stream "LabelSchema". Load reads and checks everything before it builds anything.
    // ---------------------------------------------------------------------------------------------

    private static VersionInfo GetVersionInfo() => LstmModelFormat.VersionOf("LSTMTXTC", LoaderSignature);

    /// <inheritdoc/>
    protected override void SaveModel(ModelSaveContext ctx) =>
        SaveModel(ctx, GetVersionInfo(), Task == LstmTask.BinaryClassification ? ModelKind.BinaryTextClassifier : ModelKind.MulticlassTextClassifier,
            writeHead: w =>
            {
                w.Write((byte)Task);
                w.Write((byte)InputKind);
                foreach (var name in new[] { InputColumnName, LabelColumnName, _options.ScoreColumnName, _options.ProbabilityColumnName, _options.PredictedLabelColumnName })
                    w.Write(name);
                LstmModelFormat.WriteOptions(w, _options);
                w.Write(_options.NgramLength); // v2: the wide path (v1 had none)
                w.Write(_options.NgramBuckets);
                w.Write(_model.CharNgramLength); // v3: the wide path's sub-word bag (v1, v2 had none)
                w.Write(_options.Calibrate);    // v2: calibration (v1 had none: T = 1)
                w.Write(_model.Temperature);
                _model.WriteVocabulary(w);
            },
            writeWeights: _model.WriteWeights,
            writeTail: w =>
            {
                if (_labelSchema is null) return;
                var schemaBytes = LabelSchemaBytes();
                w.Write(schemaBytes.Length);
                w.Write(schemaBytes);
            });

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
            (r, kind, formatVersion) => Read(env, r, kind, formatVersion, () => ReadV1LabelSchema(ctx)));

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

    /// <summary>
    /// Reads a payload of format <paramref name="formatVersion"/>; <paramref name="kind"/> is the envelope's (null for v1, whose
    /// label schema <paramref name="v1LabelSchema"/> reads).
    /// </summary>
    private static LstmTextClassificationTransformer Read(IHostEnvironment env, BinaryReader r, ModelKind? kind, int formatVersion, Func<byte[]> v1LabelSchema)
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
        // v1 predates the wide path; v2 saves the n-gram length and the table's rows as resolved at Fit (0, 0 = none).
        options.NgramLength = kind is null ? 0 : r.ReadInt32();
        options.NgramBuckets = kind is null ? 0 : r.ReadInt32();
        if ((options.NgramLength == 0) != (options.NgramBuckets == 0))
            throw new InvalidDataException($"The saved wide path is inconsistent: NgramLength {options.NgramLength}, NgramBuckets {options.NgramBuckets} (both 0 or both positive).");
        options.CharNgramLength = formatVersion >= 3 ? r.ReadInt32() : 0;
        if (options.CharNgramLength != options.ResolvedCharNgramLength(inputKind == LstmInputKind.Text))
            throw new InvalidDataException($"The saved character n-gram length {options.CharNgramLength} does not fit the model ({inputKind} input, NgramLength {options.NgramLength}).");
        options.Calibrate = kind is not null && r.ReadBoolean();
        float temperature = kind is null ? 1f : r.ReadSingle();
        if (!(temperature > 0 && float.IsFinite(temperature)))
            throw new InvalidDataException($"The saved calibration temperature {temperature} is not positive and finite.");
        try { options.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"The saved options are invalid: {e.Message}", e); }

        var vocabulary = TextClassifierModel.ReadVocabulary(r, binary: task == LstmTask.BinaryClassification, textInput: inputKind == LstmInputKind.Text);
        int classes = vocabulary.Classes;
        var (history, bestEpoch) = ReadTrainingRecord(r);

        var buildModel = TextClassifierModel.ReadWeights(r, vocabulary, options.ToNetworkOptions(vocabulary.Classes), options.MaxSequenceLength, temperature, options.CharNgramLength);

        DataViewSchema? labelSchema = null;
        if (task == LstmTask.MulticlassClassification)
        {
            byte[] schemaBytes = kind is null ? v1LabelSchema() : r.ReadBytes(ModelPayload.CheckCount(r, r.ReadInt32(), 1, "label schema bytes"));
            var loader = new BinaryLoader(env, new BinaryLoader.Arguments(), new MemoryStream(schemaBytes));
            labelSchema = loader.Schema;
            if (labelSchema.Count != 1 || labelSchema[0].Type is not KeyDataViewType { Count: var keyCount } || keyCount != (ulong)classes)
                throw new InvalidDataException($"The saved label schema does not describe a key with {classes} values.");
        }

        // Everything is read and checked: build the network and the transformer.
        return new LstmTextClassificationTransformer(env, task, inputColumn, inputKind, labelColumn, options, buildModel(), labelSchema, history, bestEpoch);
    }
}
