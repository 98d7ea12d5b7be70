namespace Lstm.MLNet;

/// <summary>What the regressor does with a NaN or ±∞ in a row's features or label.</summary>
public enum LstmNonFiniteValues
{
    /// <summary>Throw, naming the row, the column and the position (the default: bad data is never silently used).</summary>
    Throw,
    /// <summary>Skip the row in training (a logged count); at prediction the row's Score is NaN.</summary>
    SkipRow,
}

/// <summary>
/// Options of the LSTM sequence regressor (<c>ml.Regression.Trainers.LstmSequence</c>): the input is a float vector of
/// T steps × <see cref="FeaturesPerStep"/> values (T may vary by row), the label a float or a float vector of H future
/// values. Defaults suit a univariate series; the network and training options are <see cref="LstmTrainingOptions"/>'s.
/// </summary>
public sealed class LstmSequenceRegressorOptions : LstmTrainingOptions
{
    /// <summary>Options with the regressor's defaults (input "Features", unidirectional, last-state pooling, no dropout, no length limit).</summary>
    public LstmSequenceRegressorOptions()
    {
        UseNumericSequenceDefaults();
        MaxEpochs = 100;
        EarlyStoppingPatience = 10;
    }

    /// <summary>The label: a Single, or a known-size Single vector of future values.</summary>
    public string LabelColumnName { get; set; } = "Label";
    /// <summary>The input: a Single vector of T steps × <see cref="FeaturesPerStep"/> values, step by step.</summary>
    public string FeatureColumnName { get; set; } = "Features";
    /// <summary>Output: the prediction in label units (a Single, or a vector of the label's length).</summary>
    public string ScoreColumnName { get; set; } = "Score";
    /// <summary>
    /// The longest input the network reads, in training and prediction alike (one rule, applied by the same code in both):
    /// a row keeps its LAST this many steps (the most recent). 0 = no limit.
    /// </summary>
    public int MaxSequenceLength { get; set; }

    /// <summary>F: values per time step (a row's vector holds T·F values, step by step).</summary>
    public int FeaturesPerStep { get; set; } = 1;

    /// <summary>
    /// Standardise each input feature and each label position with the training rows' mean and standard deviation
    /// (learned at Fit, saved with the model; a constant feature gets deviation 1). Scores come back in label units.
    /// </summary>
    public bool Standardize { get; set; } = true;

    /// <summary>What to do with a NaN or ±∞ in a row (see <see cref="LstmNonFiniteValues"/>).</summary>
    public LstmNonFiniteValues NonFiniteValues { get; set; } = LstmNonFiniteValues.Throw;

    /// <summary>
    /// How the <see cref="LstmTrainingOptions.ValidationFraction"/> rows are chosen: false (the default) takes the LAST rows in
    /// row order, so windows of a series never validate on the past of their own training data; true a seeded random subset.
    /// </summary>
    public bool ShuffleValidationSplit { get; set; }

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> (or <see cref="ArgumentException"/> for a blank column name) naming the first invalid option.</summary>
    public void Validate()
    {
        CheckName(LabelColumnName, nameof(LabelColumnName));
        CheckName(FeatureColumnName, nameof(FeatureColumnName));
        CheckName(ScoreColumnName, nameof(ScoreColumnName));
        if (MaxSequenceLength < 0) throw new ArgumentOutOfRangeException(nameof(MaxSequenceLength), MaxSequenceLength, "Must be 0 (no limit) or positive.");
        if (FeaturesPerStep < 1) throw new ArgumentOutOfRangeException(nameof(FeaturesPerStep), FeaturesPerStep, "Must be at least 1.");
        if (!Enum.IsDefined(NonFiniteValues)) throw new ArgumentOutOfRangeException(nameof(NonFiniteValues), NonFiniteValues, "Unknown policy.");
        ValidateTraining(ToNetworkOptions(new Model.SequenceRegressorOptions { Outputs = 1 }));
    }

    /// <summary>A copy of the options (the validation set, progress sink and token are references, shared).</summary>
    public LstmSequenceRegressorOptions Clone() => (LstmSequenceRegressorOptions)Copy();

    /// <summary>
    /// Regressor options carrying every option of <paramref name="options"/> the regressor has (the default estimator's
    /// path): the shared training options, the label and score columns, the input column and the length limit.
    /// </summary>
    internal static LstmSequenceRegressorOptions From(LstmOptions options)
    {
        var result = new LstmSequenceRegressorOptions();
        int regressorHiddenSize = result.HiddenSize;
        options.CopyTrainingOptionsTo(result);
        if (options.HiddenSize == 0) result.HiddenSize = regressorHiddenSize; // automatic is the text classifier's rule
        result.LabelColumnName = options.LabelColumnName;
        result.ScoreColumnName = options.ScoreColumnName;
        result.MaxSequenceLength = options.MaxSequenceLength;
        if (options.FeatureColumnName is not null) result.FeatureColumnName = options.FeatureColumnName;
        return result;
    }
}
