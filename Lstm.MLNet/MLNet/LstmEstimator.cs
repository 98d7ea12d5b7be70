using Lstm.MLNet.Model;
using Lstm.MLNet.Model.Training;
using Lstm.MLNet.Text;
using Lstm.MLNet.TimeSeries;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using static Microsoft.ML.SchemaShape.Column;

namespace Lstm.MLNet;

/// <summary>
/// An ML.NET trainer of an embedding → LSTM → dense network over token sequences. The task follows from the
/// label's type at Fit: Boolean → binary classification, key → multiclass classification (the catalog methods
/// <c>ml.BinaryClassification.Trainers.LstmText</c> / <c>ml.MulticlassClassification.Trainers.LstmText</c>
/// fix it). The input is a text column (tokenised by a <see cref="WordTokenizer"/> whose vocabulary is
/// learned from the training rows) or a vector of key type with token ids from upstream transforms.
/// Fit returns an <see cref="LstmTransformer"/>: for classification, an <see cref="LstmTextClassificationTransformer"/>.
/// </summary>
public sealed class LstmEstimator : IEstimator<LstmTransformer>
{
    private readonly IHost _host;
    private readonly LstmOptions _options;
    private readonly LstmTask? _requiredTask;

    /// <summary>
    /// An estimator with the default options. With no <see cref="MLContext"/> to log to, it makes its own
    /// (seeded with the options' seed); its log goes nowhere. Pass an MLContext to see progress in <c>ml.Log</c>.
    /// </summary>
    public LstmEstimator() : this(null, null)
    {
    }

    /// <summary>An estimator with <paramref name="options"/> (defaults when null), logging to <paramref name="ml"/> (its own MLContext when null).</summary>
    public LstmEstimator(MLContext? ml, LstmOptions? options = null)
        : this(ml ?? new MLContext((options ?? new LstmOptions()).Seed), options ?? new LstmOptions(), requiredTask: null)
    {
    }

    internal LstmEstimator(IHostEnvironment environment, LstmOptions options, LstmTask? requiredTask)
    {
        MLNetCompatibility.EnsureSupported();
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        if (options is LstmSequenceRegressorOptions regressor) regressor.ValidateRegression();
        else options.Validate();
        _host = environment.Register(nameof(LstmEstimator));
        _options = options.Clone();
        _requiredTask = requiredTask;
    }

    /// <summary>A copy of the options this estimator trains with.</summary>
    public LstmOptions Options => _options.Clone();

    /// <summary>The column ML.NET uses for features when no text column is there (the regressor's usual input).</summary>
    private const string DefaultFeatureColumnName = "Features";

    /// <summary>
    /// The input column: <see cref="LstmOptions.FeatureColumnName"/> when set; otherwise the text column, or, when the
    /// data has no column of that name but has ML.NET's default "Features", that one (so <c>new LstmEstimator()</c> finds
    /// a float-vector sequence input for regression).
    /// </summary>
    private string InputColumnName(Func<string, bool> exists) =>
        _options.FeatureColumnName
        ?? (!exists(_options.TextColumnName) && exists(DefaultFeatureColumnName) ? DefaultFeatureColumnName : _options.TextColumnName);

    /// <summary>
    /// Trains on <paramref name="input"/>: an <see cref="LstmTextClassificationTransformer"/> for a Boolean or key label,
    /// an <see cref="LstmSequenceRegressionTransformer"/> for a float (vector) label with a float-vector input.
    /// </summary>
    public LstmTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var schema = input.Schema;
        string inputName = InputColumnName(name => schema.GetColumnOrNull(name) is not null);
        var inputColumn = schema.GetColumnOrNull(inputName) ?? throw LstmColumns.MissingColumn("input", inputName, schema.Select(c => c.Name));
        var labelColumn = schema.GetColumnOrNull(_options.LabelColumnName) ?? throw LstmColumns.MissingColumn("label", _options.LabelColumnName, schema.Select(c => c.Name));
        return LstmColumns.TaskOf(labelColumn.Name, labelColumn.Type, inputColumn.Type, _requiredTask) == LstmTask.Regression
            ? FitRegressor(input)
            : FitClassifier(input);
    }

    /// <summary>Trains a classifier on <paramref name="input"/> (what <see cref="Fit"/> does, typed).</summary>
    public LstmTextClassificationTransformer FitClassifier(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var options = _options;
        var schema = input.Schema;
        string inputName = InputColumnName(name => schema.GetColumnOrNull(name) is not null);
        var inputColumn = schema.GetColumnOrNull(inputName) ?? throw LstmColumns.MissingColumn("input", inputName, schema.Select(c => c.Name));
        var labelColumn = schema.GetColumnOrNull(options.LabelColumnName) ?? throw LstmColumns.MissingColumn("label", options.LabelColumnName, schema.Select(c => c.Name));
        var task = LstmColumns.TaskOf(labelColumn.Name, labelColumn.Type, inputColumn.Type, _requiredTask);
        if (task == LstmTask.Regression)
            throw new InvalidOperationException($"Label column '{labelColumn.Name}' is a float and the input a float vector: that is sequence regression; call Fit (or FitRegressor), not FitClassifier.");
        var inputKind = LstmColumns.InputKind(inputColumn.Name, inputColumn.Type);
        int classes = ClassCount(task, labelColumn);

        using var channel = _host.Start("Training LSTM");
        var train = LabelledRows.Read(input, inputColumn, labelColumn, inputKind, classes, "training");
        channel.Info($"Read {train.Count} training rows from '{inputColumn.Name}' and '{labelColumn.Name}'; skipped {train.SkippedEmptyInput} with empty input, {train.SkippedMissingLabel} with a missing label.");
        if (train.Count == 0)
            throw new InvalidOperationException($"No training rows to learn from: {train.SkippedEmptyInput} row(s) had an empty '{inputColumn.Name}' and {train.SkippedMissingLabel} a missing '{labelColumn.Name}' label.");
        CheckAtLeastTwoClasses(train.Labels, labelColumn.Name, task);

        // Validation: the given set, or a seeded split of the training rows (the vocabulary sees only the rows that train).
        LabelledRows trainRows = train, validationRows;
        if (options.ValidationSet is not null)
        {
            var validationSchema = options.ValidationSet.Schema;
            var validationInput = validationSchema.GetColumnOrNull(inputColumn.Name) ?? throw LstmColumns.MissingColumn("validation input", inputColumn.Name, validationSchema.Select(c => c.Name));
            var validationLabel = validationSchema.GetColumnOrNull(labelColumn.Name) ?? throw LstmColumns.MissingColumn("validation label", labelColumn.Name, validationSchema.Select(c => c.Name));
            if (!validationInput.Type.Equals(inputColumn.Type) || !validationLabel.Type.Equals(labelColumn.Type))
                throw new ArgumentOutOfRangeException(nameof(LstmOptions.ValidationSet),
                    $"The validation set's '{inputColumn.Name}' / '{labelColumn.Name}' have types {LstmColumns.Describe(validationInput.Type)} / {LstmColumns.Describe(validationLabel.Type)}; " +
                    $"the training data's are {LstmColumns.Describe(inputColumn.Type)} / {LstmColumns.Describe(labelColumn.Type)}.");
            validationRows = LabelledRows.Read(options.ValidationSet, validationInput, validationLabel, inputKind, classes, "validation");
            if (validationRows.Count == 0)
                throw new InvalidOperationException($"The validation set has no usable rows ({validationRows.SkippedEmptyInput} with empty input, {validationRows.SkippedMissingLabel} with a missing label).");
        }
        else
        {
            var (trainIndices, validationIndices) = SequenceDataPreparation.SplitForValidation(train.Count, options.ValidationFraction, options.Seed);
            trainRows = train.Subset(trainIndices);
            validationRows = train.Subset(validationIndices);
        }

        WordTokenizer? tokenizer = null;
        int vocabularySize;
        if (inputKind == LstmInputKind.Text)
        {
            tokenizer = WordTokenizer.Train(trainRows.Texts!, options.MaxVocabularySize, options.MinTokenFrequency);
            vocabularySize = tokenizer.VocabularySize;
            channel.Info($"Vocabulary: {vocabularySize} ids (min frequency {options.MinTokenFrequency}, at most {options.MaxVocabularySize}; 0 = padding, 1 = unknown).");
        }
        else
        {
            vocabularySize = KeyTokenVocabularySize(inputColumn);
        }

        int[][] Encode(LabelledRows rows) => rows.Texts is { } texts
            ? texts.Select(t => tokenizer!.Encode(t, options.MaxSequenceLength)).ToArray()
            : rows.Tokens!.Select(t => SequenceDataPreparation.Truncate(t, options.MaxSequenceLength)).ToArray();
        var trainSequences = Encode(trainRows);
        var validationSequences = Encode(validationRows);

        var network = new SequenceClassifierNetwork(vocabularySize, classes, options.ToNetworkOptions());
        channel.Info($"Training a {(options.Bidirectional ? "bidirectional " : "")}LSTM {options.NumberOfLayers}×{options.HiddenSize} ({options.Pooling} pooling, embedding {options.EmbeddingSize}) " +
                     $"for {task} on {trainSequences.Length} rows, validating on {validationSequences.Length}; {network.Context}.");
        var result = SequenceTrainer.Train(network, trainSequences, trainRows.Labels, validationSequences.Length > 0 ? validationSequences : null,
            validationSequences.Length > 0 ? validationRows.Labels : null, options.ToTrainingOptions(), options.Progress,
            line => channel.Info(line), options.CancellationToken);
        channel.Info($"Kept the weights of epoch {result.BestEpoch} of {result.History.Count}{(result.StoppedEarly ? " (stopped early)" : "")}{(result.Cancelled ? " (cancelled)" : "")}.");

        var labelSchema = task == LstmTask.MulticlassClassification ? LabelSchema(labelColumn) : null;
        return new LstmTextClassificationTransformer(_host, task, inputColumn.Name, inputKind, labelColumn.Name, options, tokenizer,
            vocabularySize, network, labelSchema, result.History, result.BestEpoch);
    }

    /// <summary>Checks the input and label columns like ML.NET's trainers do, and adds the output columns.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        string inputName = InputColumnName(name => inputSchema.TryFindColumn(name, out _));
        if (!inputSchema.TryFindColumn(inputName, out var inputColumn))
            throw LstmColumns.MissingColumn("input", inputName, inputSchema.Select(c => c.Name));
        if (!inputSchema.TryFindColumn(_options.LabelColumnName, out var labelColumn))
            throw LstmColumns.MissingColumn("label", _options.LabelColumnName, inputSchema.Select(c => c.Name));
        if (IsSequenceRegression(inputColumn, labelColumn))
            return RegressionOutputSchema(inputSchema, inputColumn, labelColumn);
        LstmColumns.InputKind(inputColumn);

        LstmTask task;
        if (labelColumn.Kind == VectorKind.Scalar && labelColumn.ItemType is BooleanDataViewType) task = LstmTask.BinaryClassification;
        else if (labelColumn.Kind == VectorKind.Scalar && labelColumn.IsKey) task = LstmTask.MulticlassClassification;
        else
        {
            var labelType = labelColumn.Kind == VectorKind.Scalar ? labelColumn.ItemType : new VectorDataViewType((PrimitiveDataViewType)labelColumn.ItemType);
            var inputType = inputColumn.Kind == VectorKind.Scalar ? inputColumn.ItemType : new VectorDataViewType((PrimitiveDataViewType)inputColumn.ItemType);
            task = LstmColumns.TaskOf(labelColumn.Name, labelType, inputType, _requiredTask); // throws with the specific message
        }
        if (_requiredTask is LstmTask required && required != task)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Label column '{labelColumn.Name}' has type {LstmColumns.Describe(labelColumn)}; " +
                (required == LstmTask.BinaryClassification ? "binary classification expects Boolean." : "multiclass classification expects a key type (e.g. from MapValueToKey)."));

        var columns = inputSchema.ToDictionary(c => c.Name);
        if (task == LstmTask.BinaryClassification)
        {
            columns[_options.ScoreColumnName] = new SchemaShape.Column(_options.ScoreColumnName, VectorKind.Scalar, NumberDataViewType.Single, false,
                new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation()));
            columns[_options.ProbabilityColumnName] = new SchemaShape.Column(_options.ProbabilityColumnName, VectorKind.Scalar, NumberDataViewType.Single, false,
                new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation(true)));
            columns[_options.PredictedLabelColumnName] = new SchemaShape.Column(_options.PredictedLabelColumnName, VectorKind.Scalar, BooleanDataViewType.Instance, false,
                new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation()));
        }
        else
        {
            bool hasKeyValues = labelColumn.Annotations.TryFindColumn(AnnotationUtils.Kinds.KeyValues, out var keyValues);
            var predictedAnnotations = AnnotationUtils.GetTrainerOutputAnnotation();
            if (hasKeyValues) predictedAnnotations = predictedAnnotations.Append(keyValues);
            columns[_options.ScoreColumnName] = new SchemaShape.Column(_options.ScoreColumnName, VectorKind.Vector, NumberDataViewType.Single, false,
                new SchemaShape(AnnotationUtils.AnnotationsForMulticlassScoreColumn(labelColumn)));
            columns[_options.PredictedLabelColumnName] = new SchemaShape.Column(_options.PredictedLabelColumnName, VectorKind.Scalar, NumberDataViewType.UInt32, true,
                new SchemaShape(predictedAnnotations));
        }
        return new SchemaShape(columns.Values);
    }

    private bool IsSequenceRegression(SchemaShape.Column input, SchemaShape.Column label) =>
        _requiredTask is null or LstmTask.Regression
        && input.Kind != VectorKind.Scalar && input.ItemType is NumberDataViewType { RawType: var inputRaw } && inputRaw == typeof(float)
        && label.ItemType is NumberDataViewType { RawType: var labelRaw } && labelRaw == typeof(float);

    private SchemaShape RegressionOutputSchema(SchemaShape inputSchema, SchemaShape.Column input, SchemaShape.Column label)
    {
        if (label.Kind == VectorKind.VariableVector)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Label column '{label.Name}' is a variable-length vector; a multi-step label needs a known size (one value per horizon step).");
        var columns = inputSchema.ToDictionary(c => c.Name);
        var kind = label.Kind == VectorKind.Scalar ? VectorKind.Scalar : VectorKind.Vector;
        columns[_options.ScoreColumnName] = new SchemaShape.Column(_options.ScoreColumnName, kind, NumberDataViewType.Single, false,
            new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation()));
        return new SchemaShape(columns.Values);
    }

    /// <summary>Trains the sequence regressor (what <see cref="Fit"/> does for a float label and a float-vector input, typed).</summary>
    public LstmSequenceRegressionTransformer FitRegressor(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var options = LstmSequenceRegressorOptions.From(_options);
        var schema = input.Schema;
        string inputName = InputColumnName(name => schema.GetColumnOrNull(name) is not null);
        options.FeatureColumnName = inputName;
        options.ValidateRegression();
        var inputColumn = schema.GetColumnOrNull(inputName) ?? throw LstmColumns.MissingColumn("input", inputName, schema.Select(c => c.Name));
        var labelColumn = schema.GetColumnOrNull(options.LabelColumnName) ?? throw LstmColumns.MissingColumn("label", options.LabelColumnName, schema.Select(c => c.Name));
        SequenceRows.CheckInput(inputColumn);
        int outputs = SequenceRows.TargetSize(labelColumn);
        bool labelIsVector = labelColumn.Type is VectorDataViewType;

        using var channel = _host.Start("Training LSTM sequence regressor");
        var rows = SequenceRows.Read(input, inputColumn, labelColumn, options.FeaturesPerStep, options.NonFiniteValues, "training");
        channel.Info($"Read {rows.Count} training rows from '{inputColumn.Name}' and '{labelColumn.Name}'; skipped {rows.SkippedNonFinite} with NaN/∞ and {rows.SkippedEmpty} empty.");
        if (rows.Count == 0)
            throw new InvalidOperationException($"No training rows to learn from: {rows.SkippedNonFinite} row(s) held NaN/∞ values and {rows.SkippedEmpty} an empty '{inputColumn.Name}'.");

        SequenceRows trainRows = rows, validationRows;
        if (options.ValidationSet is not null)
        {
            var vSchema = options.ValidationSet.Schema;
            var vInput = vSchema.GetColumnOrNull(inputColumn.Name) ?? throw LstmColumns.MissingColumn("validation input", inputColumn.Name, vSchema.Select(c => c.Name));
            var vLabel = vSchema.GetColumnOrNull(labelColumn.Name) ?? throw LstmColumns.MissingColumn("validation label", labelColumn.Name, vSchema.Select(c => c.Name));
            validationRows = SequenceRows.Read(options.ValidationSet, vInput, vLabel, options.FeaturesPerStep, options.NonFiniteValues, "validation");
            if (validationRows.Targets.Any(t => t.Length != outputs))
                throw new ArgumentOutOfRangeException(nameof(LstmOptions.ValidationSet), $"The validation label '{vLabel.Name}' has another length than the training label's {outputs}.");
        }
        else if (options.ShuffleValidationSplit)
        {
            var (trainIndices, validationIndices) = SequenceDataPreparation.SplitForValidation(rows.Count, options.ValidationFraction, options.Seed);
            trainRows = rows.Subset(trainIndices);
            validationRows = rows.Subset(validationIndices);
        }
        else
        {
            // The last rows in row order: for windows of a series, validation then lies after all training data in time.
            int validationCount = options.ValidationFraction == 0 ? 0 : Math.Max(1, (int)Math.Round(rows.Count * options.ValidationFraction));
            if (validationCount >= rows.Count)
                throw new ArgumentOutOfRangeException(nameof(LstmOptions.ValidationFraction), options.ValidationFraction,
                    $"A validation fraction of {options.ValidationFraction} leaves no training row out of {rows.Count}.");
            trainRows = rows.Subset(Enumerable.Range(0, rows.Count - validationCount).ToArray());
            validationRows = rows.Subset(Enumerable.Range(rows.Count - validationCount, validationCount).ToArray());
        }

        // Standardisation learned on the training rows only, applied to copies (the caller's data is untouched).
        Standardizer? inputScaler = null, targetScaler = null;
        if (options.Standardize)
        {
            inputScaler = Standardizer.Fit(trainRows.Sequences.SelectMany(x => x).ToArray(), options.FeaturesPerStep);
            targetScaler = Standardizer.Fit(trainRows.Targets.SelectMany(x => x).ToArray(), outputs);
        }
        float[][] Scale(float[][] values, Standardizer? scaler) => scaler is null ? values : values.Select(v =>
        {
            var copy = (float[])v.Clone();
            scaler.Transform(copy);
            return copy;
        }).ToArray();
        var prepare = new SequenceInput(options.FeaturesPerStep, options.MaxSequenceLength, inputScaler);   // prediction's rule too

        var trainSequences = trainRows.Sequences.Select(x => prepare.Prepare(x)).ToArray();
        var trainTargets = Scale(trainRows.Targets, targetScaler);
        var validationSequences = validationRows.Sequences.Select(x => prepare.Prepare(x)).ToArray();
        var validationTargets = Scale(validationRows.Targets, targetScaler);

        var network = new SequenceRegressorNetwork(options.FeaturesPerStep, RegressorNetworkOptions(options, outputs));
        channel.Info($"Training a {(options.Bidirectional ? "bidirectional " : "")}LSTM {options.NumberOfLayers}×{options.HiddenSize} ({options.Pooling} pooling) " +
                     $"on {trainSequences.Length} sequences of {options.FeaturesPerStep} feature(s) per step → {outputs} output(s), validating on {validationSequences.Length}; {network.Context}.");
        var result = SequenceTrainer.Train(network, trainSequences, trainTargets, validationSequences.Length > 0 ? validationSequences : null,
            validationSequences.Length > 0 ? validationTargets : null, options.ToTrainingOptions(), options.Progress,
            line => channel.Info(line), options.CancellationToken);
        channel.Info($"Kept the weights of epoch {result.BestEpoch} of {result.History.Count}{(result.StoppedEarly ? " (stopped early)" : "")}{(result.Cancelled ? " (cancelled)" : "")}.");
        return new LstmSequenceRegressionTransformer(_host, inputColumn.Name, labelColumn.Name, labelIsVector, options, network, inputScaler, targetScaler,
            result.History, result.BestEpoch);
    }

    /// <summary>The regressor network's hyperparameters from the ML.NET options (also used when loading a saved model).</summary>
    internal static SequenceRegressorOptions RegressorNetworkOptions(LstmSequenceRegressorOptions options, int outputs) => new()
    {
        HiddenSize = options.HiddenSize,
        NumberOfLayers = options.NumberOfLayers,
        Bidirectional = options.Bidirectional,
        Dropout = options.Dropout,
        RecurrentDropout = options.RecurrentDropout,
        Pooling = options.Pooling,
        LearningRate = options.LearningRate,
        Optimizer = options.Optimizer,
        WeightDecay = options.WeightDecay,
        GradientClipNorm = options.GradientClipNorm,
        Seed = options.Seed,
        NumberOfThreads = options.NumberOfThreads ?? 0,
        Outputs = outputs,
    };

    private static int ClassCount(LstmTask task, DataViewSchema.Column label)
    {
        if (task == LstmTask.BinaryClassification) return 2;
        ulong count = ((KeyDataViewType)label.Type).Count;
        if (count < 2)
            throw new ArgumentOutOfRangeException("input", $"Label column '{label.Name}' is a key with {count} value(s); a classifier needs at least 2 classes.");
        if (count > 1_000_000)
            throw new ArgumentOutOfRangeException("input", $"Label column '{label.Name}' is a key with {count} values; at most 1,000,000 classes are supported.");
        return (int)count;
    }

    private static void CheckAtLeastTwoClasses(int[] labels, string labelName, LstmTask task)
    {
        int first = labels[0];
        if (labels.All(l => l == first))
            throw new InvalidOperationException($"Label column '{labelName}' has a single value ({(task == LstmTask.BinaryClassification ? first == 1 ? "true" : "false" : $"class {first}")}) " +
                $"in all {labels.Length} training rows; a classifier needs examples of at least two classes.");
    }

    /// <summary>Key token input: the key's values plus the padding and unknown ids.</summary>
    internal static int KeyTokenVocabularySize(DataViewSchema.Column column)
    {
        ulong count = ((KeyDataViewType)((VectorDataViewType)column.Type).ItemType).Count;
        if (count > 50_000_000)
            throw new ArgumentOutOfRangeException("input", $"Input column '{column.Name}' is a key with {count} values; at most 50,000,000 token ids are supported.");
        return (int)count + WordTokenizer.ReservedIds;
    }

    /// <summary>A one-column schema holding the label with its annotations (key values), saved with the model for the output annotations.</summary>
    private static DataViewSchema LabelSchema(DataViewSchema.Column label)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(label.Name, label.Type, label.Annotations);
        return builder.ToSchema();
    }
}
