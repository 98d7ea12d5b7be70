using Lstm.MLNet.Model;
using Lstm.MLNet.Model.Training;
using Lstm.MLNet.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using static Microsoft.ML.SchemaShape.Column;

namespace Lstm.MLNet;

/// <summary>
/// The text classifier's estimator (Boolean or key label, text or key-typed token input): what
/// <see cref="LstmEstimator"/> delegates to for classification, with the input column it chose.
/// </summary>
/// <param name="host">Where training logs.</param>
/// <param name="options">Validated options (not copied: the front door passes its own copy).</param>
/// <param name="inputColumnName">The text or key-typed token column.</param>
/// <param name="requiredTask">Binary or multiclass when a catalog fixed it; null to infer it from the label.</param>
internal sealed class LstmTextClassifierEstimator(IHost host, LstmOptions options, string inputColumnName, LstmTask? requiredTask)
    : IEstimator<LstmTextClassificationTransformer>
{
    /// <summary>Trains a classifier on <paramref name="input"/>.</summary>
    public LstmTextClassificationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var schema = input.Schema;
        string inputName = inputColumnName;
        var inputColumn = schema.GetColumnOrNull(inputName) ?? throw LstmColumns.MissingColumn("input", inputName, schema.Select(c => c.Name));
        var labelColumn = schema.GetColumnOrNull(options.LabelColumnName) ?? throw LstmColumns.MissingColumn("label", options.LabelColumnName, schema.Select(c => c.Name));
        var task = LstmColumns.TaskOf(labelColumn.Name, labelColumn.Type, inputColumn.Type, requiredTask);
        if (task == LstmTask.Regression)
            throw new InvalidOperationException($"Label column '{labelColumn.Name}' is a float and the input a float vector: that is sequence regression; call Fit (or FitRegressor), not FitClassifier.");
        var inputKind = LstmColumns.InputKind(inputColumn.Name, inputColumn.Type);
        int classes = ClassCount(task, labelColumn);

        using var channel = host.Start("Training LSTM");
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
            vocabularySize = LstmColumns.KeyTokenVocabularySize(inputColumn);
        }

        // One model object prepares the rows here and at prediction (the first MaxSequenceLength tokens).
        // The trained model's options show what was used: the automatic n-gram table resolved for these classes.
        var used = options.WithCapacityFor(trainRows.Count, classes);
        WordVectors? pretrained = null;
        if (options.WordVectorsPath is { } vectorsPath)
        {
            if (tokenizer is null)
                throw new InvalidOperationException($"WordVectorsPath needs text input to match tokens; '{inputColumn.Name}' holds key-typed token ids.");
            if (options.WordVectorsExtraWords > 0)
            {
                int learned = tokenizer.VocabularySize;
                var known = tokenizer;
                var extra = WordVectors.LeadingTokens(vectorsPath, options.WordVectorsExtraWords,
                    token => WordTokenizer.IsPiece(token) && known.IdOf(token) == WordTokenizer.UnknownId, options.CancellationToken);
                tokenizer = tokenizer.WithTokens(extra);
                vocabularySize = tokenizer.VocabularySize;
                channel.Info($"Vocabulary: {vocabularySize - learned} words of '{vectorsPath}' that training lacks added (WordVectorsExtraWords {options.WordVectorsExtraWords}): {vocabularySize} ids.");
            }
            var ids = tokenizer.Vocabulary.Select((token, id) => (token, id)).Skip(WordTokenizer.ReservedIds).ToDictionary(p => p.token, p => p.id);
            pretrained = WordVectors.Read(vectorsPath, ids, options.EmbeddingSize > 0 ? options.EmbeddingSize : null, cancellationToken: options.CancellationToken);
            if (options.EmbeddingSize == 0) used.EmbeddingSize = pretrained.Dimension;
            channel.Info($"Word vectors: {pretrained.FoundCount} of {ids.Count} vocabulary tokens found in '{vectorsPath}' ({pretrained.Dimension} dimensions, " +
                         $"{pretrained.CaseFoldedCount} by lower case), {(options.FreezeWordVectors ? "frozen" : "fine-tuned")}; the others are learned from scratch.");
        }
        if (options.EmbeddingSize == 0 || options.HiddenSize == 0)
            channel.Info($"Capacity: embedding {used.EmbeddingSize}{(options.EmbeddingSize == 0 ? " (automatic)" : "")}, hidden {used.HiddenSize}{(options.HiddenSize == 0 ? " (automatic)" : "")} " +
                         $"for {trainRows.Count} training rows and {classes} classes (128 from {LstmOptions.LargeCapacityMinRows} rows or {LstmOptions.LargeCapacityMinClasses} classes, else 64).");
        used.NgramBuckets = options.ResolvedNgramBuckets(classes);
        channel.Info(used.NgramBuckets == 0 ? "Wide path: off (NgramLength = 0)."
            : $"Wide path: n-grams up to {used.NgramLength} hashed into {used.NgramBuckets} rows{(options.NgramBuckets == 0 ? " (automatic: min(2^18, 2^22 / classes))" : "")}.");
        used.CharNgramLength = options.ResolvedCharNgramLength(textInput: tokenizer is not null);
        if (used.CharNgramLength > 0)
            channel.Info($"Wide path sub-words: character {CharNgramHasher.MinLength}- to {used.CharNgramLength}-grams of every token (MurmurHash3 x86_32, seed {CharNgramHasher.Seed}).");
        var network = new SequenceClassifierNetwork(vocabularySize, classes, used.ToNetworkOptions(classes));
        if (pretrained is not null) network.InitializeEmbeddingRows(pretrained.Vectors, pretrained.Found, options.FreezeWordVectors);
        var model = new TextClassifierModel(network, tokenizer, options.MaxSequenceLength, charNgramLength: used.CharNgramLength);
        ClassifierInput[] Prepare(LabelledRows rows) => rows.Texts is { } texts
            ? texts.Select(t => model.Prepare(t)).ToArray()
            : rows.Tokens!.Select(t => model.Prepare(t)).ToArray();
        var trainSequences = Prepare(trainRows);
        var validationSequences = Prepare(validationRows);

        channel.Info($"Training a {(used.Bidirectional ? "bidirectional " : "")}LSTM {used.NumberOfLayers}×{used.HiddenSize} ({used.Pooling} pooling, embedding {used.EmbeddingSize}) " +
                     $"for {task} on {trainSequences.Length} rows, validating on {validationSequences.Length}; {network.Context}.");
        var result = SequenceTrainer.Train<ClassifierInput, int>(network, trainSequences, trainRows.Labels, validationSequences.Length > 0 ? validationSequences : null,
            validationSequences.Length > 0 ? validationRows.Labels : null, used.ToTrainingOptions(), options.Progress,
            line => channel.Info(line), options.CancellationToken);
        channel.Info(result.Outcome);

        model = Calibrated(model, validationSequences, validationRows.Labels, used.Calibrate, line => channel.Info(line));

        var labelSchema = task == LstmTask.MulticlassClassification ? LabelSchema(labelColumn) : null;
        return new LstmTextClassificationTransformer(host, task, inputColumn.Name, inputKind, labelColumn.Name, used, model,
            labelSchema, result.History, result.BestEpoch);
    }

    /// <summary>Checks the input and label columns like ML.NET's classifiers do, and adds their output columns.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var (inputColumn, labelColumn) = LstmColumns.Find(inputSchema, inputColumnName, options.LabelColumnName);
        LstmColumns.InputKind(inputColumn);

        LstmTask task;
        if (labelColumn.Kind == VectorKind.Scalar && labelColumn.ItemType is BooleanDataViewType) task = LstmTask.BinaryClassification;
        else if (labelColumn.Kind == VectorKind.Scalar && labelColumn.IsKey) task = LstmTask.MulticlassClassification;
        else
        {
            var labelType = labelColumn.Kind == VectorKind.Scalar ? labelColumn.ItemType : new VectorDataViewType((PrimitiveDataViewType)labelColumn.ItemType);
            var inputType = inputColumn.Kind == VectorKind.Scalar ? inputColumn.ItemType : new VectorDataViewType((PrimitiveDataViewType)inputColumn.ItemType);
            task = LstmColumns.TaskOf(labelColumn.Name, labelType, inputType, requiredTask); // throws with the specific message
        }
        if (requiredTask is LstmTask required && required != task)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Label column '{labelColumn.Name}' has type {LstmColumns.Describe(labelColumn)}; " +
                (required == LstmTask.BinaryClassification ? "binary classification expects Boolean." : "multiclass classification expects a key type (e.g. from MapValueToKey)."));

        var columns = inputSchema.ToDictionary(c => c.Name);
        if (task == LstmTask.BinaryClassification)
        {
            columns[options.ScoreColumnName] = new SchemaShape.Column(options.ScoreColumnName, VectorKind.Scalar, NumberDataViewType.Single, false,
                new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation()));
            columns[options.ProbabilityColumnName] = new SchemaShape.Column(options.ProbabilityColumnName, VectorKind.Scalar, NumberDataViewType.Single, false,
                new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation(true)));
            columns[options.PredictedLabelColumnName] = new SchemaShape.Column(options.PredictedLabelColumnName, VectorKind.Scalar, BooleanDataViewType.Instance, false,
                new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation()));
        }
        else
        {
            bool hasKeyValues = labelColumn.Annotations.TryFindColumn(AnnotationUtils.Kinds.KeyValues, out var keyValues);
            var predictedAnnotations = AnnotationUtils.GetTrainerOutputAnnotation();
            if (hasKeyValues) predictedAnnotations = predictedAnnotations.Append(keyValues);
            columns[options.ScoreColumnName] = new SchemaShape.Column(options.ScoreColumnName, VectorKind.Vector, NumberDataViewType.Single, false,
                new SchemaShape(AnnotationUtils.AnnotationsForMulticlassScoreColumn(labelColumn)));
            columns[options.PredictedLabelColumnName] = new SchemaShape.Column(options.PredictedLabelColumnName, VectorKind.Scalar, NumberDataViewType.UInt32, true,
                new SchemaShape(predictedAnnotations));
        }
        return new SchemaShape(columns.Values);
    }

    /// <summary>
    /// The model with a temperature fitted on the validation rows' logits (<see cref="TemperatureScaling"/>), or as it is
    /// (T = 1) when calibration is off or there are no validation rows; says which in the log.
    /// </summary>
    private static TextClassifierModel Calibrated(TextClassifierModel model, ClassifierInput[] validation, int[] labels, bool calibrate, Action<string> log)
    {
        if (!calibrate) { log("Calibration: off (Calibrate = false); temperature 1."); return model; }
        if (validation.Length == 0) { log("Calibration: no validation rows; temperature 1."); return model; }
        int classes = model.NumberOfClasses;
        var predictor = model.CreatePredictor();
        var logits = new float[classes == 2 ? validation.Length : validation.Length * classes]; // binary: the margin z₁ − z₀ per row
        for (int i = 0; i < validation.Length; i++)
        {
            predictor.Predict(validation[i]);
            if (classes == 2) logits[i] = predictor.Logits[1] - predictor.Logits[0];
            else predictor.Logits.CopyTo(logits, i * classes);
        }
        var fit = classes == 2
            ? TemperatureScaling.FitBinary(logits, labels.Select(l => l == 1).ToArray())
            : TemperatureScaling.FitMulticlass(logits, classes, labels);
        log(fit.Degenerate is { } why
            ? $"Calibration: temperature 1 kept ({why})."
            : $"Calibration: temperature {fit.Temperature:G4} fitted on {validation.Length} validation rows (log-loss {fit.NllBefore:F4} → {fit.NllAfter:F4}).");
        return fit.Degenerate is null ? model.WithTemperature((float)fit.Temperature) : model;
    }

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

    /// <summary>A one-column schema holding the label with its annotations (key values), saved with the model for the output annotations.</summary>
    private static DataViewSchema LabelSchema(DataViewSchema.Column label)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(label.Name, label.Type, label.Annotations);
        return builder.ToSchema();
    }
}
