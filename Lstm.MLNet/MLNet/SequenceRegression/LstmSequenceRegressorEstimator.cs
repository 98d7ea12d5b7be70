using Lstm.MLNet.Model;
using Lstm.MLNet.Model.Training;
using Lstm.MLNet.TimeSeries;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using static Microsoft.ML.SchemaShape.Column;

namespace Lstm.MLNet;

/// <summary>
/// The sequence regressor's estimator (float or float-vector label, float-vector input of T steps × F values): what
/// <see cref="LstmEstimator"/> delegates to for regression.
/// </summary>
/// <param name="host">Where training logs.</param>
/// <param name="options">The options, their FeatureColumnName naming the input (validated by the front door).</param>
internal sealed class LstmSequenceRegressorEstimator(IHost host, LstmSequenceRegressorOptions options) : IEstimator<LstmSequenceRegressionTransformer>
{
    /// <summary>True for a float (vector) label with a float-vector input: the columns this estimator trains on.</summary>
    public static bool Accepts(SchemaShape.Column input, SchemaShape.Column label) =>
        input.Kind != VectorKind.Scalar && input.ItemType is NumberDataViewType { RawType: var inputRaw } && inputRaw == typeof(float)
        && label.ItemType is NumberDataViewType { RawType: var labelRaw } && labelRaw == typeof(float);

    /// <summary>Checks the label's shape and adds the Score column.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var (_, label) = LstmColumns.Find(inputSchema, options.FeatureColumnName, options.LabelColumnName);
        if (label.Kind == VectorKind.VariableVector)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Label column '{label.Name}' is a variable-length vector; a multi-step label needs a known size (one value per horizon step).");
        var columns = inputSchema.ToDictionary(c => c.Name);
        var kind = label.Kind == VectorKind.Scalar ? VectorKind.Scalar : VectorKind.Vector;
        columns[options.ScoreColumnName] = new SchemaShape.Column(options.ScoreColumnName, kind, NumberDataViewType.Single, false,
            new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation()));
        return new SchemaShape(columns.Values);
    }

    /// <summary>Trains the sequence regressor on <paramref name="input"/>.</summary>
    public LstmSequenceRegressionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var schema = input.Schema;
        string inputName = options.FeatureColumnName;
        var inputColumn = schema.GetColumnOrNull(inputName) ?? throw LstmColumns.MissingColumn("input", inputName, schema.Select(c => c.Name));
        var labelColumn = schema.GetColumnOrNull(options.LabelColumnName) ?? throw LstmColumns.MissingColumn("label", options.LabelColumnName, schema.Select(c => c.Name));
        SequenceRows.CheckInput(inputColumn);
        int outputs = SequenceRows.TargetSize(labelColumn);
        bool labelIsVector = labelColumn.Type is VectorDataViewType;

        using var channel = host.Start("Training LSTM sequence regressor");
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
                throw new ArgumentOutOfRangeException(nameof(LstmTrainingOptions.ValidationSet), $"The validation label '{vLabel.Name}' has another length than the training label's {outputs}.");
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
                throw new ArgumentOutOfRangeException(nameof(LstmTrainingOptions.ValidationFraction), options.ValidationFraction,
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
        // One model object prepares the rows here and at prediction (last MaxSequenceLength steps, standardised).
        var network = new SequenceRegressorNetwork(options.FeaturesPerStep, options.ToNetworkOptions(new SequenceRegressorOptions { Outputs = outputs }));
        var model = new SequenceRegressorModel(network, inputScaler, targetScaler, options.MaxSequenceLength);
        var trainSequences = trainRows.Sequences.Select(x => model.Prepare(x)).ToArray();
        var trainTargets = trainRows.Targets.Select(t => model.PrepareTarget(t)).ToArray();
        var validationSequences = validationRows.Sequences.Select(x => model.Prepare(x)).ToArray();
        var validationTargets = validationRows.Targets.Select(t => model.PrepareTarget(t)).ToArray();

        channel.Info($"Training a {(options.Bidirectional ? "bidirectional " : "")}LSTM {options.NumberOfLayers}×{options.HiddenSize} ({options.Pooling} pooling) " +
                     $"on {trainSequences.Length} sequences of {options.FeaturesPerStep} feature(s) per step → {outputs} output(s), validating on {validationSequences.Length}; {network.Context}.");
        var result = SequenceTrainer.Train(network, trainSequences, trainTargets, validationSequences.Length > 0 ? validationSequences : null,
            validationSequences.Length > 0 ? validationTargets : null, options.ToTrainingOptions(), options.Progress,
            line => channel.Info(line), options.CancellationToken);
        channel.Info(result.Outcome);
        return new LstmSequenceRegressionTransformer(host, inputColumn.Name, labelColumn.Name, labelIsVector, options, model,
            result.History, result.BestEpoch);
    }
}
