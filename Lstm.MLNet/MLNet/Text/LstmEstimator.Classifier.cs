using Lstm.MLNet.Model;
using Lstm.MLNet.Model.Training;
using Lstm.MLNet.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Lstm.MLNet;

// The classifier half of the front door: Boolean or key label, text or key-typed token input.
public sealed partial class LstmEstimator
{
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
            vocabularySize = LstmColumns.KeyTokenVocabularySize(inputColumn);
        }

        // One model object prepares the rows here and at prediction (the first MaxSequenceLength tokens).
        var network = new SequenceClassifierNetwork(vocabularySize, classes, options.ToNetworkOptions());
        var model = new TextClassifierModel(network, tokenizer, options.MaxSequenceLength);
        int[][] Prepare(LabelledRows rows) => rows.Texts is { } texts
            ? texts.Select(t => model.Prepare(t)).ToArray()
            : rows.Tokens!.Select(t => model.Prepare(t)).ToArray();
        var trainSequences = Prepare(trainRows);
        var validationSequences = Prepare(validationRows);

        channel.Info($"Training a {(options.Bidirectional ? "bidirectional " : "")}LSTM {options.NumberOfLayers}×{options.HiddenSize} ({options.Pooling} pooling, embedding {options.EmbeddingSize}) " +
                     $"for {task} on {trainSequences.Length} rows, validating on {validationSequences.Length}; {network.Context}.");
        var result = SequenceTrainer.Train(network, trainSequences, trainRows.Labels, validationSequences.Length > 0 ? validationSequences : null,
            validationSequences.Length > 0 ? validationRows.Labels : null, options.ToTrainingOptions(), options.Progress,
            line => channel.Info(line), options.CancellationToken);
        channel.Info($"Kept the weights of epoch {result.BestEpoch} of {result.History.Count}{(result.StoppedEarly ? " (stopped early)" : "")}{(result.Cancelled ? " (cancelled)" : "")}.");

        var labelSchema = task == LstmTask.MulticlassClassification ? LabelSchema(labelColumn) : null;
        return new LstmTextClassificationTransformer(_host, task, inputColumn.Name, inputKind, labelColumn.Name, options, model,
            labelSchema, result.History, result.BestEpoch);
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
