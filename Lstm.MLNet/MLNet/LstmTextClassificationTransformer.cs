using System.Collections.Concurrent;
using Lstm.MLNet;
using Lstm.MLNet.Model;
using Lstm.MLNet.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Data.IO;
using Microsoft.ML.Runtime;

// How ML.NET finds the loader of a saved model: ModelLoadContext reads the loader signature and this assembly's
// name from the zip, loads the assembly and registers these attributes (see MLNetInternals.cs).
[assembly: LoadableClass(typeof(LstmTextClassificationTransformer), null, typeof(SignatureLoadModel),
    LstmTextClassificationTransformer.UserName, LstmTextClassificationTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(LstmTextClassificationTransformer), null, typeof(SignatureLoadRowMapper),
    LstmTextClassificationTransformer.UserName, LstmTextClassificationTransformer.LoaderSignature)]

namespace Lstm.MLNet;

/// <summary>
/// A trained LSTM text classifier: adds Score, Probability and PredictedLabel (binary) or Score (class
/// probabilities) and PredictedLabel (key) to the data, as ML.NET's own classifiers do, so the evaluators,
/// <c>MapKeyToValue</c> and <c>PredictionEngine</c> work unchanged. Saved and loaded with
/// <c>ml.Model.Save</c>/<c>ml.Model.Load</c> (weights, vocabulary, options and label key values in the zip).
/// <para>Thread-safe: the weights are shared read-only, and each cursor or prediction engine rents its own
/// inference workspace from a pool.</para>
/// </summary>
public sealed class LstmTextClassificationTransformer : LstmTransformer
{
    internal const string LoaderSignature = "LstmTextClassifier";
    internal const string UserName = "LSTM Text Classifier";
    private const string LabelSchemaStream = "LabelSchema";

    private readonly SequenceClassifierNetwork _network;  // the weights; only inference views of it run
    private readonly ConcurrentBag<InferenceWorkspace> _workspaces = new();
    private readonly DataViewSchema? _labelSchema;        // multiclass: the training label with its key values
    private readonly LstmOptions _options;
    private readonly string[] _classNames;

    internal LstmTextClassificationTransformer(IHostEnvironment environment, LstmTask task, string inputColumnName, LstmInputKind inputKind,
        string labelColumnName, LstmOptions options, WordTokenizer? tokenizer, int vocabularySize, SequenceClassifierNetwork network,
        DataViewSchema? labelSchema, IReadOnlyList<LstmTrainingProgress> history, int bestEpoch)
        : base(environment.Register(nameof(LstmTextClassificationTransformer)))
    {
        _task = task;
        _inputColumnName = inputColumnName;
        InputKind = inputKind;
        LabelColumnName = labelColumnName;
        _options = options.Clone();
        _options.ValidationSet = null;      // neither saved nor kept alive by the model
        _options.Progress = null;
        _options.CancellationToken = default;
        Tokenizer = tokenizer;
        VocabularySize = vocabularySize;
        _network = network;
        _labelSchema = labelSchema;
        _history = history.ToArray();
        _bestEpoch = bestEpoch;
        _classNames = ClassNamesOf(task, labelSchema, network.NumberOfClasses);
    }

    private readonly LstmTask _task;
    private readonly string _inputColumnName;
    private readonly LstmTrainingProgress[] _history;
    private readonly int _bestEpoch;

    /// <summary>Binary or multiclass classification.</summary>
    public override LstmTask Task => _task;
    /// <summary>The column the model reads: text, or a vector of key-typed token ids.</summary>
    public override string InputColumnName => _inputColumnName;
    internal LstmInputKind InputKind { get; }
    /// <summary>The training label's column name.</summary>
    public string LabelColumnName { get; }
    /// <summary>The options the model was trained with (without the validation set, progress sink and cancellation token).</summary>
    public override LstmOptions Options => _options.Clone();
    /// <summary>Text input: the tokenizer with the learned vocabulary; null for key-typed token input.</summary>
    public WordTokenizer? Tokenizer { get; }
    /// <summary>Token ids the embedding has, padding (0) and unknown (1) included.</summary>
    public int VocabularySize { get; }
    /// <summary>Number of classes (2 for binary).</summary>
    public int NumberOfClasses => _network.NumberOfClasses;
    /// <summary>Class names in score order: "False", "True" for binary; the label's key values for multiclass (their 1-based key numbers when the label had none).</summary>
    public IReadOnlyList<string> ClassNames => _classNames;
    /// <summary>One entry per finished training epoch.</summary>
    public override IReadOnlyList<LstmTrainingProgress> TrainingHistory => _history;
    /// <summary>The epoch whose weights the model holds (0 when training was cancelled before one finished).</summary>
    public override int BestEpoch => _bestEpoch;

    /// <summary>
    /// Class probabilities for one text (text input only): a convenience for code outside a pipeline; gives
    /// what the pipeline gives for the same text.
    /// </summary>
    public float[] PredictProbabilities(string? text)
    {
        if (Tokenizer is null) throw new InvalidOperationException($"This model reads key-typed token ids from '{InputColumnName}', not text: use it in a pipeline.");
        var workspace = RentWorkspace();
        try
        {
            workspace.Predict(Tokenizer.Encode(text, _options.MaxSequenceLength));
            return workspace.Probabilities.ToArray();
        }
        finally { _workspaces.Add(workspace); }
    }

    private InferenceWorkspace RentWorkspace() => _workspaces.TryTake(out var workspace) ? workspace : new InferenceWorkspace(_network);

    /// <inheritdoc/>
    protected override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    private static string[] ClassNamesOf(LstmTask task, DataViewSchema? labelSchema, int classes)
    {
        if (task == LstmTask.BinaryClassification) return ["False", "True"];
        var annotations = labelSchema?[0].Annotations;
        var keyValues = annotations?.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues);
        if (keyValues is { Type: VectorDataViewType { ItemType: var itemType } })
        {
            var method = typeof(LstmTextClassificationTransformer).GetMethod(nameof(KeyValuesAsText), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(itemType.RawType);
            var names = (string[])method.Invoke(null, [annotations!, keyValues.Value])!;
            if (names.Length == classes) return names;
        }
        return Enumerable.Range(1, classes).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    private static string[] KeyValuesAsText<T>(DataViewSchema.Annotations annotations, DataViewSchema.Column keyValues)
    {
        VBuffer<T> values = default;
        annotations.GetGetter<VBuffer<T>>(keyValues)(ref values);
        return values.DenseValues().Select(v => v?.ToString() ?? "").ToArray();
    }

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
            LstmModelFormat.WriteTensors(w, _network.NamedParameters());
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
        return new LstmTextClassificationTransformer(env, task, inputColumn, inputKind, labelColumn, options, tokenizer, vocabularySize,
            network, labelSchema, history, bestEpoch);
    }

    // ---------------------------------------------------------------------------------------------
    // Inference
    // ---------------------------------------------------------------------------------------------

    /// <summary>One thread's inference state: a view of the shared weights and the per-row buffers.</summary>
    private sealed class InferenceWorkspace
    {
        private readonly SequenceClassifierNetwork _view;
        private readonly int[][] _single = new int[1][];

        public InferenceWorkspace(SequenceClassifierNetwork network)
        {
            _view = network.CreateInferenceView();
            Logits = new float[network.NumberOfClasses];
            Probabilities = new float[network.NumberOfClasses];
        }

        public float[] Logits { get; }
        public float[] Probabilities { get; }

        /// <summary>Logits and probabilities of one token sequence (empty: read as padding).</summary>
        public void Predict(int[] tokens)
        {
            _single[0] = tokens;
            _view.PredictLogits(_single, Logits);
            SoftmaxCrossEntropy.Forward(Logits, Logits.Length, default, Probabilities);
            _single[0] = null!;
        }
    }

    private sealed class Mapper : MapperBase
    {
        private readonly LstmTextClassificationTransformer _parent;
        private readonly DataViewSchema.Column _input;

        public Mapper(LstmTextClassificationTransformer parent, DataViewSchema inputSchema)
            : base(parent.Host.Register(nameof(Mapper)), inputSchema, parent)
        {
            _parent = parent;
            var column = inputSchema.GetColumnOrNull(parent.InputColumnName)
                ?? throw LstmColumns.MissingColumn("input", parent.InputColumnName, inputSchema.Select(c => c.Name));
            var kind = LstmColumns.InputKind(column.Name, column.Type);
            if (kind != parent.InputKind)
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Input column '{column.Name}' has type {LstmColumns.Describe(column.Type)}; " +
                    $"the model was trained on {(parent.InputKind == LstmInputKind.Text ? "String (text)" : $"key-typed token ids with {parent.VocabularySize - WordTokenizer.ReservedIds} values")}.");
            if (kind == LstmInputKind.KeyTokens && LstmEstimator.KeyTokenVocabularySize(column) != parent.VocabularySize)
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Input column '{column.Name}' has type {LstmColumns.Describe(column.Type)}; " +
                    $"the model was trained on keys with {parent.VocabularySize - WordTokenizer.ReservedIds} values (the same token-to-key mapping is needed).");
            _input = column;
        }

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
        {
            var options = _parent._options;
            uint setId = InputSchema.GetMaxAnnotationKind(out _, AnnotationUtils.Kinds.ScoreColumnSetId) + 1;
            ValueGetter<uint> getSetId = (ref uint value) => value = setId;

            if (_parent.Task == LstmTask.BinaryClassification)
            {
                DataViewSchema.Annotations Scored(string valueKind, bool normalized = false)
                {
                    var builder = new DataViewSchema.Annotations.Builder();
                    builder.Add(AnnotationUtils.Kinds.ScoreColumnSetId, AnnotationUtils.ScoreColumnSetIdType, getSetId);
                    builder.Add(AnnotationUtils.Kinds.ScoreColumnKind, TextDataViewType.Instance,
                        (ref ReadOnlyMemory<char> value) => value = AnnotationUtils.Const.ScoreColumnKind.BinaryClassification.AsMemory());
                    builder.Add(AnnotationUtils.Kinds.ScoreValueKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> value) => value = valueKind.AsMemory());
                    if (normalized) builder.Add(AnnotationUtils.Kinds.IsNormalized, BooleanDataViewType.Instance, (ref bool value) => value = true);
                    return builder.ToAnnotations();
                }
                return
                [
                    new(options.ScoreColumnName, NumberDataViewType.Single, Scored(AnnotationUtils.Const.ScoreValueKind.Score)),
                    new(options.ProbabilityColumnName, NumberDataViewType.Single, Scored(AnnotationUtils.Const.ScoreValueKind.Probability, normalized: true)),
                    new(options.PredictedLabelColumnName, BooleanDataViewType.Instance, Scored(AnnotationUtils.Const.ScoreValueKind.PredictedLabel)),
                ];
            }

            int classes = _parent.NumberOfClasses;
            var labelAnnotations = _parent._labelSchema![0].Annotations;
            bool hasKeyValues = labelAnnotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues) is not null;
            var score = new DataViewSchema.Annotations.Builder();
            score.Add(AnnotationUtils.Kinds.ScoreColumnSetId, AnnotationUtils.ScoreColumnSetIdType, getSetId);
            score.Add(AnnotationUtils.Kinds.ScoreColumnKind, TextDataViewType.Instance,
                (ref ReadOnlyMemory<char> value) => value = AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification.AsMemory());
            score.Add(AnnotationUtils.Kinds.ScoreValueKind, TextDataViewType.Instance,
                (ref ReadOnlyMemory<char> value) => value = AnnotationUtils.Const.ScoreValueKind.Score.AsMemory());
            var classNames = _parent._classNames;
            score.AddSlotNames(classes, (ref VBuffer<ReadOnlyMemory<char>> value) =>
            {
                var editor = VBufferEditor.Create(ref value, classes);
                for (int c = 0; c < classes; c++) editor.Values[c] = classNames[c].AsMemory();
                value = editor.Commit();
            });
            if (hasKeyValues)
            {
                // The label's key values under the name the multiclass scorers use for them.
                var keyValues = labelAnnotations.Schema[AnnotationUtils.Kinds.KeyValues];
                var training = new DataViewSchema.Annotations.Builder();
                training.Add(labelAnnotations, kind => kind == AnnotationUtils.Kinds.KeyValues);
                var trainingValues = training.ToAnnotations();
                score.Add(AnnotationUtils.Kinds.TrainingLabelValues, keyValues.Type, GetterOf(trainingValues, trainingValues.Schema[0]));
            }
            var predicted = new DataViewSchema.Annotations.Builder();
            predicted.Add(labelAnnotations, kind => kind == AnnotationUtils.Kinds.KeyValues);
            predicted.Add(AnnotationUtils.Kinds.ScoreColumnSetId, AnnotationUtils.ScoreColumnSetIdType, getSetId);
            predicted.Add(AnnotationUtils.Kinds.ScoreColumnKind, TextDataViewType.Instance,
                (ref ReadOnlyMemory<char> value) => value = AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification.AsMemory());
            predicted.Add(AnnotationUtils.Kinds.ScoreValueKind, TextDataViewType.Instance,
                (ref ReadOnlyMemory<char> value) => value = AnnotationUtils.Const.ScoreValueKind.PredictedLabel.AsMemory());
            return
            [
                new(options.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, classes), score.ToAnnotations()),
                new(options.PredictedLabelColumnName, new KeyDataViewType(typeof(uint), classes), predicted.ToAnnotations()),
            ];
        }

        /// <summary>A getter delegate of the annotation's own type (the key values may be of any type).</summary>
        private static Delegate GetterOf(DataViewSchema.Annotations annotations, DataViewSchema.Column column)
        {
            var method = typeof(DataViewSchema.Annotations).GetMethod(nameof(DataViewSchema.Annotations.GetGetter))!.MakeGenericMethod(column.Type.RawType);
            return (Delegate)method.Invoke(annotations, [column])!;
        }

        protected override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
        {
            bool anyActive = Enumerable.Range(0, OutputColumns.Value.Length).Any(activeOutput);
            int inputIndex = _input.Index;
            return column => anyActive && column == inputIndex;
        }

        protected override void SaveModel(ModelSaveContext ctx) => _parent.SaveModel(ctx);

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
            => CreateGetters(input, column => column == iinfo, out disposer)[iinfo];

        /// <summary>
        /// All output getters of a row share one prediction per row (cached by row position) and one
        /// workspace rented from the model's pool; the disposer gives it back.
        /// </summary>
        public override Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action disposer)
        {
            int outputs = OutputColumns.Value.Length;
            var getters = new Delegate[outputs];
            if (!Enumerable.Range(0, outputs).Any(activeOutput))
            {
                disposer = () => { };
                return getters;
            }
            var workspace = _parent.RentWorkspace();
            bool returned = false;
            disposer = () =>
            {
                if (returned) return;
                returned = true;
                _parent._workspaces.Add(workspace);
            };

            var parent = _parent;
            Func<int[]> readTokens;
            if (parent.InputKind == LstmInputKind.Text)
            {
                var textGetter = input.GetGetter<ReadOnlyMemory<char>>(_input);
                ReadOnlyMemory<char> text = default;
                var tokenizer = parent.Tokenizer!;
                int maxLength = parent._options.MaxSequenceLength;
                readTokens = () =>
                {
                    textGetter(ref text);
                    return text.Span.IsWhiteSpace() ? [] : tokenizer.Encode(text.ToString(), maxLength);
                };
            }
            else
            {
                readTokens = KeyTokenReader.Create(input, _input, parent._options.MaxSequenceLength);
            }

            long cachedPosition = -1;
            void EnsurePredicted()
            {
                if (input.Position == cachedPosition) return;
                workspace.Predict(readTokens());
                cachedPosition = input.Position;
            }

            if (parent.Task == LstmTask.BinaryClassification)
            {
                // Score: the margin z₁ − z₀ (log-odds of true); Probability = σ(Score); PredictedLabel = Score > 0.
                if (activeOutput(0))
                    getters[0] = (ValueGetter<float>)((ref float value) => { EnsurePredicted(); value = workspace.Logits[1] - workspace.Logits[0]; });
                if (activeOutput(1))
                    getters[1] = (ValueGetter<float>)((ref float value) => { EnsurePredicted(); value = Sigmoid(workspace.Logits[1] - workspace.Logits[0]); });
                if (activeOutput(2))
                    getters[2] = (ValueGetter<bool>)((ref bool value) => { EnsurePredicted(); value = workspace.Logits[1] - workspace.Logits[0] > 0; });
            }
            else
            {
                int classes = parent.NumberOfClasses;
                if (activeOutput(0))
                    getters[0] = (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                    {
                        EnsurePredicted();
                        var editor = VBufferEditor.Create(ref value, classes);
                        workspace.Probabilities.AsSpan().CopyTo(editor.Values);
                        value = editor.Commit();
                    });
                if (activeOutput(1))
                    getters[1] = (ValueGetter<uint>)((ref uint value) =>
                    {
                        EnsurePredicted();
                        var p = workspace.Probabilities;
                        int best = 0;
                        for (int c = 1; c < p.Length; c++) if (p[c] > p[best]) best = c;
                        value = (uint)best + 1;
                    });
            }
            return getters;
        }

        private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
    }
}
