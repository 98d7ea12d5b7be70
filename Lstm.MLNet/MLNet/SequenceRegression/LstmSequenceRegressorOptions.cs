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
/// values. Defaults suit a univariate series; the LSTM options of <see cref="LstmOptions"/> apply (the text options do not).
/// </summary>
public sealed class LstmSequenceRegressorOptions : LstmOptions
{
    /// <summary>Options with the regressor's defaults (input "Features", unidirectional, last-state pooling, no dropout, no length limit).</summary>
    public LstmSequenceRegressorOptions()
    {
        FeatureColumnName = "Features";
        UseNumericSequenceDefaults();
        MaxSequenceLength = 0;
        MaxEpochs = 100;
        EarlyStoppingPatience = 10;
    }

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

    internal void ValidateRegression()
    {
        Validate();
        if (FeaturesPerStep < 1) throw new ArgumentOutOfRangeException(nameof(FeaturesPerStep), FeaturesPerStep, "Must be at least 1.");
        if (!Enum.IsDefined(NonFiniteValues)) throw new ArgumentOutOfRangeException(nameof(NonFiniteValues), NonFiniteValues, "Unknown policy.");
        if (string.IsNullOrWhiteSpace(FeatureColumnName)) throw new ArgumentException("FeatureColumnName must name the float-vector input column.", nameof(FeatureColumnName));
    }

    /// <summary>Regressor options carrying every shared option of <paramref name="options"/> (the default estimator's path).</summary>
    internal static LstmSequenceRegressorOptions From(LstmOptions options)
    {
        if (options is LstmSequenceRegressorOptions regressor) return (LstmSequenceRegressorOptions)regressor.Clone();
        var result = new LstmSequenceRegressorOptions();
        options.CopyTo(result);
        return result;
    }
}
