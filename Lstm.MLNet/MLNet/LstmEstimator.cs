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
public sealed class LstmEstimator : IEstimator<LstmTransformer>
{
    private readonly IHost _host;
    private readonly LstmOptions? _options;                       // the front door's text options (task from the label)
    private readonly LstmSequenceRegressorOptions? _regressorOptions;   // or the regressor's (always regression)
    private readonly LstmTask? _requiredTask;

    /// <summary>
    /// An estimator with the default options. With no <see cref="MLContext"/> to log to, it makes its own
    /// (seeded with the options' seed); its log goes nowhere. Pass an MLContext to see progress in <c>ml.Log</c>.
    /// </summary>
    public LstmEstimator() : this(null, null)
    {
    }

    /// <summary>
    /// An estimator with <paramref name="options"/> (defaults when null), logging to <paramref name="ml"/> (its own MLContext
    /// when null): <see cref="LstmOptions"/> (the task follows from the label) or <see cref="LstmSequenceRegressorOptions"/>
    /// (sequence regression).
    /// </summary>
    public LstmEstimator(MLContext? ml, LstmTrainingOptions? options = null)
        : this(ml ?? new MLContext((options ?? new LstmOptions()).Seed), options ?? new LstmOptions(),
            requiredTask: options is LstmSequenceRegressorOptions ? LstmTask.Regression : null)
    {
    }

    internal LstmEstimator(IHostEnvironment environment, LstmTrainingOptions options, LstmTask? requiredTask)
    {
        MLNetCompatibility.EnsureSupported();
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        switch (options)
        {
            case LstmSequenceRegressorOptions regressor:
                regressor.Validate();
                _regressorOptions = regressor.Clone();
                break;
            case LstmOptions text:
                text.Validate();
                _options = text.Clone();
                break;
            default:
                throw new ArgumentException($"LstmEstimator trains with LstmOptions (text classifiers, or the task from the label) or " +
                    $"LstmSequenceRegressorOptions; {options.GetType().Name} belongs to another trainer (ml.Forecasting.LstmForecast for LstmForecastingOptions).", nameof(options));
        }
        _host = environment.Register(nameof(LstmEstimator));
        _requiredTask = requiredTask;
    }

    /// <summary>A copy of the options this estimator trains with (an <see cref="LstmSequenceRegressorOptions"/> for the sequence regressor's).</summary>
    public LstmTrainingOptions Options => (LstmTrainingOptions?)_regressorOptions?.Clone() ?? _options!.Clone();

    /// <summary>The column ML.NET uses for features when no text column is there (the regressor's usual input).</summary>
    private const string DefaultFeatureColumnName = "Features";

    /// <summary>
    /// The input column: <see cref="LstmOptions.FeatureColumnName"/> when set; otherwise the text column, or, when the
    /// data has no column of that name but has ML.NET's default "Features", that one (so <c>new LstmEstimator()</c> finds
    /// a float-vector sequence input for regression).
    /// </summary>
    private string InputColumnName(Func<string, bool> exists) =>
        _regressorOptions?.FeatureColumnName ?? _options!.FeatureColumnName
        ?? (!exists(_options.TextColumnName) && exists(DefaultFeatureColumnName) ? DefaultFeatureColumnName : _options.TextColumnName);

    private string LabelColumnName => _regressorOptions?.LabelColumnName ?? _options!.LabelColumnName;

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
        var labelColumn = schema.GetColumnOrNull(LabelColumnName) ?? throw LstmColumns.MissingColumn("label", LabelColumnName, schema.Select(c => c.Name));
        return LstmColumns.TaskOf(labelColumn.Name, labelColumn.Type, inputColumn.Type, _requiredTask) == LstmTask.Regression
            ? FitRegressor(input)
            : FitClassifier(input);
    }

    /// <summary>Checks the input and label columns like ML.NET's trainers do, and adds the output columns.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        string inputName = InputColumnName(name => inputSchema.TryFindColumn(name, out _));
        var (inputColumn, labelColumn) = LstmColumns.Find(inputSchema, inputName, LabelColumnName);
        return _requiredTask is null or LstmTask.Regression && LstmSequenceRegressorEstimator.Accepts(inputColumn, labelColumn)
            ? RegressorFor(inputName).GetOutputSchema(inputSchema)
            : new LstmTextClassifierEstimator(_host, TextOptions, inputName, _requiredTask).GetOutputSchema(inputSchema);
    }

    /// <summary>Trains a classifier on <paramref name="input"/> (what <see cref="Fit"/> does for a Boolean or key label, typed).</summary>
    public LstmTextClassificationTransformer FitClassifier(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var schema = input.Schema;
        string inputName = InputColumnName(name => schema.GetColumnOrNull(name) is not null);
        return new LstmTextClassifierEstimator(_host, TextOptions, inputName, _requiredTask).Fit(input);
    }

    /// <summary>The text options a classifier trains with; regressor options cannot train one.</summary>
    private LstmOptions TextOptions => _options
        ?? throw new InvalidOperationException("This estimator has LstmSequenceRegressorOptions: it trains the sequence regressor only (a Single label and a Single-vector input); use LstmOptions to train a classifier.");

    /// <summary>Trains the sequence regressor (what <see cref="Fit"/> does for a float label and a float-vector input, typed).</summary>
    public LstmSequenceRegressionTransformer FitRegressor(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var schema = input.Schema;
        return RegressorFor(InputColumnName(name => schema.GetColumnOrNull(name) is not null)).Fit(input);
    }

    /// <summary>The regressor's estimator over this one's options (every shared option carried over), reading <paramref name="inputName"/>.</summary>
    private LstmSequenceRegressorEstimator RegressorFor(string inputName)
    {
        var options = _regressorOptions?.Clone() ?? LstmSequenceRegressorOptions.From(_options!);
        options.FeatureColumnName = inputName;
        options.Validate();
        return new LstmSequenceRegressorEstimator(_host, options);
    }
}
