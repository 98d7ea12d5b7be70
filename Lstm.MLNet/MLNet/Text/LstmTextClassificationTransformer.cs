using Lstm.MLNet.Model;
using Lstm.MLNet.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;

namespace Lstm.MLNet;

/// <summary>
/// A trained LSTM text classifier: adds Score, Probability and PredictedLabel (binary) or Score (class
/// probabilities) and PredictedLabel (key) to the data, as ML.NET's own classifiers do, so the evaluators,
/// <c>MapKeyToValue</c> and <c>PredictionEngine</c> work unchanged. Saved and loaded with
/// <c>ml.Model.Save</c>/<c>ml.Model.Load</c> (weights, vocabulary, options and label key values in the zip).
/// <para>Thread-safe: the weights are shared read-only, and each cursor or prediction engine rents its own
/// inference workspace from a pool.</para>
/// </summary>
public sealed partial class LstmTextClassificationTransformer : LstmTransformer
{
    internal const string LoaderSignature = "LstmTextClassifier";
    internal const string UserName = "LSTM Text Classifier";
    private const string LabelSchemaStream = "LabelSchema";

    private readonly TextClassifierModel _model;          // the weights, the vocabulary, the length rule training used
    private readonly WorkspacePool<TextClassifierModel.Predictor> _workspaces;
    private readonly DataViewSchema? _labelSchema;        // multiclass: the training label with its key values
    private readonly LstmOptions _options;
    private readonly string[] _classNames;

    internal LstmTextClassificationTransformer(IHostEnvironment environment, LstmTask task, string inputColumnName, LstmInputKind inputKind,
        string labelColumnName, LstmOptions options, TextClassifierModel model, DataViewSchema? labelSchema, IReadOnlyList<LstmTrainingProgress> history, int bestEpoch)
        : base(environment.Register(nameof(LstmTextClassificationTransformer)), history, bestEpoch)
    {
        _task = task;
        _inputColumnName = inputColumnName;
        InputKind = inputKind;
        LabelColumnName = labelColumnName;
        _options = SavedOptions.Of(options);
        Tokenizer = model.Tokenizer;
        VocabularySize = model.Network.VocabularySize;
        _model = model;
        _workspaces = new(_model.CreatePredictor);
        _labelSchema = labelSchema;
        _classNames = ClassNamesOf(task, labelSchema, model.NumberOfClasses);
    }

    private readonly LstmTask _task;
    private readonly string _inputColumnName;

    /// <summary>Binary or multiclass classification.</summary>
    public override LstmTask Task => _task;
    /// <summary>The column the model reads: text, or a vector of key-typed token ids.</summary>
    public override string InputColumnName => _inputColumnName;
    internal LstmInputKind InputKind { get; }
    /// <summary>The training label's column name.</summary>
    public string LabelColumnName { get; }
    /// <summary>The options the model was trained with (without the validation set, progress sink and cancellation token).</summary>
    public override LstmOptions Options => _options.Clone();
    /// <summary>
    /// The calibration temperature T fitted on the validation rows after training (<see cref="LstmOptions.Calibrate"/>):
    /// every output divides the logits by it (binary Score = (z₁ − z₀) / T, Probability = σ(Score); multiclass
    /// Score = softmax(z / T)). 1 = uncalibrated (no validation rows, Calibrate off, or a model saved in format v1).
    /// </summary>
    public float Temperature => _model.Temperature;

    /// <summary>The trained network (tests read its weights).</summary>
    internal SequenceClassifierNetwork Network => _model.Network;
    /// <summary>Text input: the tokenizer with the learned vocabulary; null for key-typed token input.</summary>
    public WordTokenizer? Tokenizer { get; }
    /// <summary>Token ids the embedding has, padding (0) and unknown (1) included.</summary>
    public int VocabularySize { get; }
    /// <summary>Number of classes (2 for binary).</summary>
    public int NumberOfClasses => _model.NumberOfClasses;
    /// <summary>Class names in score order: "False", "True" for binary; the label's key values for multiclass (their 1-based key numbers when the label had none).</summary>
    public IReadOnlyList<string> ClassNames => _classNames;
    /// <summary>One entry per finished training epoch.</summary>
    public override IReadOnlyList<LstmTrainingProgress> TrainingHistory => History;
    /// <summary>The epoch whose weights the model holds (0 when training was cancelled before one finished).</summary>
    public override int BestEpoch => KeptEpoch;

    /// <summary>
    /// Class probabilities for one text (text input only): a convenience for code outside a pipeline; gives
    /// what the pipeline gives for the same text.
    /// </summary>
    public float[] PredictProbabilities(string? text)
    {
        if (Tokenizer is null) throw new InvalidOperationException($"This model reads key-typed token ids from '{InputColumnName}', not text: use it in a pipeline.");
        return _workspaces.Use(workspace =>
        {
            workspace.Predict(_model.Prepare(text));
            return workspace.Probabilities.ToArray();
        });
    }

    /// <inheritdoc/>
    protected override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    private static string[] ClassNamesOf(LstmTask task, DataViewSchema? labelSchema, int classes)
    {
        if (task == LstmTask.BinaryClassification) return ["False", "True"];
        if (labelSchema is not null && LabelKeyValues.Names(labelSchema[0]) is { } names && names.Length == classes) return names;
        return Enumerable.Range(1, classes).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    private sealed class Mapper : LstmRowMapper, ISaveAsOnnx
    {
        private readonly LstmTextClassificationTransformer _parent;
        private readonly IDataView? _source;   // the data Transform maps, which cursors read ahead in batches; null: row by row

        public Mapper(LstmTextClassificationTransformer parent, DataViewSchema inputSchema, IDataView? source = null)
            : base(parent, parent.Host, inputSchema)
        {
            _parent = parent;
            _source = source;
            var column = Input;
            var kind = LstmColumns.InputKind(column.Name, column.Type);
            if (kind != parent.InputKind)
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Input column '{column.Name}' has type {LstmColumns.Describe(column.Type)}; " +
                    $"the model was trained on {(parent.InputKind == LstmInputKind.Text ? "String (text)" : $"key-typed token ids with {parent.VocabularySize - WordTokenizer.ReservedIds} values")}.");
            if (kind == LstmInputKind.KeyTokens && LstmColumns.KeyTokenVocabularySize(column) != parent.VocabularySize)
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Input column '{column.Name}' has type {LstmColumns.Describe(column.Type)}; " +
                    $"the model was trained on keys with {parent.VocabularySize - WordTokenizer.ReservedIds} values (the same token-to-key mapping is needed).");
        }

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
        {
            var options = _parent._options;
            uint setId = ScoreAnnotations.NextSetId(InputSchema);
            const string binary = AnnotationUtils.Const.ScoreColumnKind.BinaryClassification, multiclass = AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification;

            if (_parent.Task == LstmTask.BinaryClassification)
            {
                return
                [
                    new(options.ScoreColumnName, NumberDataViewType.Single, ScoreAnnotations.Of(setId, binary, AnnotationUtils.Const.ScoreValueKind.Score)),
                    new(options.ProbabilityColumnName, NumberDataViewType.Single, ScoreAnnotations.Of(setId, binary, AnnotationUtils.Const.ScoreValueKind.Probability, normalized: true)),
                    new(options.PredictedLabelColumnName, BooleanDataViewType.Instance, ScoreAnnotations.Of(setId, binary, AnnotationUtils.Const.ScoreValueKind.PredictedLabel)),
                ];
            }

            int classes = _parent.NumberOfClasses;
            var label = _parent._labelSchema![0];
            var score = new DataViewSchema.Annotations.Builder();
            ScoreAnnotations.Add(score, setId, multiclass, AnnotationUtils.Const.ScoreValueKind.Score);
            var classNames = _parent._classNames;
            score.AddSlotNames(classes, (ref VBuffer<ReadOnlyMemory<char>> value) =>
            {
                var editor = VBufferEditor.Create(ref value, classes);
                for (int c = 0; c < classes; c++) editor.Values[c] = classNames[c].AsMemory();
                value = editor.Commit();
            });
            // The label's key values under the name the multiclass scorers use for them.
            LabelKeyValues.AddAsTrainingLabelValues(score, label);
            var predicted = new DataViewSchema.Annotations.Builder();
            predicted.Add(label.Annotations, kind => kind == AnnotationUtils.Kinds.KeyValues);
            ScoreAnnotations.Add(predicted, setId, multiclass, AnnotationUtils.Const.ScoreValueKind.PredictedLabel);
            return
            [
                new(options.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, classes), score.ToAnnotations()),
                new(options.PredictedLabelColumnName, new KeyDataViewType(typeof(uint), classes), predicted.ToAnnotations()),
            ];
        }

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
            => CreateGetters(input, column => column == iinfo, out disposer)[iinfo];

        /// <summary>ML.NET's ONNX hook (<c>ml.Model.ConvertToOnnx</c>): throws, naming why, when the graph would not be exact.</summary>
        public bool CanSaveOnnx(OnnxContext ctx) => OnnxExportSupport.Require(OnnxExportSupport.TextClassifierGaps(_parent._model), UserName);

        public void SaveAsOnnx(OnnxContext ctx)
        {
            var parent = _parent;
            ulong keyCount = parent.InputKind == LstmInputKind.KeyTokens ? ((KeyDataViewType)((VectorDataViewType)Input.Type).ItemType).Count : 0;
            OnnxTextClassifierExport.Emit(ctx, parent._model, parent.InputKind, ctx.GetVariableName(Input.Name), keyCount,
                parent.Task, parent._options, parent.NumberOfClasses);
        }

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
            var workspace = _parent._workspaces.Rent(out var giveBack);
            var readTokens = TokenReader(input);
            ReadAhead? readAhead = null;
            disposer = () => { readAhead?.Dispose(); giveBack(); };

            var parent = _parent;
            long cachedPosition = -1;
            void EnsurePredicted()
            {
                if (input.Position == cachedPosition) return;
                if (_source is not null && input.Position >= 0)
                    readAhead ??= new ReadAhead(parent, _source, Input, TokenReader, workspace, input);
                if (readAhead is null || !readAhead.TryScore(input))
                {
                    var tokens = readTokens(out var subwords);
                    workspace.Predict(tokens, subwords);
                }
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

        /// <summary>The current row's token ids and their sub-word hashes (empty without character n-grams), valid until the next call.</summary>
        internal delegate ReadOnlySpan<int> TokenSource(out ReadOnlySpan<int> subwords);

        /// <summary>Reads the current row's model input (text or key-typed ids) from <paramref name="row"/> as what the network reads.</summary>
        private TokenSource TokenReader(DataViewRow row)
        {
            var model = _parent._model;
            if (_parent.InputKind == LstmInputKind.Text)
            {
                var textGetter = row.GetGetter<ReadOnlyMemory<char>>(Input);
                ReadOnlyMemory<char> text = default;
                List<int> ids = [], hashes = [];
                return (out ReadOnlySpan<int> subwords) =>
                {
                    textGetter(ref text);
                    model.PrepareInto(text.Span, ids, hashes);
                    subwords = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(hashes);
                    return System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids);
                };
            }
            var readIds = KeyTokenReader.Create(row, Input, maxLength: 0);
            return (out ReadOnlySpan<int> subwords) =>
            {
                subwords = default;
                return model.Prepare(readIds()).Tokens;
            };
        }

        private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
    }
}
