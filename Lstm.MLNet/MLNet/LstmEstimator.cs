using Lstm.MLNet.Text;
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
public sealed partial class LstmEstimator : IEstimator<LstmTransformer>
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
}
