using Lstm.MLNet.Model;
using Lstm.MLNet.Model.Persistence;
using Lstm.MLNet.TimeSeries;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;

namespace Lstm.MLNet;

/// <summary>
/// A trained LSTM sequence regressor: adds <c>Score</c> (a float, or a vector of the label's length for a multi-step
/// label) computed from a float-vector sequence column, in the label's units, as ML.NET's regression trainers do, so
/// <c>ml.Regression.Evaluate</c> and <c>PredictionEngine</c> work unchanged. Saved and loaded with
/// <c>ml.Model.Save</c>/<c>Load</c> (weights, standardisation, options in the zip).
/// <para>Thread-safe: the weights are shared read-only; each cursor or prediction engine rents its own workspace.</para>
/// </summary>
public sealed class LstmSequenceRegressionTransformer : LstmTransformer
{
    internal const string LoaderSignature = "LstmSequenceRegressor";
    internal const string UserName = "LSTM Sequence Regressor";

    private readonly SequenceRegressorModel _model;   // network, scalers and the input rule training used
    private readonly WorkspacePool<Workspace> _workspaces;
    private readonly LstmSequenceRegressorOptions _options;

    internal LstmSequenceRegressionTransformer(IHostEnvironment environment, string inputColumnName, string labelColumnName, bool labelIsVector,
        LstmSequenceRegressorOptions options, SequenceRegressorModel model, IReadOnlyList<LstmTrainingProgress> history, int bestEpoch)
        : base(environment.Register(nameof(LstmSequenceRegressionTransformer)), history, bestEpoch)
    {
        InputColumnName = inputColumnName;
        LabelColumnName = labelColumnName;
        LabelIsVector = labelIsVector;
        _options = SavedOptions.Of(options);
        _workspaces = new(() => new Workspace(this));
        _model = model;
    }

    /// <summary>Always <see cref="LstmTask.Regression"/>.</summary>
    public override LstmTask Task => LstmTask.Regression;
    /// <summary>The float-vector sequence column the model reads.</summary>
    public override string InputColumnName { get; }
    /// <summary>The training label's column name.</summary>
    public string LabelColumnName { get; }
    /// <summary>True when the label (and so the Score) is a vector of <see cref="Outputs"/> values.</summary>
    public bool LabelIsVector { get; }
    /// <inheritdoc/>
    public override LstmSequenceRegressorOptions Options => _options.Clone();
    /// <summary>F: values per time step.</summary>
    public int FeaturesPerStep => _model.FeaturesPerStep;
    /// <summary>K: values predicted per row.</summary>
    public int Outputs => _model.Outputs;
    /// <summary>The input standardisation learned at Fit (null when <see cref="LstmSequenceRegressorOptions.Standardize"/> was off).</summary>
    internal Standardizer? InputStandardizer => _model.InputScaler;
    /// <summary>The label standardisation learned at Fit (null when off).</summary>
    internal Standardizer? LabelStandardizer => _model.TargetScaler;
    /// <inheritdoc/>
    public override IReadOnlyList<LstmTrainingProgress> TrainingHistory => History;
    /// <inheritdoc/>
    public override int BestEpoch => KeptEpoch;

    /// <summary>The prediction for one sequence of T·F values, in label units (a convenience outside a pipeline; the same as the pipeline gives).</summary>
    public float[] Predict(ReadOnlySpan<float> sequence)
    {
        var output = new float[Outputs];
        var workspace = _workspaces.Rent();   // not WorkspacePool.Use: a span cannot enter a lambda
        try { workspace.Predict(sequence, output, "the sequence", -1); }
        finally { _workspaces.Return(workspace); }
        return output;
    }

    /// <inheritdoc/>
    protected override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    /// <summary>One thread's inference state: the model's predictor, behind the row checks and the non-finite policy.</summary>
    private sealed class Workspace(LstmSequenceRegressionTransformer parent)
    {
        private readonly SequenceRegressorModel.Predictor _predictor = parent._model.CreatePredictor();

        /// <summary>Writes the prediction in label units; NaN outputs for an empty or non-finite row when the policy skips such rows.</summary>
        public void Predict(ReadOnlySpan<float> sequence, Span<float> output, string column, long row)
        {
            int F = parent.FeaturesPerStep;
            SequenceRows.CheckWholeSteps(sequence.Length, F, column, row);
            bool usable = sequence.Length > 0;
            for (int i = 0; usable && i < sequence.Length; i++) usable = float.IsFinite(sequence[i]);
            if (!usable)
            {
                if (parent._options.NonFiniteValues == LstmNonFiniteValues.Throw)
                    throw new InvalidOperationException(sequence.Length == 0
                        ? $"Row {row}: column '{column}' is empty; the regressor needs at least one step of {F} values."
                        : $"Row {row}: column '{column}' holds a NaN or infinite value; set NonFiniteValues = SkipRow to score such rows as NaN.");
                output.Fill(float.NaN);
                return;
            }
            _predictor.Predict(sequence, output);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Persistence. Payload: input, label column names; bool label is vector; the shared options
    // (LstmModelFormat), features per step, outputs, standardize, non-finite policy, shuffle-validation flag;
    // the model's scalers (SequenceRegressorModel.WriteScalers); history; best epoch; the model's weights (WriteWeights).
    // v2 (0x00020001) wraps it in a ModelEnvelope; v1 (0x00010001) wrote it straight into the stream.
    // ---------------------------------------------------------------------------------------------

    private static VersionInfo GetVersionInfo() => LstmModelFormat.VersionOf("LSTMSEQR", LoaderSignature);

    /// <inheritdoc/>
    protected override void SaveModel(ModelSaveContext ctx) =>
        SaveModel(ctx, GetVersionInfo(), ModelKind.SequenceRegressor,
            writeHead: w =>
            {
                w.Write(InputColumnName);
                w.Write(LabelColumnName);
                w.Write(_options.ScoreColumnName);
                w.Write(LabelIsVector);
                LstmModelFormat.WriteOptions(w, _options);
                w.Write(FeaturesPerStep);
                w.Write(Outputs);
                w.Write(_options.Standardize);
                w.Write((int)_options.NonFiniteValues);
                w.Write(_options.ShuffleValidationSplit);
                _model.WriteScalers(w);
            },
            writeWeights: _model.WriteWeights);

    private static LstmSequenceRegressionTransformer Create(IHostEnvironment env, ModelLoadContext ctx) =>
        LstmModelFormat.Load(env, ctx, GetVersionInfo(), "LSTM sequence regressor", [ModelKind.SequenceRegressor], (r, _) => Read(env, r));

    private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema)
        => Create(env, ctx).MakeRowMapper(inputSchema);

    private static LstmSequenceRegressionTransformer Read(IHostEnvironment env, BinaryReader r)
    {
        string input = r.ReadString(), label = r.ReadString(), score = r.ReadString();
        bool labelIsVector = r.ReadBoolean();
        var options = LstmModelFormat.ReadOptions(r, new LstmSequenceRegressorOptions());
        options.LabelColumnName = label;
        options.ScoreColumnName = score;
        options.FeaturesPerStep = r.ReadInt32();
        int outputs = r.ReadInt32();
        options.Standardize = r.ReadBoolean();
        options.NonFiniteValues = (LstmNonFiniteValues)r.ReadInt32();
        options.ShuffleValidationSplit = r.ReadBoolean();
        try { options.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"The saved options are invalid: {e.Message}", e); }
        if (outputs < 1 || outputs > ModelPayload.MaxSavedCount || (!labelIsVector && outputs != 1))
            throw new InvalidDataException($"The model claims {outputs} outputs for a {(labelIsVector ? "vector" : "scalar")} label.");
        var networkOptions = options.ToNetworkOptions(new SequenceRegressorOptions { Outputs = outputs });
        networkOptions.Validate();   // the network's own checks (sizes, budget) before anything is allocated for it
        var scalers = SequenceRegressorModel.ReadScalers(r, options.Standardize, options.FeaturesPerStep, outputs);
        var (history, bestEpoch) = ReadTrainingRecord(r);
        var model = SequenceRegressorModel.ReadWeights(r, options.FeaturesPerStep, networkOptions, scalers, options.MaxSequenceLength);
        return new LstmSequenceRegressionTransformer(env, input, label, labelIsVector, options, model, history, bestEpoch);
    }

    private sealed class Mapper : LstmRowMapper, ISaveAsOnnx
    {
        private readonly LstmSequenceRegressionTransformer _parent;

        public Mapper(LstmSequenceRegressionTransformer parent, DataViewSchema inputSchema)
            : base(parent, parent.Host, inputSchema)
        {
            _parent = parent;
            SequenceRows.CheckInput(Input);
        }

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
        {
            var annotations = ScoreAnnotations.Of(ScoreAnnotations.NextSetId(InputSchema), AnnotationUtils.Const.ScoreColumnKind.Regression,
                AnnotationUtils.Const.ScoreValueKind.Score);
            DataViewType type = _parent.LabelIsVector ? new VectorDataViewType(NumberDataViewType.Single, _parent.Outputs) : NumberDataViewType.Single;
            return [new(_parent._options.ScoreColumnName, type, annotations)];
        }

        /// <summary>ML.NET's ONNX hook (<c>ml.Model.ConvertToOnnx</c>): every regressor has an exact graph.</summary>
        public bool CanSaveOnnx(OnnxContext ctx) => true;

        public void SaveAsOnnx(OnnxContext ctx) =>
            OnnxSequenceRegressorExport.Emit(ctx, _parent._model, ctx.GetVariableName(Input.Name), _parent._options.ScoreColumnName, OutputColumns.Value[0].Type);

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
        {
            var workspace = _parent._workspaces.Rent(out disposer);
            var readFeatures = input.GetGetter<VBuffer<float>>(Input);
            VBuffer<float> features = default;
            var output = new float[_parent.Outputs];
            long cached = -1;
            string column = Input.Name;
            void EnsurePredicted()
            {
                if (input.Position == cached) return;
                readFeatures(ref features);
                // Dense vectors (the usual case) are read in place; a sparse one is densified.
                ReadOnlySpan<float> values = features.IsDense ? features.GetValues() : features.DenseValues().ToArray();
                workspace.Predict(values, output, column, input.Position);
                cached = input.Position;
            }
            if (!_parent.LabelIsVector)
                return (ValueGetter<float>)((ref float value) => { EnsurePredicted(); value = output[0]; });
            int outputs = _parent.Outputs;
            return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                EnsurePredicted();
                var editor = VBufferEditor.Create(ref value, outputs);
                output.AsSpan().CopyTo(editor.Values);
                value = editor.Commit();
            });
        }
    }
}
